import { sql, type Kysely } from 'kysely';

/** Durable "Backup now" jobs run by the vault itself with the site's stored Assets credentials. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('vault_backup_job')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('site_id', 'uuid', (c) => c.notNull().references('site.id').onDelete('cascade'))
    .addColumn('schema_id', 'text', (c) => c.notNull())
    .addColumn('options', 'jsonb', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('queued')
        .check(sql`status in ('queued', 'running', 'completed', 'failed')`),
    )
    .addColumn('progress', 'jsonb')
    // the completed backup; the attempt's row while running
    .addColumn('backup_id', 'uuid', (c) => c.references('backup.id').onDelete('set null'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(3))
    .addColumn('run_after', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .execute();
  // the runner claims the oldest runnable job (queued, or running with an expired lock)
  await db.schema
    .createIndex('vault_backup_job_runnable_idx')
    .on('vault_backup_job')
    .columns(['run_after'])
    .where(sql.ref('status'), 'in', sql`('queued', 'running')`)
    .execute();
  await db.schema
    .createIndex('vault_backup_job_site_idx')
    .on('vault_backup_job')
    .columns(['site_id', 'created_at'])
    .execute();
}
