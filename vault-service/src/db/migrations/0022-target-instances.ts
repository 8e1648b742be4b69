import { sql, type Kysely } from 'kysely';

/**
 * Target instances (issue 13): other Jira sites a site's backups can be restored to. The API token is
 * not here: it is stored encrypted in `site_credential` under the purpose `target-instance:<id>`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('target_instance')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('site_id', 'uuid', (c) => c.notNull().references('site.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`name = btrim(name) and name <> ''`))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('assets_api_base_url', 'text')
    // found by the check on save; spares every later client the discovery call
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_checked_at', 'timestamptz')
    .execute();
  // names are what people pick from a list: one per site, whatever the case
  await sql`create unique index target_instance_site_name_key on target_instance (site_id, lower(name))`.execute(db);
}
