/**
 * One attempt of a restore job, and of its issue-fields step, as jobs/restore-runner.ts runs them on the
 * shared job core: the backup read through the backup store (each chunk checked against its hash, the
 * whole backup verified by the engine's first pass before any write), the destination's connection,
 * the engine with its Postgres checkpoints, a heartbeat that renews the lease with the latest progress
 * (a runner that lost its lease stops), and the end recorded with its audit entry in one transaction.
 */
import { AssetsApiError } from '@assets-vault/shared/assets-client';
import { AppError } from '@assets-vault/shared/errors';
import {
  restoreIssueFields,
  runRestore,
  type RestoreCheckpointStore,
  type RestoreProgress,
  type RestoreResult,
} from '@assets-vault/shared/restore';
import { SnapshotIntegrityError } from '@assets-vault/shared/snapshot';
import type { VaultDeps } from '../../deps.js';
import { JobLeaseLostError, PermanentJobError, type JobFailure, type JobWorker } from '../../jobs/job-core.js';
import type { Log } from '../../logger.js';
import { describeOutboundFailure } from '../../outbound/index.js';
import { insertAuditEvent } from '../audit/repository.js';
import * as backupStore from '../backup-store/index.js';
import { createPostgresCheckpointStore } from './checkpoint-store.js';
import { crossSchemaReferences } from './cross-schema.js';
import {
  connectionOf,
  engineDestination,
  engineOptions,
  objectAllowance,
  runClient,
  schemaUrl,
  snapshotOf,
} from './destination.js';
import {
  finishIssueFieldsJob,
  finishRestoreJob,
  findRestoreJob,
  issueFieldTotals,
  lockHeldRestoreJob,
  objectWarningsSample,
  renewIssueFieldsJob,
  renewRestoreJob,
  setRestoreDestination,
  type IssueFieldsJob,
  type RestoreCountsRecord,
  type RestoreJob,
  type RestoreProgressRecord,
} from './repository.js';

export type RestoreRunDeps = Pick<VaultDeps, 'db' | 'log' | 'clock' | 'config' | 'outbound'>;

export const RESTORE_RUNNER_LOST: JobFailure = {
  code: 'runner_lost',
  message: 'The restore stopped responding in each of its attempts (its vault process died); the vault logs have more',
};
export const RESTORE_INTERRUPTED: JobFailure = {
  code: 'interrupted',
  message: 'Interrupted by a shutdown; it continues',
};

