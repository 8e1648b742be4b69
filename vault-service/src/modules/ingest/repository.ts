/** Backups and their uploaded chunks. Every method takes the site: a backup id alone reveals nothing. */
import type { Executor } from '../../db/types.js';
import { dropBrowseTables } from '../browse/storage.js';
import { isBackupId } from './backup-id.js';
import type { BackupKind, BackupStatus } from '../../db/tables/backup.js';

export interface BackupSummary {
  id: string;
  siteId: string;
  schemaId: string;
  schemaName: string;
  schemaKey: string;
  kind: BackupKind;
  status: BackupStatus;
  startedAt: Date;
  completedAt: Date | null;
  objectCount: number | null;
  contentSha256: string | null;
  browseBuiltAt: Date | null;
  searchIndexedAt: Date | null;
}

const backupColumns = [
  'id',
  'site_id',
  'schema_id',
  'schema_name',
  'schema_key',
  'kind',
  'status',
  'started_at',
  'completed_at',
  'object_count',
  'content_sha256',
  'browse_built_at',
  'search_indexed_at',
] as const;

type BackupRow = {
  id: string;
  site_id: string;
  schema_id: string;
  schema_name: string;
  schema_key: string;
  kind: BackupKind;
  status: BackupStatus;
  started_at: Date;
  completed_at: Date | null;
  object_count: number | null;
  content_sha256: string | null;
  browse_built_at: Date | null;
  search_indexed_at: Date | null;
};

function toSummary(row: BackupRow): BackupSummary {
  return {
    id: row.id,
    siteId: row.site_id,
    schemaId: row.schema_id,
    schemaName: row.schema_name,
    schemaKey: row.schema_key,
    kind: row.kind,
    status: row.status,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    objectCount: row.object_count,
    contentSha256: row.content_sha256,
    browseBuiltAt: row.browse_built_at,
    searchIndexedAt: row.search_indexed_at,
  };
}

export { isBackupId };

