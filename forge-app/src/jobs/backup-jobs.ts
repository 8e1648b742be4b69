/**
 * Starting backup jobs (from "Backup now" and from the scheduler) and reading their state. A job
 * is a KVS record plus queue events that carry only its id; the consumer keeps the record current.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from '@forge/events';
import { ConflictError } from '@assets-vault/shared/errors';
import type { BackupKind } from '@assets-vault/shared/contract';
import type { BackupRunView, Person } from '../contract';
import { commit, jobStore, schemaStore, type BackupJobRecord, type SchemaRecord } from '../store';

export const BACKUP_QUEUE = 'backup-jobs';
export const backupQueue = new Queue({ key: BACKUP_QUEUE });

/**
 * A queued or running job whose record has not moved for this long lost its invocation (a crash
 * or a lost event): the scheduler queues it again, and "Backup now" may replace it. Consumer
 * slices are far shorter (src/jobs/backup-consumer.ts).
 */
export const STALE_JOB_MS = 45 * 60_000;

export interface BackupJobEvent {
  jobId: string;
}

export function isActive(job: BackupJobRecord | undefined): job is BackupJobRecord {
  return job !== undefined && (job.status === 'queued' || job.status === 'running');
}

export function isStale(job: BackupJobRecord, now: Date): boolean {
  return isActive(job) && now.getTime() - Date.parse(job.updatedAt) > STALE_JOB_MS;
}

export function runView(job: BackupJobRecord): BackupRunView {
  return {
    jobId: job.jobId,
    kind: job.kind,
    status: job.status,
    requestedAt: job.requestedAt,
    ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
    ...(job.backupId ? { backupId: job.backupId } : {}),
    records: job.records,
    chunks: job.chunks,
    invocations: job.invocations,
    ...(job.error ? { error: job.error } : {}),
  };
}

/**
 * Creates a job for a synced schema and queues its first slice. Refuses while another backup of
 * the schema is active (unless that one is stale: it is then marked failed and replaced).
 */
export async function startBackupJob(
  schema: SchemaRecord,
  kind: BackupKind,
  now: Date,
  requestedBy?: Person,
  extra: Partial<SchemaRecord> = {},
): Promise<BackupJobRecord> {
  const writes = [];
  if (schema.activeJobId) {
    const active = await jobStore.get(schema.activeJobId);
    if (isActive(active)) {
      if (!isStale(active, now))
        throw new ConflictError(`A backup of ${schema.name} is already ${active.status}`, {
          code: 'backup_in_progress',
        });
      writes.push(
        jobStore.write({
          ...active,
          status: 'failed',
          finishedAt: now.toISOString(),
          updatedAt: now.toISOString(),
          error: 'Stopped responding; replaced by a new backup',
        }),
      );
    }
  }
  const job: BackupJobRecord = {
    jobId: `job_${randomUUID()}`,
    schemaId: schema.schemaId,
    kind,
    status: 'queued',
    requestedAt: now.toISOString(),
    ...(requestedBy ? { requestedBy } : {}),
    updatedAt: now.toISOString(),
    records: 0,
    chunks: 0,
    invocations: 0,
    failures: 0,
  };
  const updatedSchema: SchemaRecord = { ...schema, ...extra, activeJobId: job.jobId, lastBackup: runView(job) };
  writes.push(jobStore.write(job), schemaStore.write(updatedSchema));
  await commit(writes);
  await enqueueJob(job.jobId);
  return job;
}

export async function enqueueJob(jobId: string, delayInSeconds = 0): Promise<void> {
  const body: BackupJobEvent = { jobId };
  await backupQueue.push({
    body: { ...body },
    ...(delayInSeconds > 0 ? { delayInSeconds: Math.min(900, Math.ceil(delayInSeconds)) } : {}),
  });
}

/** Saves the job and mirrors its summary on the schema it backs up (the UI reads the schema). */
export async function saveJob(job: BackupJobRecord): Promise<void> {
  const schema = await schemaStore.get(job.schemaId);
  const writes = [jobStore.write(job)];
  if (schema && (schema.activeJobId === job.jobId || !schema.activeJobId)) {
    const finished = job.status === 'completed' || job.status === 'failed';
    const next: SchemaRecord = { ...schema, lastBackup: runView(job) };
    if (finished) delete next.activeJobId;
    writes.push(schemaStore.write(next));
  }
  await commit(writes);
}