/** A failed attempt another one may fix (the target kept failing); the job retries it after a backoff. */
class RetryableRestoreError extends Error {
  override name = 'RetryableRestoreError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** What a failed restore tells its user: the cause in one sentence, never network details. */
export function describeRestoreFailure(err: unknown): JobFailure {
  const outbound = describeOutboundFailure(err);
  if (outbound) return outbound;
  if (err instanceof PermanentJobError || err instanceof RetryableRestoreError)
    return { code: err.code ?? 'restore_failed', message: err.message };
  if (err instanceof SnapshotIntegrityError)
    return { code: 'snapshot_invalid', message: 'The backup failed its integrity check; it cannot be restored' };
  if (err instanceof AssetsApiError) return { code: err.code, message: `The target site answered HTTP ${err.status}` };
  if (err instanceof AppError && err.expose) return { code: err.code, message: err.message };
  return { code: 'internal', message: 'The restore failed; the vault logs have the details' };
}

/** The engine's failure message, unless it carries the text of a network error (logged, not shown). */
function failureMessage(result: RestoreResult): string {
  const code = result.error?.code;
  if (code === 'circuit_open')
    return 'The target kept failing (network errors, server errors or throttling); the restore stopped';
  if (code === 'structure_failed' && / failed: | timed out/.test(result.message))
    return 'The target site could not be reached while the schema structure was written';
  return result.message;
}

const progressView = (p: RestoreProgress): RestoreProgressRecord => ({
  phase: p.phase,
  done: p.objectsDone,
  total: p.objectsTotal,
  objectsPerMinute: p.objectsPerMinute > 0 ? p.objectsPerMinute : null,
  etaSeconds: p.etaSeconds ?? null,
});

const countsView = (c: RestoreResult['counts']): RestoreCountsRecord => ({
  created: c.created,
  skipped: c.skipped,
  failed: c.failed,
  warnings: c.warnings,
});

/**
 * Runs `work` under the job's lease: renewed (with `renew`'s extra columns) about every second, at
 * least three times per lease; the signal `work` gets aborts on shutdown and when the lease is lost,
 * which ends in `JobLeaseLostError` (the job is another runner's now).
 */
async function underLease<T>(
  worker: JobWorker,
  log: Log,
  renew: () => Promise<boolean>,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let lost = false;
  const stop = () => controller.abort();
  worker.signal.addEventListener('abort', stop, { once: true });
  let beating = false;
  const timer = setInterval(
    () => {
      if (beating) return;
      beating = true;
      renew()
        .then((held) => {
          if (held) return;
          lost = true;
          controller.abort();
        })
        .catch((err: unknown) => log.warn({ err }, 'lease not renewed (the next beat tries again)'))
        .finally(() => (beating = false));
    },
    Math.max(100, Math.min(1_000, worker.lockMs / 3)),
  );
  try {
    const out = await work(controller.signal);
    if (lost) throw new JobLeaseLostError('Another runner took this job over');
    return out;
  } catch (err) {
    if (lost || err instanceof JobLeaseLostError) throw new JobLeaseLostError('Another runner took this job over');
    throw err;
  } finally {
    clearInterval(timer);
    worker.signal.removeEventListener('abort', stop);
  }
}

/** The backup and the destination's client, or the permanent failure that keeps a run from starting. */
async function openRun(deps: RestoreRunDeps, job: Pick<RestoreJob, 'id' | 'siteId' | 'backupId' | 'target'>) {
  const stored = await backupStore.openStoredSnapshot(deps.db, job.siteId, job.backupId).catch((err: unknown) => {
    throw new PermanentJobError('The backup is no longer available', { code: 'backup_not_found', cause: err });
  });
  const connection = await connectionOf(deps, job.siteId, job.id, job.target).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'no_credentials')
      throw new PermanentJobError('No Assets API credentials are stored for this site', {
        code: 'no_credentials',
        cause: err,
      });
    if (err instanceof AppError && err.statusCode === 404)
      throw new PermanentJobError('The target instance of this restore was deleted', {
        code: 'target_not_found',
        cause: err,
      });
    throw err;
  });
  const client = (() => {
    try {
      return runClient(deps, connection);
    } catch (err) {
      throw new PermanentJobError('The address of the target is not allowed', {
        code: 'site_address_refused',
        cause: err,
      });
    }
  })();
  return { stored, client, siteUrl: connection.siteUrl };
}

/** One attempt of a claimed restore; resolves once it is completed and recorded, with fields for the log. */
export async function runRestoreAttempt(
  deps: RestoreRunDeps,
  job: RestoreJob,
  worker: JobWorker,
  log: Log,
): Promise<Record<string, unknown>> {
  const { stored, client, siteUrl } = await openRun(deps, job);
  const lease = () => ({ workerId: worker.id, now: deps.clock.now(), lockMs: worker.lockMs });
  let progress: RestoreProgressRecord | undefined;
  const store = createPostgresCheckpointStore(deps.db, job.id, lease);
  // the grid links to the new schema as soon as it exists
  let published = job.destination.schemaId !== undefined;
  const checkpoints: RestoreCheckpointStore = {
    ...store,
    async saveState(state) {
      await store.saveState(state);
      if (published || state.target === undefined) return;
      published = true;
      await setRestoreDestination(deps.db, job.id, {
        ...job.destination,
        schemaId: state.target.schemaId,
        schemaName: state.target.schemaName,
        schemaKey: state.target.schemaKey,
        schemaUrl: schemaUrl(siteUrl, state.target.schemaId),
      });
    },
  };
  const match = job.options.crossSchemaMatch;
  const crossSchema = await crossSchemaReferences(deps.db, job.siteId, {
    sourceSiteUrl: job.source.siteUrl,
    targetSiteUrl: siteUrl,
    restoreId: job.id,
    ...(match ? { match: { ...match, client } } : {}),
  });
  const result = await underLease(
    worker,
    log,
    () => renewRestoreJob(deps.db, job.id, lease(), progress ? { progress } : {}),
    (signal) =>
      runRestore({
        snapshot: snapshotOf(stored),
        client,
        destination: engineDestination(job.destination),
        options: engineOptions(job.options),
        checkpoints,
        ...(crossSchema ? { crossSchema } : {}),
        ...objectAllowance(deps.config),
        signal,
        now: () => deps.clock.now(),
        onProgress: (p) => (progress = progressView(p)),
        onEvent: (e) => {
          if (e.type === 'phase' || e.type === 'circuit_open') log.info({ event: e }, 'restore event');
        },
      }),
  );
  if (result.status === 'aborted') throw new Error('The restore was stopped by a shutdown');
  if (result.status === 'failed') {
    const code = result.error?.code ?? 'restore_failed';
    log.warn({ error: result.error, counts: result.counts }, 'restore run failed');
    if (result.error?.retryable === true) throw new RetryableRestoreError(failureMessage(result), code);
    throw new PermanentJobError(failureMessage(result), { code });
  }
  const target = result.target;
  const warningsSample = [...result.structureWarnings, ...(await objectWarningsSample(deps.db, job.id, 20))].slice(
    0,
    50,
  );
  await deps.db.transaction().execute(async (trx) => {
    if (!(await lockHeldRestoreJob(trx, job.id, worker.id)))
      throw new JobLeaseLostError('Another runner took this restore over');
    await finishRestoreJob(trx, job.id, {
      workerId: worker.id,
      now: deps.clock.now(),
      outcome: 'completed',
      resultMessage: result.message,
      errorCode: null,
      counts: countsView(result.counts),
      progress: {
        phase: 'done',
        done: result.counts.total,
        total: result.counts.total,
        objectsPerMinute: null,
        etaSeconds: null,
      },
      ...(result.verification ? { verification: result.verification } : {}),
      warningsSample,
      ...(target
        ? {
            destination: {
              ...job.destination,
              schemaId: target.schemaId,
              schemaName: target.schemaName,
              schemaKey: target.schemaKey,
              schemaUrl: schemaUrl(siteUrl, target.schemaId),
            },
          }
        : {}),
    });
    await insertAuditEvent(trx, job.siteId, {
      actor: 'system',
      action: 'restore.completed',
      target: job.id,
      details: { ...countsView(result.counts), schemaId: target?.schemaId ?? null },
    });
  });
  return { ...countsView(result.counts), apiCalls: result.apiCalls, durationMs: result.durationMs };
}