export async function insertBackup(
  db: Executor,
  siteId: string,
  input: {
    schemaId: string;
    schemaName: string;
    schemaKey: string;
    kind: BackupKind;
    options: unknown;
    startedAt: Date;
    webhookId: string;
  },
): Promise<{ id: string; created: boolean }> {
  const inserted = await db
    .insertInto('backup')
    .values({
      site_id: siteId,
      schema_id: input.schemaId,
      schema_name: input.schemaName,
      schema_key: input.schemaKey,
      kind: input.kind,
      options: JSON.stringify(input.options),
      started_at: input.startedAt,
      opened_by_webhook_id: input.webhookId,
    })
    .onConflict((oc) => oc.column('opened_by_webhook_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, created: true };
  const existing = await db
    .selectFrom('backup')
    .select('id')
    .where('site_id', '=', siteId)
    .where('opened_by_webhook_id', '=', input.webhookId)
    .executeTakeFirstOrThrow();
  return { id: existing.id, created: false };
}

export async function findBackup(db: Executor, siteId: string, backupId: string): Promise<BackupSummary | undefined> {
  if (!isBackupId(backupId)) return undefined;
  const row = await db
    .selectFrom('backup')
    .select(backupColumns)
    .where('site_id', '=', siteId)
    .where('id', '=', backupId)
    .executeTakeFirst();
  return row && toSummary(row);
}

/** The backup a signed chunk or completion names; the signed call carries no tenant, the backup row does. */
export async function findBackupForUpload(db: Executor, backupId: string): Promise<BackupSummary | undefined> {
  if (!isBackupId(backupId)) return undefined;
  const row = await db
    .selectFrom('backup')
    .select(backupColumns)
    .where('id', '=', backupId)
    .forUpdate()
    .executeTakeFirst();
  return row && toSummary(row);
}

/** Stores a chunk unless one with that seq exists; returns the stored hash either way. */
export async function insertChunkIfAbsent(
  db: Executor,
  backupId: string,
  chunk: { seq: number; sha256: string; bytes: Buffer },
): Promise<{ sha256: string; created: boolean }> {
  const inserted = await db
    .insertInto('backup_chunk')
    .values({
      backup_id: backupId,
      seq: chunk.seq,
      sha256: chunk.sha256,
      size_bytes: chunk.bytes.length,
      bytes: chunk.bytes,
    })
    .onConflict((oc) => oc.columns(['backup_id', 'seq']).doNothing())
    .returning('sha256')
    .executeTakeFirst();
  if (inserted) return { sha256: inserted.sha256, created: true };
  const existing = await db
    .selectFrom('backup_chunk')
    .select('sha256')
    .where('backup_id', '=', backupId)
    .where('seq', '=', chunk.seq)
    .executeTakeFirstOrThrow();
  return { sha256: existing.sha256, created: false };
}

/** One chunk's bytes, read when the snapshot reader asks for it (never the whole backup at once). */
export async function readChunk(db: Executor, backupId: string, seq: number): Promise<Buffer | undefined> {
  const row = await db
    .selectFrom('backup_chunk')
    .select('bytes')
    .where('backup_id', '=', backupId)
    .where('seq', '=', seq)
    .executeTakeFirst();
  return row?.bytes;
}

/** Drops chunks numbered `fromSeq` and up (past the end of the verified manifest). */
export async function deleteChunksFrom(db: Executor, backupId: string, fromSeq: number): Promise<void> {
  await db.deleteFrom('backup_chunk').where('backup_id', '=', backupId).where('seq', '>=', fromSeq).execute();
}

export async function markBackupCompleted(
  db: Executor,
  siteId: string,
  backupId: string,
  input: {
    manifest: unknown;
    objectCount: number;
    contentSha256: string;
    completedAt: Date;
  },
): Promise<void> {
  // the caller has loaded the browse tables in the same transaction
  await db
    .updateTable('backup')
    .set({
      status: 'completed',
      manifest: JSON.stringify(input.manifest),
      object_count: input.objectCount,
      content_sha256: input.contentSha256,
      completed_at: input.completedAt,
      browse_built_at: input.completedAt,
    })
    .where('site_id', '=', siteId)
    .where('id', '=', backupId)
    .where('status', '=', 'uploading')
    .execute();
}

/**
 * Deletes a backup with its chunks and browse tables (in a transaction of its own unless given one; on
 * rollback the browse tables return). The row is locked before the schema is dropped: a completion or a
 * rebuild holds that lock until it commits the backup's browse schema, which would otherwise outlive it.
 */
export async function deleteBackup(db: Executor, siteId: string, backupId: string): Promise<boolean> {
  if (!isBackupId(backupId)) return false;
  if (!db.isTransaction) return db.transaction().execute((trx) => deleteBackup(trx, siteId, backupId));
  const owned = await db
    .selectFrom('backup')
    .select('id')
    .where('site_id', '=', siteId)
    .where('id', '=', backupId)
    .forUpdate()
    .executeTakeFirst();
  if (!owned) return false;
  await dropBrowseTables(db, backupId);
  const result = await db
    .deleteFrom('backup')
    .where('site_id', '=', siteId)
    .where('id', '=', backupId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * Deletes uploads that never completed and saw nothing since `before` (neither the open nor a chunk),
 * chunks with them. A long backup still sending chunks stays, and so does one that a queued or running
 * vault backup job is writing: that job deletes it itself if it gives up.
 */
export async function deleteAbandonedUploads(db: Executor, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('backup')
    .where('status', '=', 'uploading')
    .where('created_at', '<', before)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('backup_chunk')
            .select('seq')
            .whereRef('backup_chunk.backup_id', '=', 'backup.id')
            .where('backup_chunk.created_at', '>=', before),
        ),
      ),
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('vault_backup_job')
            .select('id')
            .whereRef('vault_backup_job.backup_id', '=', 'backup.id')
            .where('vault_backup_job.status', 'in', ['queued', 'running']),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
