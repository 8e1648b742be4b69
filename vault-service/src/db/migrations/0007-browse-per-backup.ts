import { sql, type Kysely } from 'kysely';

/**
 * Browse rows move from five shared tables keyed by backup_id to one schema per backup (ADR 0007),
 * created by the completion that loads them. The shared tables are dropped: their rows are derived
 * from the stored chunks, and the search indexer rebuilds every completed backup whose
 * `browse_built_at` is null, this migration's backups included.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('backup')
    .addColumn('browse_built_at', 'timestamptz')
    .addColumn('search_indexed_at', 'timestamptz')
    .execute();
  for (const table of [
    'browse_issue_ref',
    'browse_history',
    'browse_object',
    'browse_attribute',
    'browse_object_type',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  // browse tables of a backup that is being built or waits for its search index
  await sql`create index backup_browse_pending_idx on backup (completed_at) where status = 'completed' and search_indexed_at is null`.execute(
    db,
  );
}
