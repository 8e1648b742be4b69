/**
 * Runs restores and their issue-fields steps on the shared job core (job-core.ts), each one job at a
 * time per process: claimed with FOR UPDATE SKIP LOCKED, held by a lease the attempt renews about every
 * second (RESTORE_LEASE_SECONDS), retried with exponential backoff, and continued from its checkpoints
 * by whichever replica claims it next, also after this process was killed.
 */
import type { Log } from '../logger.js';
import {
  claimExhaustedIssueFieldsJob,
  claimExhaustedRestoreJob,
  claimIssueFieldsJob,
  claimRestoreJob,
  requeueRestoreWork,
} from '../modules/restores/repository.js';
import {
  RESTORE_INTERRUPTED,
  RESTORE_RUNNER_LOST,
  describeRestoreFailure,
  failIssueFieldsJob,
  failRestoreJob,
  runIssueFieldsAttempt,
  runRestoreAttempt,
  type RestoreRunDeps,
} from '../modules/restores/run.js';
import { createJobRunner, type JobRunner } from './job-core.js';

export interface RestoreRunnerOptions {
  pollIntervalMs?: number;
  /** default: the config's RESTORE_LEASE_SECONDS */
  lockMs?: number;
  retryBaseMs?: number;
}

export interface RestoreRunners {
  restores: JobRunner;
  issueFields: JobRunner;
  start(): void;
  /** look for work now (a restore or an issue-fields step was just queued) */
  wake(): void;
  stop(): Promise<void>;
}

export function createRestoreRunners(
  deps: RestoreRunDeps & { log: Log },
  options: RestoreRunnerOptions = {},
): RestoreRunners {
  const common = {
    log: deps.log,
    clock: deps.clock,
    lockMs: options.lockMs ?? deps.config.restore.leaseMs,
    retryBaseMs: options.retryBaseMs ?? 30_000,
    pollIntervalMs: options.pollIntervalMs ?? 2_000,
    describeFailure: describeRestoreFailure,
    runnerLost: RESTORE_RUNNER_LOST,
    interrupted: RESTORE_INTERRUPTED,
  };
  const restores = createJobRunner({
    ...common,
    name: 'restore',
    claim: (lease) => claimRestoreJob(deps.db, lease),
    claimExhausted: (lease) => claimExhaustedRestoreJob(deps.db, lease),
    logContext: (job) => ({ restoreId: job.id, siteId: job.siteId, backupId: job.backupId }),
    run: (job, worker, log) => runRestoreAttempt(deps, job, worker, log),
    fail: (job, workerId, failure) => failRestoreJob(deps, job, workerId, failure),
    requeue: (job, workerId, runAfter, failure) =>
      requeueRestoreWork(deps.db, 'restore', job.id, { workerId, now: deps.clock.now(), runAfter, failure }),
  });
  const issueFields = createJobRunner({
    ...common,
    name: 'restore issue fields',
    claim: (lease) => claimIssueFieldsJob(deps.db, lease),
    claimExhausted: (lease) => claimExhaustedIssueFieldsJob(deps.db, lease),
    logContext: (job) => ({ restoreId: job.id, siteId: job.siteId }),
    run: (job, worker, log) => runIssueFieldsAttempt(deps, job, worker, log),
    fail: (job, workerId, failure) => failIssueFieldsJob(deps, job, workerId, failure),
    requeue: (job, workerId, runAfter, failure) =>
      requeueRestoreWork(deps.db, 'issue-fields', job.id, { workerId, now: deps.clock.now(), runAfter, failure }),
  });
  return {
    restores,
    issueFields,
    start() {
      restores.start();
      issueFields.start();
    },
    wake() {
      restores.wake();
      issueFields.wake();
    },
    async stop() {
      await Promise.all([restores.stop(), issueFields.stop()]);
    },
  };
}
