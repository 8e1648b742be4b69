/** Completed backups as the web UI lists them. Uploads still in progress are never listed. */
import { sql } from 'kysely';
import type { Executor } from '../../db/types.js';
import type { BackupKind } from '../../db/tables/backup.js';

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

/** Newest first; `n` is computed over all of the schema's completed backups before filtering. */
export async function listCompletedBackups(
  db: Executor,
  siteId: string,
  schemaId: string,
  filter: { kind?: BackupKind; from?: Date; to?: Date },
): Promise<CompletedBackup[]> {
  const numbered = db
    .selectFrom('backup')
    .select([
      'id',
      'kind',
      'completed_at',
      'object_count',
      'options',
      'browse_built_at',
      'search_indexed_at',
      sql<unknown>`manifest->'warnings'`.as('warnings'),
      sql<number>`row_number() over (order by completed_at, id)::int`.as('n'),
    ])
    .where('site_id', '=', siteId)
    .where('schema_id', '=', schemaId)
    .where('status', '=', 'completed');
  let query = db.selectFrom(numbered.as('b')).selectAll('b');
  if (filter.kind) query = query.where('b.kind', '=', filter.kind);
  if (filter.from) query = query.where('b.completed_at', '>=', filter.from);
  if (filter.to) query = query.where('b.completed_at', '<=', filter.to);
  const rows = await query.orderBy('b.n', 'desc').execute();
  return rows.map((r) => ({
    id: r.id,
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

/**
 * Hook for the restore engine (issue "restore", not here yet): a backup that a restore is reading
 * must not be deleted. Contract for that module: a `restore_job` table with `backup_id uuid` and
 * `status text`, where 'queued' and 'running' mean "in use". Until the table exists nothing is in use.
 * Callers lock the backup row first (`FOR UPDATE`) so a restore cannot start between check and delete
 * when the restore module takes the same lock (`FOR SHARE`) while creating its job.
 */
export async function isBackupInUseByRestore(db: Executor, backupId: string): Promise<boolean> {
  const { rows } = await sql<{ t: string | null }>`select to_regclass('restore_job')::text as t`.execute(db);
  if (!rows[0]?.t) return false;
  const active = await sql<{
    one: number;
  }>`select 1 as one from restore_job where backup_id = ${backupId}::uuid and status in ('queued', 'running') limit 1`.execute(
    db,
  );
  return active.rows.length > 0;
}

export async function lockBackup(db: Executor, siteId: string, backupId: string): Promise<boolean> {
  const row = await db
    .selectFrom('backup')
    .select('id')
    .where('site_id', '=', siteId)
    .where('id', '=', backupId)
    .forUpdate()
    .executeTakeFirst();
  return row !== undefined;
}
