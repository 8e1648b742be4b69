import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // one retention policy per site; a null column means "no limit"
  await db.schema
    .createTable('retention_policy')
    .addColumn('site_id', 'uuid', (c) => c.primaryKey().references('site.id').onDelete('cascade'))
    .addColumn('keep_manual', 'integer', (c) => c.check(sql`keep_manual >= 0`))
    .addColumn('keep_scheduled', 'integer', (c) => c.check(sql`keep_scheduled >= 0`))
    .addColumn('max_age_days', 'integer', (c) => c.check(sql`max_age_days >= 1`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await upCredentials(db);
}

/** Encrypted site credentials (AES-256-GCM); one row per site and purpose. */
export async function upCredentials(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('site_credential')
    .addColumn('site_id', 'uuid', (c) => c.notNull().references('site.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('iv', 'bytea', (c) => c.notNull())
    .addColumn('ciphertext', 'bytea', (c) => c.notNull())
    .addColumn('auth_tag', 'bytea', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('site_credential_pkey', ['site_id', 'purpose'])
    .execute();
}
