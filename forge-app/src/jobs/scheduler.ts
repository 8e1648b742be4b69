/**
 * The hourly scheduled trigger. It only enqueues (forge.md §3.6: triggers may run twice and are
 * not retried): due scheduled backups, stale jobs that lost their invocation, and a delivery retry
 * when outbox events wait without one. Duplicated runs are harmless: a slot is recorded on the
 * schema in the same transaction that creates its job, and a second start is refused while the
 * first job is active.
 */
import { ConflictError } from '@assets-vault/shared/errors';
import { describeError, log } from '../log';
import { scheduleRetryIfNeeded } from '../outbox';
import { installationStore, jobStore, schemaStore } from '../store';
import { enqueueJob, isStale, saveJob, startBackupJob } from './backup-jobs';
import { latestSlot } from './schedule';

export interface SchedulerResult {
  started: string[];
  resumed: string[];
}

export async function runScheduler(now = new Date()): Promise<SchedulerResult> {
  const result: SchedulerResult = { started: [], resumed: [] };
  if (!(await installationStore.get())) return result;
  for (const schema of await schemaStore.list()) {
    if (!schema.synced) continue;
    try {
      if (schema.activeJobId) {
        const job = await jobStore.get(schema.activeJobId);
        if (job && isStale(job, now)) {
          await saveJob({ ...job, updatedAt: now.toISOString() });
          await enqueueJob(job.jobId);
          result.resumed.push(job.jobId);
          log.warn('stale backup job queued again', { jobId: job.jobId, schemaId: schema.schemaId });
          continue;
        }
      }
      const slot = schema.schedule ? latestSlot(schema.schedule, now) : undefined;
      if (!slot) continue;
      if (schema.scheduleUpdatedAt && slot.getTime() < Date.parse(schema.scheduleUpdatedAt)) continue;
      if (schema.lastScheduledSlot && slot.getTime() <= Date.parse(schema.lastScheduledSlot)) continue;
      const job = await startBackupJob(schema, 'scheduled', now, undefined, { lastScheduledSlot: slot.toISOString() });
      result.started.push(job.jobId);
      log.info('scheduled backup queued', { jobId: job.jobId, schemaId: schema.schemaId, slot: slot.toISOString() });
    } catch (err) {
      if (err instanceof ConflictError) {
        // A backup of this schema is already running (e.g. a manual one): it covers this slot.
        const slot = schema.schedule ? latestSlot(schema.schedule, now) : undefined;
        if (slot) await schemaStore.put({ ...schema, lastScheduledSlot: slot.toISOString() });
        continue;
      }
      log.error('scheduling a backup failed', { schemaId: schema.schemaId, ...describeError(err) });
    }
  }
  await scheduleRetryIfNeeded(now);
  return result;
}