/** Ends a restore for good with its cause (audited `restore.failed`); nothing when another runner holds it. */
export async function failRestoreJob(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  job: RestoreJob,
  workerId: string,
  failure: JobFailure,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    if (!(await lockHeldRestoreJob(trx, job.id, workerId))) return;
    await finishRestoreJob(trx, job.id, {
      workerId,
      now: deps.clock.now(),
      outcome: 'failed',
      resultMessage: failure.message,
      errorCode: failure.code,
    });
    await insertAuditEvent(trx, job.siteId, {
      actor: 'system',
      action: 'restore.failed',
      target: job.id,
      details: { error: failure.code },
    });
  });
}

// ---------------------------------------------------------------------------------------------
// the issue-fields step

/** One attempt of the issue-fields step of a completed restore. */
export async function runIssueFieldsAttempt(
  deps: RestoreRunDeps,
  job: IssueFieldsJob,
  worker: JobWorker,
  log: Log,
): Promise<Record<string, unknown>> {
  const restore = await findRestoreJob(deps.db, job.siteId, job.id);
  if (!restore) throw new PermanentJobError('The restore no longer exists', { code: 'restore_not_found' });
  const { stored, client } = await openRun(deps, restore);
  const lease = () => ({ workerId: worker.id, now: deps.clock.now(), lockMs: worker.lockMs });
  let progress: { issuesDone: number; issuesTotal: number } | undefined;
  const result = await underLease(
    worker,
    log,
    () => renewIssueFieldsJob(deps.db, job.id, lease(), progress),
    (signal) =>
      restoreIssueFields({
        snapshot: snapshotOf(stored),
        client,
        checkpoints: createPostgresCheckpointStore(deps.db, job.id),
        signal,
        now: () => deps.clock.now(),
        onProgress: (p) => (progress = p),
      }),
  );
  if (result.status === 'aborted') throw new Error('The issue-fields step was stopped by a shutdown');
  const totals = await issueFieldTotals(deps.db, job.id);
  await deps.db.transaction().execute(async (trx) => {
    const done = await finishIssueFieldsJob(trx, job.id, {
      workerId: worker.id,
      now: deps.clock.now(),
      outcome: 'completed',
      message: result.message,
      errorCode: null,
      ...totals,
    });
    if (!done) throw new JobLeaseLostError('Another runner took this issue-fields step over');
    await insertAuditEvent(trx, job.siteId, {
      actor: 'system',
      action: 'restore.issue_fields_completed',
      target: job.id,
      details: { ...totals, issues: result.issues },
    });
  });
  return { ...totals, issues: result.issues };
}

export async function failIssueFieldsJob(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  job: IssueFieldsJob,
  workerId: string,
  failure: JobFailure,
): Promise<void> {
  await finishIssueFieldsJob(deps.db, job.id, {
    workerId,
    now: deps.clock.now(),
    outcome: 'failed',
    message: failure.message,
    errorCode: failure.code,
  });
}
