/** Durable vault-side backup jobs, on the shared lease queue (db/job-queue.ts): one runner per job, any number of replicas. */
import type { BackupCursor } from '@assets-vault/shared/backup';
import { jobQueue, type Lease } from '../../db/job-queue.js';
import type { Executor } from '../../db/types.js';
import type { VaultBackupJobStatus } from '../../db/tables/vault-backup-job.js';
import { isBackupId } from '../backup-store/index.js';

export interface VaultBackupJob {
  id: string;
  siteId: string;
  schemaId: string;
  options: { history: boolean; icons: boolean; issueRefs: boolean };
  requestedBy: string;
  status: VaultBackupJobStatus;
  progress: unknown;
  /** the partial backup while running (kept between attempts), the completed one at the end */
  backupId: string | null;
  /** where the engine stopped writing into `backupId`; null until the first checkpoint */
  cursor: BackupCursor | null;
  attempts: number;
  maxAttempts: number;
  /** what the last failure tells users: a stable code and a fixed message */
  lastError: { code: string; message: string } | null;
  createdAt: Date;
  finishedAt: Date | null;
}

type Row = {
  id: string;
  site_id: string;
  schema_id: string;
  options: unknown;
  requested_by: string;
  status: VaultBackupJobStatus;
  progress: unknown;
  backup_id: string | null;
  cursor: unknown;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  error_code: string | null;
  created_at: Date;
  finished_at: Date | null;
};
const columns = [
  'id',
  'site_id',
  'schema_id',
  'options',
  'requested_by',
  'status',
  'progress',
  'backup_id',
  'cursor',
  'attempts',
  'max_attempts',
  'last_error',
  'error_code',
  'created_at',
  'finished_at',
] as const;

const toJob = (r: Row): VaultBackupJob => ({
  id: r.id,
  siteId: r.site_id,
  schemaId: r.schema_id,
  options: r.options as VaultBackupJob['options'],
  requestedBy: r.requested_by,
  status: r.status,
  progress: r.progress,
  backupId: r.backup_id,
  cursor: r.cursor as BackupCursor | null,
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  lastError: r.last_error === null ? null : { code: r.error_code ?? 'unknown', message: r.last_error },
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});

export async function insertJob(
  db: Executor,
  siteId: string,
  input: { schemaId: string; options: VaultBackupJob['options']; requestedBy: string; now: Date },
): Promise<VaultBackupJob> {
  const row = await db
    .insertInto('vault_backup_job')
    .values({
      site_id: siteId,
      schema_id: input.schemaId,
      options: JSON.stringify(input.options),
      requested_by: input.requestedBy,
      run_after: input.now,
      created_at: input.now,
      updated_at: input.now,
    })
    .returning(columns)
    .executeTakeFirstOrThrow();
  return toJob(row);
}

export async function findJob(db: Executor, siteId: string, jobId: string): Promise<VaultBackupJob | undefined> {
  if (!isBackupId(jobId)) return undefined;
  const row = await db
    .selectFrom('vault_backup_job')
    .select(columns)
    .where('site_id', '=', siteId)
    .where('id', '=', jobId)
    .executeTakeFirst();
  return row && toJob(row);
}

const queue = jobQueue('vault_backup_job', {
  queued: 'queued',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
});

/** The oldest runnable job for its next attempt (db/job-queue.ts). */
export async function claimJob(db: Executor, lease: Lease): Promise<VaultBackupJob | undefined> {
  const row = await queue.claim(db, lease);
  return row && toJob(row);
}

/** A job whose runner died during its last attempt, to be failed for good. */
export async function claimExhaustedJob(db: Executor, lease: Lease): Promise<VaultBackupJob | undefined> {
  const row = await queue.claimExhausted(db, lease);
  return row && toJob(row);
}

/**
 * A longer lock, with progress and/or a checkpoint, only while this worker still holds the job;
 * false when it no longer does (its lock expired and another runner took the job).
 * A checkpoint sets the backup and its cursor together, so a cursor never describes another backup.
 */
export async function touchJob(
  db: Executor,
  jobId: string,
  input: Lease & { progress?: unknown; checkpoint?: { backupId: string; cursor: BackupCursor | null } },
): Promise<boolean> {
  return queue.renew(db, jobId, input, {
    ...(input.progress !== undefined ? { progress: JSON.stringify(input.progress) } : {}),
    ...(input.checkpoint
      ? {
          backup_id: input.checkpoint.backupId,
          cursor: input.checkpoint.cursor && JSON.stringify(input.checkpoint.cursor),
        }
      : {}),
  });
}

/** Locks the job row if this worker still holds it; its partial backup, if any. */
export async function lockHeldJob(
  db: Executor,
  jobId: string,
  workerId: string,
): Promise<{ backupId: string | null } | undefined> {
  const row = await queue.lockHeld(db, jobId, workerId);
  return row && { backupId: row.backup_id };
}

export async function finishJob(
  db: Executor,
  jobId: string,
  input: {
    workerId: string;
    now: Date;
    status: 'completed' | 'failed';
    backupId: string | null;
    error: { code: string; message: string } | null;
  },
): Promise<void> {
  await queue.finish(db, jobId, {
    workerId: input.workerId,
    now: input.now,
    outcome: input.status,
    set: {
      backup_id: input.backupId,
      cursor: null,
      last_error: input.error?.message ?? null,
      error_code: input.error?.code ?? null,
      finished_at: input.now,
    },
  });
}

/** Back to the queue; the partial backup and its cursor stay for the next attempt to continue. */
export async function requeueJob(
  db: Executor,
  jobId: string,
  input: { workerId: string; now: Date; runAfter: Date; error: { code: string; message: string } },
): Promise<void> {
  await queue.requeue(db, jobId, {
    workerId: input.workerId,
    now: input.now,
    runAfter: input.runAfter,
    set: { last_error: input.error.message, error_code: input.error.code },
  });
}
