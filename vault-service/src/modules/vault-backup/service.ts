/**
 * "Backup now" from the vault (the Forge app unreachable): the shared backup engine runs here with the
 * site's stored credentials, writes its chunks into a backup row and completes it through the same
 * verification and materialisation as an upload from the Forge app. The engine's cursor is saved in
 * the job at checkpoints, so an attempt cut short (network, 429s, a dead process) is continued by the
 * next one instead of reading the whole schema again.
 */
import type { BackupCursor } from '@assets-vault/shared/backup';
import { ConflictError, NotFoundError, ValidationError } from '@assets-vault/shared/errors';
import { SnapshotIntegrityError } from '@assets-vault/shared/snapshot';
import type { Config } from '../../config.js';
import type { VaultDeps } from '../../deps.js';
import { insertAuditEvent } from '../audit/repository.js';
import * as backupStore from '../backup-store/index.js';
import { assetsAccessForSite, captureLiveSnapshot } from '../backups/live-snapshot.js';
import { loadSiteAssetsCredentials } from '../credentials/service.js';
import { completeBackup } from '../ingest/service.js';
import { findSyncedSchema } from '../synced-schemas/repository.js';
import { JobLeaseLostError, PermanentJobError, type JobFailure } from '../../jobs/job-core.js';
import { findJob, finishJob, insertJob, lockHeldJob, touchJob, type VaultBackupJob } from './repository.js';

export type VaultBackupDeps = Pick<VaultDeps, 'db' | 'log' | 'clock' | 'materialise' | 'outbound'> & {
  config: Pick<Config, 'encryptionKeys' | 'allowInsecureSiteUrls' | 'allowedSiteHosts'>;
};

export async function requestVaultBackup(
  deps: VaultBackupDeps,
  siteId: string,
  input: {
    schemaId: string;
    actor: string;
    options?: Partial<VaultBackupJob['options']>;
    /** back up a schema the site did not choose in the Forge app: an explicit choice, audited as such */
    unsyncedSchema?: boolean;
  },
): Promise<VaultBackupJob> {
  if (!/^[0-9]{1,18}$/.test(input.schemaId)) throw new ValidationError('schemaId must be a numeric Assets id');
  // the site's admins chose what is backed up (Forge app); anything else only on an explicit request
  const synced = (await findSyncedSchema(deps.db, siteId, input.schemaId))?.isSynced === true;
  if (!synced && input.unsyncedSchema !== true)
    throw new ConflictError(
      'This schema is not one the site chose to back up; send {"unsyncedSchema": true} to back it up anyway',
      { code: 'schema_not_synced' },
    );
  const creds = await loadSiteAssetsCredentials(deps, siteId);
  if (!creds) throw new ConflictError('No Assets API credentials are stored for this site', { code: 'no_credentials' });
  if (!creds.vaultBackupsEnabled)
    throw new ConflictError('Vault-side backups are switched off for this site', { code: 'vault_backups_disabled' });
  const options = {
    history: input.options?.history ?? true,
    icons: input.options?.icons ?? false,
    issueRefs: input.options?.issueRefs ?? false,
  };
  return deps.db.transaction().execute(async (trx) => {
    const job = await insertJob(trx, siteId, {
      schemaId: input.schemaId,
      options,
      requestedBy: input.actor,
      now: deps.clock.now(),
    });
    await insertAuditEvent(trx, siteId, {
      actor: input.actor,
      action: 'backup.vault_requested',
      target: job.id,
      details: { schemaId: input.schemaId, options, ...(synced ? {} : { unsyncedSchema: true }) },
    });
    return job;
  });
}

export async function getVaultBackupJob(
  deps: Pick<VaultDeps, 'db'>,
  siteId: string,
  jobId: string,
): Promise<VaultBackupJob> {
  const job = await findJob(deps.db, siteId, jobId);
  if (!job) throw new NotFoundError('Job not found');
  return job;
}

export interface VaultBackupWorker {
  id: string;
  lockMs: number;
  /** how often a running backup stops at a page boundary to save its cursor */
  checkpointIntervalMs: number;
  signal?: AbortSignal;
}

/**
 * One attempt of a claimed job; resolves to the completed backup id. A failed attempt leaves its
 * partial backup and the last saved cursor in the job, and the next attempt continues from there.
 */
