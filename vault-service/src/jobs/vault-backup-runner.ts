/**
 * Runs vault-side backup jobs one at a time per process: claim (FOR UPDATE SKIP LOCKED), run the
 * shared backup engine with the site's stored credentials, complete, or retry with exponential
 * backoff until max_attempts. A job whose runner died is picked up again when its lock expires.
 */
import { randomUUID } from 'node:crypto';
import type { Log } from '../logger.js';
import { insertAuditEvent } from '../modules/audit/repository.js';
import { claimJob, finishJob, requeueJob } from '../modules/vault-backup/repository.js';
import { PermanentJobError, runVaultBackupAttempt, type VaultBackupDeps } from '../modules/vault-backup/service.js';
import { createPoller, type Poller } from './poller.js';

export interface VaultBackupRunnerOptions {
  pollIntervalMs?: number;
  /** a running job's lock; renewed with every progress update */
  lockMs?: number;
  retryBaseMs?: number;
}

/** A short, single-line reason; the Assets client's messages carry no credentials. */
const reason = (err: unknown) => (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 500);

export function createVaultBackupRunner(deps: VaultBackupDeps & { log: Log }, options: VaultBackupRunnerOptions = {}): Poller & { runOnce(): Promise<boolean> } {
  const workerId = `vault-backup:${randomUUID()}`;
  const lockMs = options.lockMs ?? 10 * 60_000;
  const retryBaseMs = options.retryBaseMs ?? 60_000;
  const abort = new AbortController();

  async function runOnce(): Promise<boolean> {
    const job = await claimJob(deps.db, { workerId, now: deps.clock.now(), lockMs });
    if (!job) return false;
    const log = deps.log.child({ jobId: job.id, siteId: job.siteId });
    log.info({ schemaId: job.schemaId, attempt: job.attempts }, 'vault backup started');
    try {
      const backupId = await runVaultBackupAttempt(deps, job, { id: workerId, lockMs, signal: abort.signal });
      await finishJob(deps.db, job.id, { workerId, now: deps.clock.now(), status: 'completed', backupId, error: null });
      log.info({ backupId }, 'vault backup completed');
    } catch (err) {
      if (abort.signal.aborted) {
        // shutting down: let another replica (or the next start) take it after the lock expires
        await requeueJob(deps.db, job.id, { workerId, now: deps.clock.now(), runAfter: deps.clock.now(), error: 'interrupted by shutdown' });
        return false;
      }
      const permanent = err instanceof PermanentJobError || job.attempts >= job.maxAttempts;
      log.warn({ err: reason(err), attempt: job.attempts, permanent }, 'vault backup attempt failed');
      if (permanent) {
        await finishJob(deps.db, job.id, { workerId, now: deps.clock.now(), status: 'failed', backupId: null, error: reason(err) });
        await insertAuditEvent(deps.db, job.siteId, { actor: 'system', action: 'backup.vault_failed', target: job.id, details: { schemaId: job.schemaId, error: reason(err) } });
      } else {
        const runAfter = new Date(deps.clock.now().getTime() + retryBaseMs * 2 ** (job.attempts - 1));
        await requeueJob(deps.db, job.id, { workerId, now: deps.clock.now(), runAfter, error: reason(err) });
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
