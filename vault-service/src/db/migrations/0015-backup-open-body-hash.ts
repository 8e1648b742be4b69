import type { Kysely } from 'kysely';

/**
 * The SHA-256 of the signed body that opened an upload. `opened_by_webhook_id` made a retried open
 * return the same backup, but any body under a reused id did too (another schema, another site): a
 * retry must now carry the same bytes, as on the events route (`409 webhook_id_reused`). Null for
 * backups opened before this migration and for vault-side ones (no signed body).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('backup').addColumn('opened_body_sha256', 'bytea').execute();
}
