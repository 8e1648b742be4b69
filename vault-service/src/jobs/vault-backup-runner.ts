/**
 * Runs vault-side backup jobs one at a time per process: claim (FOR UPDATE SKIP LOCKED), run the
 * shared backup engine with the site's stored credentials, complete, or retry with exponential
 * backoff until max_attempts. A job whose runner died is picked up again when its lock expires.
 * Every retry continues from the job's last checkpoint; only a job that fails for good loses its
 * partial backup.
 */
import { randomUUID } from 'node:crypto';
import type { Log } from '../logger.js';
import { claimExhaustedJob, claimJob, finishJob, requeueJob } from '../modules/vault-backup/repository.js';
import {
  JobLeaseLostError,
  PermanentJobError,
  failVaultBackupJob,
  runVaultBackupAttempt,
  type VaultBackupDeps,
} from '../modules/vault-backup/service.js';
import { describeJobFailure, INTERRUPTED, RUNNER_LOST } from '../modules/vault-backup/job-error.js';
import { createPoller, type Poller } from './poller.js';

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
): Poller & { runOnce(): Promise<boolean> } {
  const workerId = `vault-backup:${randomUUID()}`;
  const lockMs = options.lockMs ?? 10 * 60_000;
  const retryBaseMs = options.retryBaseMs ?? 60_000;
  const checkpointIntervalMs = options.checkpointIntervalMs ?? 30_000;
  const abort = new AbortController();

  async function runOnce(): Promise<boolean> {
    const exhausted = await claimExhaustedJob(deps.db, { workerId, now: deps.clock.now(), lockMs });
    if (exhausted) {
      deps.log.warn(
        { jobId: exhausted.id, siteId: exhausted.siteId, attempts: exhausted.attempts },
        'vault backup failed: its runner died in the last attempt',
      );
      await failVaultBackupJob(deps, exhausted, workerId, RUNNER_LOST);
      return true;
    }
    const job = await claimJob(deps.db, { workerId, now: deps.clock.now(), lockMs });
    if (!job) return false;
    const log = deps.log.child({ jobId: job.id, siteId: job.siteId });
    log.info({ schemaId: job.schemaId, attempt: job.attempts }, 'vault backup started');
    try {
      const backupId = await runVaultBackupAttempt(deps, job, {
        id: workerId,
        lockMs,
        checkpointIntervalMs,
        signal: abort.signal,
      });
      await finishJob(deps.db, job.id, { workerId, now: deps.clock.now(), status: 'completed', backupId, error: null });
      log.info({ backupId }, 'vault backup completed');
    } catch (err) {
      if (err instanceof JobLeaseLostError) {
        log.warn({ attempt: job.attempts }, 'vault backup taken over by another runner');
        return true;
      }
      if (abort.signal.aborted) {
        // shutting down: another replica (or the next start) continues from the last checkpoint
        await requeueJob(deps.db, job.id, {
          workerId,
          now: deps.clock.now(),
          runAfter: deps.clock.now(),
          error: INTERRUPTED,
        });
        return false;
      }
      const permanent = err instanceof PermanentJobError || job.attempts >= job.maxAttempts;
      // the job keeps a stable code and a fixed message; what really happened is only in this line
      const failure = describeJobFailure(err);
      log.warn({ err, code: failure.code, attempt: job.attempts, permanent }, 'vault backup attempt failed');
      if (permanent) {
        await failVaultBackupJob(deps, job, workerId, failure);
      } else {
        const runAfter = new Date(deps.clock.now().getTime() + retryBaseMs * 2 ** (job.attempts - 1));
        await requeueJob(deps.db, job.id, { workerId, now: deps.clock.now(), runAfter, error: failure });
      }
    }
    return true;
  }

  const poller = createPoller({ intervalMs: options.pollIntervalMs ?? 5_000, log: deps.log, tick: runOnce });
  return {
    ...poller,
    runOnce,
    async stop() {
      abort.abort();
      await poller.stop();
    },
  };
}
