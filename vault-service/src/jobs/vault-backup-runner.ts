/**
 * Runs vault-side backup jobs one at a time per process on the shared job core (job-core.ts): claim,
 * run the shared backup engine with the site's stored credentials, complete, or retry with exponential
 * backoff until max_attempts. A job whose runner died is picked up again when its lock expires.
 * Every retry continues from the job's last checkpoint; only a job that fails for good loses its
 * partial backup.
 */
import type { Log } from '../logger.js';
import { claimExhaustedJob, claimJob, finishJob, requeueJob } from '../modules/vault-backup/repository.js';
import { failVaultBackupJob, runVaultBackupAttempt, type VaultBackupDeps } from '../modules/vault-backup/service.js';
import { describeJobFailure, INTERRUPTED, RUNNER_LOST } from '../modules/vault-backup/job-error.js';
import { createJobRunner, type JobRunner } from './job-core.js';

export interface VaultBackupRunnerOptions {
  pollIntervalMs?: number;
  /** a running job's lock; renewed with every progress update */
  lockMs?: number;
  retryBaseMs?: number;
  /**
   * How often a running backup saves its cursor (default 30 s); a failure loses at most this much
   * work. Each checkpoint stops the engine and restarts it from the cursor, which costs one more AQL
   * page request (the dropped read-ahead; a page paused in the middle of its histories is not read
   * again, the cursor keeps what it held). With history a 500-object page takes ~35 s at the paced
   * 850 histories/min, so 5 s would request each page ~7 times instead of once; 30 s adds about one
   * request per page, under 1% of all requests.
   */
  checkpointIntervalMs?: number;
}

export function createVaultBackupRunner(
  deps: VaultBackupDeps & { log: Log },
  options: VaultBackupRunnerOptions = {},
): JobRunner {
  const checkpointIntervalMs = options.checkpointIntervalMs ?? 30_000;
  return createJobRunner({
    name: 'vault backup',
    log: deps.log,
    clock: deps.clock,
    lockMs: options.lockMs ?? 10 * 60_000,
    retryBaseMs: options.retryBaseMs ?? 60_000,
    pollIntervalMs: options.pollIntervalMs ?? 5_000,
    claim: (lease) => claimJob(deps.db, lease),
    claimExhausted: (lease) => claimExhaustedJob(deps.db, lease),
    logContext: (job) => ({ jobId: job.id, siteId: job.siteId, schemaId: job.schemaId }),
    async run(job, worker) {
      const backupId = await runVaultBackupAttempt(deps, job, { ...worker, checkpointIntervalMs });
      await finishJob(deps.db, job.id, {
        workerId: worker.id,
        now: deps.clock.now(),
        status: 'completed',
        backupId,
        error: null,
      });
      return { backupId };
    },
    fail: async (job, workerId, failure) => {
      await failVaultBackupJob(deps, job, workerId, failure);
    },
    requeue: (job, workerId, runAfter, error) =>
      requeueJob(deps.db, job.id, { workerId, now: deps.clock.now(), runAfter, error }),
    describeFailure: describeJobFailure,
    runnerLost: RUNNER_LOST,
    interrupted: INTERRUPTED,
  });
}
