/** The site's schemas with their backups, deleting a backup (to the trash, audited) and the trash. */
import { ConflictError, NotFoundError, ValidationError } from '@assets-vault/shared/errors';
import type { Config } from '../../config.js';
import type { VaultDeps } from '../../deps.js';
import { insertAuditEvent } from '../audit/repository.js';
import * as backupStore from '../backup-store/index.js';
import { listSyncedSchemas } from '../synced-schemas/repository.js';
import type { BackupRow, SchemaSummary, TrashRow } from './schemas.js';

type BackupsDeps = Pick<VaultDeps, 'db'>;
type TrashDeps = Pick<VaultDeps, 'db' | 'clock' | 'backupInUse'> & { config: Pick<Config, 'backupTrashDays'> };

/** Schemas chosen in the Forge app plus any schema that still has backups (it may have been un-synced or deleted). */
export async function listSchemas(deps: BackupsDeps, siteId: string): Promise<SchemaSummary[]> {
  const [synced, stats] = await Promise.all([
    listSyncedSchemas(deps.db, siteId),
    backupStore.listSchemaBackupStats(deps.db, siteId),
  ]);
  const bySchema = new Map(stats.map((s) => [s.schemaId, s]));
  const summaries: SchemaSummary[] = synced.map((s) => {
    const st = bySchema.get(s.schemaId);
    bySchema.delete(s.schemaId);
    return {
      schemaId: s.schemaId,
      name: s.name,
      key: s.key,
      objectCount: s.objectCount,
      synced: s.isSynced,
      backupsCount: st?.backupsCount ?? 0,
      lastBackup: st
        ? {
            id: st.lastBackupId,
            completedAt: st.lastBackupAt.toISOString(),
            kind: st.lastBackupKind,
            objects: st.lastBackupObjects,
          }
        : null,
    };
  });
  for (const st of bySchema.values()) {
    summaries.push({
      schemaId: st.schemaId,
      name: st.schemaName,
      key: st.schemaKey,
      objectCount: st.lastBackupObjects,
      synced: false,
      backupsCount: st.backupsCount,
      lastBackup: {
        id: st.lastBackupId,
        completedAt: st.lastBackupAt.toISOString(),
        kind: st.lastBackupKind,
        objects: st.lastBackupObjects,
      },
    });
  }
  return summaries.sort((a, b) => a.name.localeCompare(b.name));
}

export async function listBackups(
  deps: BackupsDeps,
  siteId: string,
  schemaId: string,
  query: { kind?: backupStore.BackupKind; from?: string; to?: string },
): Promise<BackupRow[]> {
  const from = query.from ? new Date(query.from) : undefined;
  const to = query.to ? new Date(query.to) : undefined;
  if (from && to && from > to) throw new ValidationError('`from` must not be after `to`');
  const backups = await backupStore.listCompletedBackups(deps.db, siteId, {
    schemaId,
    ...(query.kind ? { kind: query.kind } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  });
  return backups.map((b) => ({
    id: b.id,
    n: b.n,
    backupDate: b.completedAt.toISOString(),
    objects: b.objectCount,
    type: b.kind,
    historyStatus: b.options.history ? 'included' : 'not included',
    objectsInIssuesStatus: b.options.issueRefs ? 'included' : 'not included',
    browse: b.browseReady ? 'ready' : 'preparing',
    search: b.searchIndexed ? 'indexed' : 'indexing',
    warnings: b.warnings,
  }));
}

/** When a backup deleted now is purged for good. */
export function purgeAfter(config: Pick<Config, 'backupTrashDays'>, now: Date): Date {
  return new Date(now.getTime() + config.backupTrashDays * 86_400_000);
}

/**
 * Moves a backup of the site to the trash (audited `backup.deleted`): it disappears from every list,
 * browse and restore, and is purged after BACKUP_TRASH_DAYS unless restored from the trash meanwhile.
 */
export async function deleteBackupOfSite(
  deps: TrashDeps,
  siteId: string,
  backupId: string,
  actor: string,
): Promise<{ purgeAfter: Date }> {
  const now = deps.clock.now();
  const until = purgeAfter(deps.config, now);
  await deps.db.transaction().execute(async (trx) => {
    const outcome = await backupStore.trashBackupUnlessRestoring(trx, siteId, backupId, {
      by: actor,
      at: now,
      purgeAfter: until,
      inUse: deps.backupInUse,
    });
    if (outcome === 'not_found') throw new NotFoundError('Backup not found');
    if (outcome === 'in_use')
      throw new ConflictError('A restore from this backup is running; delete it when the restore has finished', {
        code: 'backup_in_use',
      });
    await insertAuditEvent(trx, siteId, {
      actor,
      action: 'backup.deleted',
      target: backupId,
      details: { source: 'vault', trash: true, purgeAfter: until.toISOString() },
    });
  });
  return { purgeAfter: until };
}

/** The site's trash: deleted backups not yet purged, most recently deleted first. */
export async function listTrash(deps: Pick<VaultDeps, 'db'>, siteId: string): Promise<TrashRow[]> {
  return (await backupStore.listTrashedBackups(deps.db, siteId)).map((b) => ({
    id: b.id,
    schemaId: b.schemaId,
    schemaName: b.schemaName,
    schemaKey: b.schemaKey,
    type: b.kind,
    backupDate: b.completedAt.toISOString(),
    objects: b.objectCount,
    deletedAt: b.trashedAt.toISOString(),
    deletedBy: b.trashedBy,
    purgeAfter: b.purgeAfter.toISOString(),
  }));
}

/** Takes a backup of the site out of the trash (audited `backup.restored_from_trash`); 404 when not there. */
export async function restoreBackupFromTrash(
  deps: Pick<VaultDeps, 'db'>,
  siteId: string,
  backupId: string,
  actor: string,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    if (!(await backupStore.restoreFromTrash(trx, siteId, backupId)))
      throw new NotFoundError('No such backup in the trash');
    await insertAuditEvent(trx, siteId, { actor, action: 'backup.restored_from_trash', target: backupId });
  });
}
