import { sql, type Kysely } from 'kysely';

/**
 * Browse tables: a completed backup materialised for browsing, search and export, keyed by backup_id
 * (cascade on backup deletion). Rows are written while completion re-reads the chunks and only become
 * visible through the API once the backup is `completed`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);

  await db.schema
    .createTable('browse_object_type')
    .addColumn('backup_id', 'uuid', (c) => c.notNull().references('backup.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'text')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('object_count', 'integer', (c) => c.notNull())
    .addColumn('abstract', 'boolean', (c) => c.notNull())
    .addPrimaryKeyConstraint('browse_object_type_pkey', ['backup_id', 'id'])
    .execute();

  await db.schema
    .createTable('browse_attribute')
    .addColumn('backup_id', 'uuid', (c) => c.notNull().references('backup.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('object_type_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'integer', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('browse_attribute_pkey', ['backup_id', 'id'])
    .execute();

  await db.schema
    .createTable('browse_object')
    .addColumn('backup_id', 'uuid', (c) => c.notNull().references('backup.id').onDelete('cascade'))
    // numeric ids sort numerically; `id` keeps the exact string
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('object_key', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('object_type_id', 'text', (c) => c.notNull())
    .addColumn('created', 'timestamptz', (c) => c.notNull())
    .addColumn('updated', 'timestamptz', (c) => c.notNull())
    /** `[{attributeId, values: [ValueRecord]}]` exactly as in the snapshot */
    .addColumn('attributes', 'jsonb', (c) => c.notNull())
    /** lower-cased label, key and every display value: what `q` searches */
    .addColumn('search_text', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('browse_object_pkey', ['backup_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('browse_object_id_idx')
    .on('browse_object')
    .columns(['backup_id', 'id'])
    .unique()
    .execute();
  await db.schema
    .createIndex('browse_object_type_seq_idx')
    .on('browse_object')
    .columns(['backup_id', 'object_type_id', 'seq'])
    .execute();
  await sql`create index browse_object_search_trgm_idx on browse_object using gin (search_text gin_trgm_ops)`.execute(
    db,
  );

  await db.schema
    .createTable('browse_history')
    .addColumn('backup_id', 'uuid', (c) => c.notNull().references('backup.id').onDelete('cascade'))
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('entries', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('browse_history_pkey', ['backup_id', 'object_id'])
    .execute();

  await db.schema
    .createTable('browse_issue_ref')
    .addColumn('backup_id', 'uuid', (c) => c.notNull().references('backup.id').onDelete('cascade'))
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('issue_id', 'text', (c) => c.notNull())
    .addColumn('issue_key', 'text', (c) => c.notNull())
    .addColumn('field_id', 'text', (c) => c.notNull())
    .addColumn('field_name', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('browse_issue_ref_object_idx')
    .on('browse_issue_ref')
    .columns(['backup_id', 'object_id'])
    .execute();
}
