import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('backup')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('site_id', 'uuid', (c) => c.notNull().references('site.id').onDelete('cascade'))
    .addColumn('schema_id', 'text', (c) => c.notNull())
    .addColumn('schema_name', 'text', (c) => c.notNull())
    .addColumn('schema_key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('manual', 'scheduled')`))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('uploading')
        .check(sql`status in ('uploading', 'completed')`),
    )
    .addColumn('options', 'jsonb', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('completed_at', 'timestamptz')
    .addColumn('manifest', 'jsonb')
    .addColumn('object_count', 'integer')
    .addColumn('content_sha256', 'text')
    // a retried "open" (same signed webhook-id) must find the backup it created, never a second one
    .addColumn('opened_by_webhook_id', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // a completed backup carries its verified manifest
    .addCheckConstraint(
      'backup_completed_has_manifest',
      sql`status <> 'completed' or (manifest is not null and completed_at is not null)`,
    )
    .execute();
  // the schema page lists a site's backups of one schema, newest first
  await db.schema
    .createIndex('backup_site_schema_started_idx')
    .on('backup')
    .columns(['site_id', 'schema_id', 'started_at'])
    .execute();
  // housekeeping finds abandoned uploads by age
  await db.schema
    .createIndex('backup_uploading_created_idx')
    .on('backup')
    .column('created_at')
    .where(sql.ref('status'), '=', 'uploading')
    .execute();

  await db.schema
    .createTable('backup_chunk')
    .addColumn('backup_id', 'uuid', (c) => c.notNull().references('backup.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull().check(sql`seq >= 0`))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // one chunk per sequence number: a retried upload is recognised by (backup, seq) and its hash
    .addPrimaryKeyConstraint('backup_chunk_pkey', ['backup_id', 'seq'])
    .execute();
}
