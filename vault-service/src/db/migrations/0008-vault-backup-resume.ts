import type { Kysely } from 'kysely';

/**
 * Resumable vault-side backups: the engine's cursor (shared BackupCursor, JSON) for the chunks already
 * stored in `backup_id`, saved at checkpoints, so a retried attempt continues instead of re-reading
 * the schema. The two are always written together; a cursor without a backup row is ignored.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('vault_backup_job').addColumn('cursor', 'jsonb').execute();
}
