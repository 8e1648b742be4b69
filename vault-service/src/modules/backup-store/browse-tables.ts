/**
 * Where a backup's browse rows live: one Postgres schema per backup, created, loaded (COPY, no
 * indexes) and indexed inside the completing transaction, and dropped with the backup. Per-backup
 * tables keep every query on one small table, let indexes be built after the load instead of updated
 * row by row, and make deleting a million-object backup a `DROP SCHEMA` that locks nothing else
 * (ADR 0007). The trigram search index is built after completion by the search indexer.
 * JSON values are stored as `text` (JSON written by the vault from a verified record): they are only
 * ever read back whole, and text loads ~45 % faster than jsonb (ADR 0007).
 *
 * The tables are UNLOGGED: they are a cache derived from the stored (logged) chunks, so a million-object
 * backup does not write a gigabyte of WAL to every replica and archive. Postgres empties unlogged tables
 * after a crash and a promoted standby has them empty; `browse_state` holds one row once the tables are
 * complete, so an emptied set is recognised (`browseTablesIntact`) and rebuilt from the chunks.
 */
import { sql, type Kysely } from 'kysely';
import type { DB, Executor } from '../../db/types.js';
import { isBackupId } from './backup-id.js';
import { listBuiltBackups, markBrowseTablesLost } from './repository.js';

export function browseSchemaName(backupId: string): string {
  // the name is interpolated into DDL: only a canonical UUID may reach it
  if (!isBackupId(backupId)) throw new TypeError('not a backup id');
  return `backup_${backupId.toLowerCase().replace(/-/g, '')}`;
}

/** Typed queries on the backup's browse tables. */
export function browseDb(db: Executor, backupId: string): Kysely<DB> {
  return db.withSchema(browseSchemaName(backupId)) as Kysely<DB>;
}

/** A table of the backup's schema for raw SQL. */
export const browseTable = (backupId: string, table: keyof DB & `browse_${string}`) =>
  sql.id(browseSchemaName(backupId), table);

/** The schema and its tables, without indexes (they are built after the load). Drops a leftover first. */
export async function createBrowseTables(db: Executor, backupId: string): Promise<void> {
  const schema = sql.id(browseSchemaName(backupId));
  await sql`drop schema if exists ${schema} cascade`.execute(db);
  await sql`create schema ${schema}`.execute(db);
  const t = (table: keyof DB & `browse_${string}`) => browseTable(backupId, table);
  await sql`create unlogged table ${t('browse_state')} (built_at timestamptz not null)`.execute(db);
  await sql`create unlogged table ${t('browse_object_type')} (
    id text primary key, name text not null, parent_id text, position integer not null, object_count integer not null, abstract boolean not null)`.execute(
    db,
  );
  await sql`create unlogged table ${t('browse_attribute')} (
    id text primary key, object_type_id text not null, name text not null, type integer not null, position integer not null)`.execute(
    db,
  );
  // ids compare bytewise (collate "C"): faster index builds and lookups whatever the database collation
  await sql`create unlogged table ${t('browse_object')} (
    seq bigint not null, id text collate "C" not null, object_key text not null, label text not null, object_type_id text collate "C" not null,
    created timestamptz not null, updated timestamptz not null, attributes text not null, search_text text not null)`.execute(
    db,
  );
  await sql`create unlogged table ${t('browse_history')} (object_id text collate "C" not null, entries text not null)`.execute(
    db,
  );
  await sql`create unlogged table ${t('browse_issue_ref')} (
    object_id text collate "C" not null, issue_id text not null, issue_key text not null, field_id text not null, field_name text not null)`.execute(
    db,
  );
}

/** The b-tree indexes browsing needs, built once the rows are in (much faster than maintaining them per row); marks the tables complete. */
export async function indexBrowseTables(db: Executor, backupId: string, builtAt: Date): Promise<void> {
  const t = (table: keyof DB & `browse_${string}`) => browseTable(backupId, table);
  await sql`alter table ${t('browse_object')} add primary key (seq)`.execute(db);
  await sql`create unique index on ${t('browse_object')} (id)`.execute(db);
  await sql`create index on ${t('browse_object')} (object_type_id, seq)`.execute(db);
  // a duplicated object id or history row means the snapshot is not what it claims: the unique index refuses it
  await sql`alter table ${t('browse_history')} add primary key (object_id)`.execute(db);
  await sql`create index on ${t('browse_issue_ref')} (object_id)`.execute(db);
  // (planner statistics come with the search index, after completion; index builds already record row counts)
  await sql`insert into ${t('browse_state')} (built_at) values (${builtAt})`.execute(db);
}

/** False when the tables are gone or were emptied by crash recovery (their `browse_state` row is missing). */
export async function browseTablesIntact(db: Executor, backupId: string): Promise<boolean> {
  const { rows } = await sql<{
    present: boolean;
  }>`select to_regclass(${`"${browseSchemaName(backupId)}".browse_state`}) is not null as present`.execute(db);
  if (!rows[0]?.present) return false;
  const state = await browseDb(db, backupId).selectFrom('browse_state').select('built_at').limit(1).executeTakeFirst();
  return state !== undefined;
}

/**
 * Finds completed backups whose browse tables crash recovery emptied (or that are gone) and queues
 * their rebuild; returns how many. Housekeeping runs it at start and hourly, browsing checks on access.
 */
export async function queueRebuildOfLostBrowseTables(db: Kysely<DB>): Promise<number> {
  let lost = 0;
  for (const { id, browseBuiltAt } of await listBuiltBackups(db)) {
    if (await browseTablesIntact(db, id)) continue;
    if (await markBrowseTablesLost(db, id, browseBuiltAt)) lost++;
  }
  return lost;
}

/**
 * Drops browse schemas whose backup row is gone, should one ever outlive its backup (a schema is only
 * visible once its completing transaction commits, so one being loaded is never touched); returns how many.
 */
export async function dropOrphanBrowseSchemas(db: Kysely<DB>): Promise<number> {
  const { rows } = await sql<{ name: string }>`select n.nspname as name from pg_namespace n
    where n.nspname ~ '^backup_[0-9a-f]{32}$'
      and not exists (select 1 from backup b where replace(b.id::text, '-', '') = substr(n.nspname, 8))`.execute(db);
  for (const { name } of rows) await sql`drop schema if exists ${sql.id(name)} cascade`.execute(db);
  return rows.length;
}

/** The pg_trgm index behind `q` (a plain CREATE INDEX: the tables are read-only, readers are not blocked), then planner statistics. */
export async function createSearchIndex(db: Executor, backupId: string): Promise<void> {
  await sql`create index if not exists browse_object_search_trgm on ${browseTable(backupId, 'browse_object')} using gin (search_text gin_trgm_ops)`.execute(
    db,
  );
  for (const table of [
    'browse_object_type',
    'browse_attribute',
    'browse_object',
    'browse_history',
    'browse_issue_ref',
  ] as const) {
    await sql`analyze ${browseTable(backupId, table)}`.execute(db);
  }
}

export async function dropBrowseTables(db: Executor, backupId: string): Promise<void> {
  await sql`drop schema if exists ${sql.id(browseSchemaName(backupId))} cascade`.execute(db);
}
