/**
 * "Backup now" from the vault (the Forge app unreachable): the shared backup engine runs here with the
 * site's stored credentials, writes its chunks into a backup row and completes it through the same
 * verification and materialisation as an upload from the Forge app.
 */
import { ConflictError, NotFoundError, ValidationError } from '@assets-vault/shared/errors';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { DB } from '../../db/types.js';
import type { Log } from '../../logger.js';
import { insertAuditEvent } from '../audit/repository.js';
import { assetsAccessForSite, captureLiveSnapshot } from '../backups/live-snapshot.js';
import { ASSETS_API_PURPOSE, type SiteAssetsCredentials } from '../credentials/routes.js';
import { loadCredentials } from '../credentials/service.js';
import { completeBackup } from '../ingest/service.js';
import { deleteBackup } from '../ingest/repository.js';
import { findJob, insertJob, touchJob, type VaultBackupJob } from './repository.js';

export interface VaultBackupDeps {
  db: Kysely<DB>;
  log: Log;
  clock: Clock;
  config: Pick<Config, 'encryptionKeys' | 'allowInsecureSiteUrls' | 'allowedSiteHosts'>;
}

export async function requestVaultBackup(deps: VaultBackupDeps, siteId: string, input: {
  schemaId: string; actor: string; options?: Partial<VaultBackupJob['options']>;
}): Promise<VaultBackupJob> {
  if (!/^[0-9]{1,18}$/.test(input.schemaId)) throw new ValidationError('schemaId must be a numeric Assets id');
  const creds = await loadCredentials(deps.db, deps.config.encryptionKeys, siteId, ASSETS_API_PURPOSE) as SiteAssetsCredentials | undefined;
  if (!creds) throw new ConflictError('No Assets API credentials are stored for this site', { code: 'no_credentials' });
  if (!creds.vaultBackupsEnabled) throw new ConflictError('Vault-side backups are switched off for this site', { code: 'vault_backups_disabled' });
  const options = { history: input.options?.history ?? true, icons: input.options?.icons ?? false, issueRefs: input.options?.issueRefs ?? false };
  return deps.db.transaction().execute(async (trx) => {
    const job = await insertJob(trx, siteId, { schemaId: input.schemaId, options, requestedBy: input.actor, now: deps.clock.now() });
    await insertAuditEvent(trx, siteId, { actor: input.actor, action: 'backup.vault_requested', target: job.id, details: { schemaId: input.schemaId, options } });
    return job;
  });
}

export async function getVaultBackupJob(db: Kysely<DB>, siteId: string, jobId: string): Promise<VaultBackupJob> {
  const job = await findJob(db, siteId, jobId);
  if (!job) throw new NotFoundError('Job not found');
  return job;
}

/** Errors worth another attempt later (network, rate limits, 5xx); the rest fail the job at once. */
export class PermanentJobError extends Error {}

/** One attempt of a claimed job; resolves to the completed backup id, throws on failure (the attempt's rows removed). */
export async function runVaultBackupAttempt(deps: VaultBackupDeps, job: VaultBackupJob, worker: { id: string; lockMs: number; signal?: AbortSignal }): Promise<string> {
  const access = await assetsAccessForSite(deps.db, deps.config, job.siteId).catch((err: unknown) => {
    throw new PermanentJobError(err instanceof Error ? err.message : 'credentials unavailable');
  });
  if (!access.vaultBackupsEnabled) throw new PermanentJobError('Vault-side backups are switched off for this site');
  let backupId: string | undefined;
  let lastTouch = 0;
  try {
    const captured = await captureLiveSnapshot(deps.db, {
      access, schemaId: job.schemaId, kind: 'manual', options: job.options, openedBy: `vaultjob_${job.id}_${job.attempts}`, startedAt: deps.clock.now(),
      onBackupRow: async (id) => {
        backupId = id;
        await touchJob(deps.db, job.id, { workerId: worker.id, now: deps.clock.now(), lockMs: worker.lockMs, backupId: id, progress: { phase: 'structure', objects: 0 } });
      },
      onProgress: (p) => {
        const t = Date.now();
        if (t - lastTouch < 1000 && p.phase !== 'done') return;
        lastTouch = t;
        void touchJob(deps.db, job.id, { workerId: worker.id, now: deps.clock.now(), lockMs: worker.lockMs, progress: p })
          .catch((err: unknown) => deps.log.warn({ err, jobId: job.id }, 'vault backup progress not saved'));
      },
      ...(worker.signal ? { signal: worker.signal } : {}),
    });
    await completeBackup({ db: deps.db, log: deps.log, clock: deps.clock, config: deps.config }, {
      backupId: captured.backupId, manifest: captured.manifest, actor: job.requestedBy,
    });
    return captured.backupId;
  } catch (err) {
    // an attempt that did not complete leaves nothing behind (a later attempt starts afresh)
    if (backupId) await deleteBackup(deps.db, job.siteId, backupId).catch(() => undefined);
    throw err;
  }
}
