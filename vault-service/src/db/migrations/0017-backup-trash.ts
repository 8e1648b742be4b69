import { sql, type Kysely } from 'kysely';

/**
 * The trash (issue 14): a deleted backup is only marked, and purged (chunks and browse tables) once
 * `purge_after` has passed, so one account (a stolen session, a Forge admin, a retention policy of 0)
 * cannot destroy a site's backups at once. A trashed backup is invisible to browsing, export, diff and
 * restore, and can be restored from the trash until it is purged.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('backup')
    .addColumn('trashed_at', 'timestamptz')
    .addColumn('trashed_by', 'text')
    .addColumn('purge_after', 'timestamptz')
    .execute();
  // the housekeeping purge looks for due entries only; everything else filters `trashed_at is null`
  await sql`create index backup_purge_after_idx on backup (purge_after) where trashed_at is not null`.execute(db);
}
