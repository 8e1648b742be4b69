/**
 * SQL of the `backup` and `backup_chunk` tables. Every method that acts for a site takes the site: a
 * backup id alone reveals nothing. Only the backup store calls these (index.ts is its public API).
 */
import { sql } from 'kysely';
import type { BackupKind, BackupStatus } from '../../db/tables/backup.js';
import type { Executor } from '../../db/types.js';
import { isBackupId } from './backup-id.js';

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
  /** in the trash since; a trashed backup is found here but is neither browsed, exported nor restored */
  trashedAt: Date | null;
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
  'trashed_at',
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
  trashed_at: Date | null;
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
    trashedAt: row.trashed_at,
  };
}

export interface OpenedBackup {
  id: string;
  /** false: an earlier open with the same `openedBy` exists (its site and body hash say whether it is a retry) */
  created: boolean;
  siteId: string;
  openedBodySha256: Buffer | null;
}

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
    /** unique per upload (the signed `webhook-id` that opened it, or a vault job attempt): a retried open returns the same backup */
    openedBy: string;
    /** SHA-256 of the signed body that opened it, so a retry can be told from a reused id */
    openedBodySha256?: Buffer;
  },
): Promise<OpenedBackup> {
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
      opened_by_webhook_id: input.openedBy,
      opened_body_sha256: input.openedBodySha256 ?? null,
    })
    .onConflict((oc) => oc.column('opened_by_webhook_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, created: true, siteId, openedBodySha256: input.openedBodySha256 ?? null };
  // the id is global (a signed webhook-id), so the earlier open may belong to another site
  const existing = await db
    .selectFrom('backup')
    .select(['id', 'site_id', 'opened_body_sha256'])
    .where('opened_by_webhook_id', '=', input.openedBy)
    .executeTakeFirstOrThrow();
  return {
    id: existing.id,
    created: false,
    siteId: existing.site_id,
    openedBodySha256: existing.opened_body_sha256,
  };
}

/**
 * `update` serialises writers of the backup (chunks, completion, deletion) until the transaction ends;
 * `share` keeps it from being deleted or changed meanwhile.
 */
export type RowLock = 'update' | 'share';

/** The site's backup, its row locked until the transaction ends when `lock` is given. */
export async function findBackup(
  db: Executor,
  siteId: string,
  backupId: string,
  lock?: RowLock,
): Promise<BackupSummary | undefined> {
  if (!isBackupId(backupId)) return undefined;
  const query = db.selectFrom('backup').select(backupColumns).where('site_id', '=', siteId).where('id', '=', backupId);
  const row = await withLock(query, lock).executeTakeFirst();
  return row && toSummary(row);
}

/** The backup a signed chunk or completion names: the signed call carries no tenant, the backup row does. */
export async function findBackupById(
  db: Executor,
  backupId: string,
  lock?: RowLock,
): Promise<BackupSummary | undefined> {
  if (!isBackupId(backupId)) return undefined;
  const query = db.selectFrom('backup').select(backupColumns).where('id', '=', backupId);
  const row = await withLock(query, lock).executeTakeFirst();
  return row && toSummary(row);
}

function withLock<Q extends { forUpdate(): Q; forShare(): Q }>(query: Q, lock: RowLock | undefined): Q {
  if (lock === 'update') return query.forUpdate();
  return lock === 'share' ? query.forShare() : query;
}

/** The verified manifest of the site's completed backup. */
export async function findManifest(db: Executor, siteId: string, backupId: string): Promise<unknown> {
  if (!isBackupId(backupId)) return undefined;
  const row = await db
    .selectFrom('backup')
    .select('manifest')
    .where('site_id', '=', siteId)
    .where('id', '=', backupId)
    .where('status', '=', 'completed')
    .where('trashed_at', 'is', null)
    .executeTakeFirst();
  return row?.manifest;
}

/** Name and key of the schema, known once a vault-side snapshot has read it. */
export async function setSchemaNames(
  db: Executor,
  siteId: string,
  backupId: string,
  names: { schemaName: string; schemaKey: string },
): Promise<void> {
  await db
    .updateTable('backup')
    .set({ schema_name: names.schemaName, schema_key: names.schemaKey })
    .where('site_id', '=', siteId)
    .where('id', '=', backupId)
    .execute();
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

/** One chunk's bytes, read when a snapshot reader asks for it (never the whole backup at once). */
export async function readChunk(db: Executor, backupId: string, seq: number): Promise<Buffer | undefined> {
  const row = await db
    .selectFrom('backup_chunk')
    .select('bytes')
    .where('backup_id', '=', backupId)
    .where('seq', '=', seq)
    .executeTakeFirst();
  return row?.bytes;
}

/** Drops chunks numbered `fromSeq` and up (past the end of a manifest or of a saved cursor). */
export async function deleteChunksFrom(db: Executor, backupId: string, fromSeq: number): Promise<void> {
  await db.deleteFrom('backup_chunk').where('backup_id', '=', backupId).where('seq', '>=', fromSeq).execute();
}

export async function markBackupCompleted(
  db: Executor,
  siteId: string,
  backupId: string,
  input: { manifest: unknown; objectCount: number; contentSha256: string; completedAt: Date },
): Promise<void> {
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

/** Deletes the backup row (its chunks cascade); the caller holds its lock and dropped its browse tables. */
export async function deleteBackupRow(db: Executor, siteId: string, backupId: string): Promise<boolean> {
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
 * vault backup job is writing (contract with modules/vault-backup: `vault_backup_job.backup_id` with
 * status 'queued' | 'running'): that job deletes it itself if it gives up.
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

export interface SchemaBackupStats {
  schemaId: string;
  schemaName: string;
  schemaKey: string;
  backupsCount: number;
  lastBackupId: string;
  lastBackupAt: Date;
  lastBackupKind: BackupKind;
  lastBackupObjects: number;
}

/** Per schema of the site: how many completed backups, and the newest one. */
export async function listSchemaBackupStats(db: Executor, siteId: string): Promise<SchemaBackupStats[]> {
  const rows = await db
    .selectFrom('backup')
    .select([
      'schema_id',
      sql<string>`(array_agg(schema_name order by completed_at desc))[1]`.as('schema_name'),
      sql<string>`(array_agg(schema_key order by completed_at desc))[1]`.as('schema_key'),
      sql<number>`count(*)::int`.as('backups_count'),
      sql<string>`(array_agg(id::text order by completed_at desc))[1]`.as('last_id'),
      sql<Date>`max(completed_at)`.as('last_at'),
      sql<BackupKind>`(array_agg(kind order by completed_at desc))[1]`.as('last_kind'),
      sql<number>`(array_agg(object_count order by completed_at desc))[1]`.as('last_objects'),
    ])
    .where('site_id', '=', siteId)
    .where('status', '=', 'completed')
    .where('trashed_at', 'is', null)
    .groupBy('schema_id')
    .execute();
  return rows.map((r) => ({
    schemaId: r.schema_id,
    schemaName: r.schema_name,
    schemaKey: r.schema_key,
    backupsCount: r.backups_count,
    lastBackupId: r.last_id,
    lastBackupAt: r.last_at,
    lastBackupKind: r.last_kind,
    lastBackupObjects: r.last_objects,
  }));
}

export interface CompletedBackup {
  id: string;
  schemaId: string;
  /** 1 = the schema's oldest completed backup, whatever a filter shows */
  n: number;
  kind: BackupKind;
  completedAt: Date;
  objectCount: number;
  options: { history?: boolean; icons?: boolean; issueRefs?: boolean };
  browseReady: boolean;
  searchIndexed: boolean;
  /** the manifest's `warnings` (e.g. objects deleted while the backup ran); empty when it has none */
  warnings: string[];
}

/**
 * The site's completed backups, newest first: of one schema when `schemaId` is given, else all of them;
 * `n` is computed over all of a schema's completed backups before filtering.
 */
export async function listCompletedBackups(
  db: Executor,
  siteId: string,
  filter: { schemaId?: string; kind?: BackupKind; from?: Date; to?: Date } = {},
): Promise<CompletedBackup[]> {
  let numbered = db
    .selectFrom('backup')
    .select([
      'id',
      'schema_id',
      'kind',
      'completed_at',
      'object_count',
      'options',
      'browse_built_at',
      'search_indexed_at',
      sql<unknown>`manifest->'warnings'`.as('warnings'),
      sql<number>`row_number() over (partition by schema_id order by completed_at, id)::int`.as('n'),
    ])
    .where('site_id', '=', siteId)
    .where('status', '=', 'completed')
    .where('trashed_at', 'is', null);
  if (filter.schemaId !== undefined) numbered = numbered.where('schema_id', '=', filter.schemaId);
  let query = db.selectFrom(numbered.as('b')).selectAll('b');
  if (filter.kind) query = query.where('b.kind', '=', filter.kind);
  if (filter.from) query = query.where('b.completed_at', '>=', filter.from);
  if (filter.to) query = query.where('b.completed_at', '<=', filter.to);
  const rows = await query.orderBy('b.completed_at', 'desc').orderBy('b.id', 'desc').execute();
  return rows.map((r) => ({
    id: r.id,
    schemaId: r.schema_id,
    n: r.n,
    kind: r.kind,
    completedAt: r.completed_at as Date,
    objectCount: r.object_count ?? 0,
    options: (r.options ?? {}) as CompletedBackup['options'],
    browseReady: r.browse_built_at !== null,
    searchIndexed: r.search_indexed_at !== null,
    warnings: Array.isArray(r.warnings) ? r.warnings.filter((w): w is string => typeof w === 'string') : [],
  }));
}

/** Completed backups whose browse tables were built (their ids and when). */
export async function listBuiltBackups(db: Executor): Promise<{ id: string; browseBuiltAt: Date }[]> {
  const rows = await db
    .selectFrom('backup')
    .select(['id', 'browse_built_at'])
    .where('status', '=', 'completed')
    .where('browse_built_at', 'is not', null)
    .execute();
  return rows.flatMap((r) => (r.browse_built_at ? [{ id: r.id, browseBuiltAt: r.browse_built_at }] : []));
}

/**
 * Queues a rebuild of the browse tables (and search index) by the search indexer, unless they were
 * rebuilt since `observedBuiltAt` was read (the loss was then already seen and repaired); true when queued.
 */
export async function markBrowseTablesLost(db: Executor, backupId: string, observedBuiltAt: Date): Promise<boolean> {
  const result = await db
    .updateTable('backup')
    .set({ browse_built_at: null, search_indexed_at: null })
    .where('id', '=', backupId)
    .where('status', '=', 'completed')
    .where(sql<Date>`date_trunc('milliseconds', browse_built_at)`, '=', observedBuiltAt)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Claims the oldest completed backup without a search index (skipping `skip` and rows another replica
 * holds) for the rest of the transaction.
 */
export async function claimBackupToIndex(
  db: Executor,
  skip: readonly string[],
): Promise<{ id: string; browseBuiltAt: Date | null; manifest: unknown } | undefined> {
  let query = db
    .selectFrom('backup')
    .select(['id', 'browse_built_at', 'manifest'])
    .where('status', '=', 'completed')
    .where('search_indexed_at', 'is', null)
    .where('trashed_at', 'is', null);
  if (skip.length) query = query.where('id', 'not in', skip);
  const row = await query.orderBy('completed_at').limit(1).forUpdate().skipLocked().executeTakeFirst();
  return row && { id: row.id, browseBuiltAt: row.browse_built_at, manifest: row.manifest };
}

export async function setBrowseBuiltAt(db: Executor, backupId: string, at: Date): Promise<void> {
  await db.updateTable('backup').set({ browse_built_at: at }).where('id', '=', backupId).execute();
}

export async function setSearchIndexedAt(db: Executor, backupId: string, at: Date): Promise<void> {
  await db.updateTable('backup').set({ search_indexed_at: at }).where('id', '=', backupId).execute();
}

/** Puts the site's completed backup in the trash until `purgeAfter`; the caller holds its row lock. */
export async function markBackupTrashed(
  db: Executor,
  siteId: string,
  backupId: string,
  input: { at: Date; by: string; purgeAfter: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('backup')
    .set({ trashed_at: input.at, trashed_by: input.by, purge_after: input.purgeAfter })
    .where('site_id', '=', siteId)
    .where('id', '=', backupId)
    .where('status', '=', 'completed')
    .where('trashed_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Takes the site's backup out of the trash. */
export async function unmarkBackupTrashed(db: Executor, siteId: string, backupId: string): Promise<boolean> {
  if (!isBackupId(backupId)) return false;
  const result = await db
    .updateTable('backup')
    .set({ trashed_at: null, trashed_by: null, purge_after: null })
    .where('site_id', '=', siteId)
    .where('id', '=', backupId)
    .where('trashed_at', 'is not', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export interface TrashedBackup {
  id: string;
  schemaId: string;
  schemaName: string;
  schemaKey: string;
  kind: BackupKind;
  completedAt: Date;
  objectCount: number;
  trashedAt: Date;
  trashedBy: string;
  purgeAfter: Date;
}

/** The site's trash, most recently deleted first. */
export async function listTrashedBackups(db: Executor, siteId: string): Promise<TrashedBackup[]> {
  const rows = await db
    .selectFrom('backup')
    .select([
      'id',
      'schema_id',
      'schema_name',
      'schema_key',
      'kind',
      'completed_at',
      'object_count',
      'trashed_at',
      'trashed_by',
      'purge_after',
    ])
    .where('site_id', '=', siteId)
    .where('trashed_at', 'is not', null)
    .orderBy('trashed_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.flatMap((r) =>
    r.trashed_at && r.purge_after && r.completed_at
      ? [
          {
            id: r.id,
            schemaId: r.schema_id,
            schemaName: r.schema_name,
            schemaKey: r.schema_key,
            kind: r.kind,
            completedAt: r.completed_at,
            objectCount: r.object_count ?? 0,
            trashedAt: r.trashed_at,
            trashedBy: r.trashed_by ?? 'unknown',
            purgeAfter: r.purge_after,
          },
        ]
      : [],
  );
}

/** Trashed backups of every site whose grace period ended by `now` (housekeeping), oldest first. */
export async function listDueForPurge(
  db: Executor,
  now: Date,
  limit: number,
): Promise<{ id: string; siteId: string; trashedAt: Date }[]> {
  const rows = await db
    .selectFrom('backup')
    .select(['id', 'site_id', 'trashed_at'])
    .where('trashed_at', 'is not', null)
    .where('purge_after', '<=', now)
    .orderBy('purge_after')
    .limit(limit)
    .execute();
  return rows.flatMap((r) => (r.trashed_at ? [{ id: r.id, siteId: r.site_id, trashedAt: r.trashed_at }] : []));
}
