import { sql, type Kysely } from 'kysely';

/** Server-side sessions (OpenID Connect logins) and the short-lived login attempts behind them. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('session')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // Unique: every request looks its session up by this hash; the raw token is never stored.
    .addColumn('token_hash', 'bytea', (c) =>
      c
        .notNull()
        .unique()
        .check(sql`octet_length(token_hash) = 32`),
    )
    .addColumn('site_id', 'uuid', (c) => c.notNull().references('site.id').onDelete('cascade'))
    // Cascade: a deleted trusted user can never keep a live session.
    .addColumn('trusted_user_id', 'uuid', (c) => c.notNull().references('trusted_user.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull().check(sql`provider in ('google', 'microsoft')`))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('idle_expires_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('session_idle_within_absolute', sql`idle_expires_at <= expires_at`)
    .execute();
  // Removing a trusted user deletes their sessions in the same transaction.
  await db.schema.createIndex('session_trusted_user_idx').on('session').column('trusted_user_id').execute();
  // Pruning of ended sessions scans by absolute expiry.
  await db.schema.createIndex('session_expires_at_idx').on('session').column('expires_at').execute();

  await db.schema
    .createTable('oidc_login')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // The callback finds its attempt by the hash of `state`; unique so one state is used once.
    .addColumn('state_hash', 'bytea', (c) =>
      c
        .notNull()
        .unique()
        .check(sql`octet_length(state_hash) = 32`),
    )
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull().check(sql`provider in ('google', 'microsoft')`))
    .addColumn('site_url', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  // Abandoned attempts are pruned by age.
  await db.schema.createIndex('oidc_login_expires_at_idx').on('oidc_login').column('expires_at').execute();
}
