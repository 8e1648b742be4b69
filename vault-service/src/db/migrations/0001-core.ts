import { sql, type Kysely } from 'kysely';

/** Tenancy (site, trusted_user), audit, webhook replay protection, e-mail outbox, synced schemas. */
export async function up(db: Kysely<unknown>): Promise<void> {
  // gen_random_uuid() is built in since PostgreSQL 13; no extension needed.
  await db.schema
    .createTable('site')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // cloudId is Atlassian's stable id of the site; the URL can change when a site is renamed.
    .addColumn('cloud_id', 'text', (c) => c.notNull().unique())
    // Unique: a login names the site by URL, so one URL must resolve to exactly one tenant.
    .addColumn('site_url', 'text', (c) => c.notNull().unique())
    .addColumn('workspace_id', 'text')
    .addColumn('installation_state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('connected')
        .check(sql`installation_state in ('connected', 'disconnected')`),
    )
    .addColumn('app_version', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('trusted_user')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('site_id', 'uuid', (c) => c.notNull().references('site.id').onDelete('cascade'))
    // Stored normalised (trimmed, lower-case) so the unique key below matches how people type it.
    .addColumn('email', 'text', (c) => c.notNull().check(sql`email = lower(btrim(email)) and email like '%_@_%'`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('invited', 'active', 'removed')`))
    .addColumn('invited_by_account_id', 'text', (c) => c.notNull())
    .addColumn('invited_by_name', 'text', (c) => c.notNull())
    .addColumn('invited_at', 'timestamptz', (c) => c.notNull())
    .addColumn('activated_at', 'timestamptz')
    .addColumn('removed_at', 'timestamptz')
    .addColumn('removed_by_name', 'text')
    .addColumn('last_login_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // One row per person and site: re-invites and removals update it, so the history lives in audit_event.
    .addUniqueConstraint('trusted_user_site_email_key', ['site_id', 'email'])
    .execute();

  await db.schema
    .createTable('audit_event')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // Nullable: failed logins and rejected calls may not resolve to a site. Kept when a site goes.
    .addColumn('site_id', 'uuid', (c) => c.references('site.id').onDelete('set null'))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull().check(sql`action ~ '^[a-z_]+(\\.[a-z_]+)+$'`))
    .addColumn('target', 'text')
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // The audit page lists one site's events newest first.
  await db.schema
    .createIndex('audit_event_site_created_idx')
    .on('audit_event')
    .columns(['site_id', 'created_at desc'])
    .execute();

  await db.schema
    .createTable('processed_webhook')
    // The primary key is what makes a replayed webhook-id detectable across replicas.
    .addColumn('webhook_id', 'text', (c) => c.primaryKey())
    .addColumn('body_sha256', 'bytea', (c) => c.notNull().check(sql`octet_length(body_sha256) = 32`))
    .addColumn('site_id', 'uuid', (c) => c.references('site.id').onDelete('cascade'))
    .addColumn('response', 'jsonb')
    .addColumn('processed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Pruning old ids scans by age.
  await db.schema
    .createIndex('processed_webhook_processed_at_idx')
    .on('processed_webhook')
    .column('processed_at')
    .execute();

  await db.schema
    .createTable('email_outbox')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('site_id', 'uuid', (c) => c.notNull().references('site.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending', 'sent', 'failed')`),
    )
    .addColumn('attempts', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`attempts >= 0`),
    )
    .addColumn('max_attempts', 'integer', (c) => c.notNull().check(sql`max_attempts >= 1`))
    .addColumn('run_after', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // The claim query reads only pending rows in run_after order; sent mail never slows it down.
  await db.schema
    .createIndex('email_outbox_pending_idx')
    .on('email_outbox')
    .column('run_after')
    .where(sql.ref('status'), '=', 'pending')
    .execute();

  await db.schema
    .createTable('synced_schema')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('site_id', 'uuid', (c) => c.notNull().references('site.id').onDelete('cascade'))
    .addColumn('schema_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('object_count', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`object_count >= 0`),
    )
    .addColumn('is_synced', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // An Assets schema id is unique within its site; the upsert from schema.synced relies on it.
    .addUniqueConstraint('synced_schema_site_schema_key', ['site_id', 'schema_id'])
    .execute();
}
