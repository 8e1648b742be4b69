import { sql, type Kysely } from 'kysely';

/**
 * A failed attempt records a stable `error_code` and a fixed message in `last_error`; the error itself
 * (errno text, addresses) goes to the logs only (issue 14). Messages stored before this migration may
 * hold such text: they are replaced by a generic one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('vault_backup_job').addColumn('error_code', 'text').execute();
  await sql`update vault_backup_job
    set error_code = 'unknown', last_error = 'The backup failed; the vault logs of that time have the details'
    where last_error is not null`.execute(db);
}