export async function runVaultBackupAttempt(
  deps: VaultBackupDeps,
  job: VaultBackupJob,
  worker: VaultBackupWorker,
): Promise<string> {
  const partial = job.backupId ? await backupStore.findBackup(deps.db, job.siteId, job.backupId) : undefined;
  // an earlier attempt completed it and died before it could say so
  if (partial?.status === 'completed') return partial.id;
  const access = await assetsAccessForSite(deps, job.siteId).catch((err: unknown) => {
    throw new PermanentJobError('The site has no usable credentials or address', { cause: err });
  });
  if (!access.vaultBackupsEnabled)
    throw new PermanentJobError('Vault-side backups are switched off for this site', {
      code: 'vault_backups_disabled',
    });

  const renewLease = async (update: {
    progress?: unknown;
    checkpoint?: { backupId: string; cursor: BackupCursor | null };
  }) => {
    const held = await touchJob(deps.db, job.id, {
      workerId: worker.id,
      now: deps.clock.now(),
      lockMs: worker.lockMs,
      ...update,
    });
    if (!held) throw new JobLeaseLostError('Another runner took this vault backup job over');
  };
  const resume = partial && job.cursor ? { backup: partial, cursor: job.cursor } : undefined;
  // a partial backup without a saved cursor holds nothing a new attempt could continue
  if (partial && !resume) await backupStore.deleteBackup(deps.db, job.siteId, partial.id);
  let lastTouch = 0;
  const captured = await captureLiveSnapshot(deps, {
    access,
    schemaId: job.schemaId,
    kind: 'manual',
    options: job.options,
    openedBy: `vaultjob_${job.id}_${job.attempts}`,
    // a resumed snapshot keeps the start of the attempt that opened it
    startedAt: resume?.backup.startedAt ?? deps.clock.now(),
    ...(resume ? { resumeFrom: { backupId: resume.backup.id, cursor: resume.cursor } } : {}),
    onBackupRow: (id) =>
      renewLease({ checkpoint: { backupId: id, cursor: null }, progress: { phase: 'structure', objects: 0 } }),
    checkpoint: {
      intervalMs: worker.checkpointIntervalMs,
      save: (backupId, cursor) => renewLease({ checkpoint: { backupId, cursor } }),
    },
    onProgress: (p) => {
      const t = Date.now();
      if (t - lastTouch < 1000 && p.phase !== 'done') return;
      lastTouch = t;
      void touchJob(deps.db, job.id, {
        workerId: worker.id,
        now: deps.clock.now(),
        lockMs: worker.lockMs,
        progress: p,
      }).catch((err: unknown) => deps.log.warn({ err, jobId: job.id }, 'vault backup progress not saved'));
    },
    ...(worker.signal ? { signal: worker.signal } : {}),
  });
  deps.log.info({ jobId: job.id, backupId: captured.backupId, stats: captured.stats }, 'vault backup snapshot written');
  // completion (verification and materialisation) must not race a runner that took the job over
  await renewLease({});
  try {
    await completeBackup(deps, { backupId: captured.backupId, manifest: captured.manifest, actor: job.requestedBy });
  } catch (err) {
    // stored chunks that disagree with the manifest cannot be continued: the next attempt starts afresh
    if (err instanceof SnapshotIntegrityError) await backupStore.deleteBackup(deps.db, job.siteId, captured.backupId);
    throw err;
  }
  return captured.backupId;
}

/**
 * Ends a job that will not be tried again: its partial backup goes, the job records the reason, and
 * the failure is audited, in one transaction. False (nothing changed) when another runner holds the job.
 */
export async function failVaultBackupJob(
  deps: Pick<VaultBackupDeps, 'db' | 'clock'>,
  job: VaultBackupJob,
  workerId: string,
  error: JobFailure,
): Promise<boolean> {
  return deps.db.transaction().execute(async (trx) => {
    const held = await lockHeldJob(trx, job.id, workerId);
    if (!held) return false;
    const partial = held.backupId ? await backupStore.findBackup(trx, job.siteId, held.backupId) : undefined;
    if (partial?.status === 'uploading') await backupStore.deleteBackup(trx, job.siteId, partial.id);
    await finishJob(trx, job.id, { workerId, now: deps.clock.now(), status: 'failed', backupId: null, error });
    await insertAuditEvent(trx, job.siteId, {
      actor: 'system',
      action: 'backup.vault_failed',
      target: job.id,
      details: { schemaId: job.schemaId, error: error.code },
    });
    return true;
  });
}
