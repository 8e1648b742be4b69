import { sql, type Kysely } from 'kysely';

/**
 * Restores (issue 13), owned by modules/restores: the durable job, its checkpoints (one row per backup
 * object: the intent written before a create, the outcome with the new id and key, the later reference
 * update) and the issue-fields step with its per-issue results. `backup_id` has no foreign key: a
 * restore's record outlives the backup it read (which cannot be trashed while the restore reads it).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const statusCheck = sql`status in ('pending', 'in_progress', 'completed', 'error')`;
  await db.schema
    .createTable('restore_job')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('site_id', 'uuid', (c) => c.notNull().references('site.id').onDelete('cascade'))
    .addColumn('backup_id', 'uuid', (c) => c.notNull())
    .addColumn('backup_created_at', 'timestamptz', (c) => c.notNull())
    // the backup's schema and site, as the grid shows them even after the backup is gone
    .addColumn('source_schema_id', 'text', (c) => c.notNull())
    .addColumn('source', 'jsonb', (c) => c.notNull())
    // where to and how to connect (`target`: site credentials, a target instance or this restore's own)
    .addColumn('destination', 'jsonb', (c) => c.notNull())
    .addColumn('target', 'jsonb', (c) => c.notNull())
    .addColumn('options', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(statusCheck))
    // the engine's state: `json`, not `jsonb`, so it reads back with its keys in the order it was written
    .addColumn('state', 'json')
    .addColumn('progress', 'jsonb')
    .addColumn('counts', 'jsonb')
    .addColumn('verification', 'jsonb')
    .addColumn('warnings_sample', 'jsonb')
    .addColumn('result_message', 'text')
    .addColumn('error_code', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(10))
    .addColumn('run_after', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'timestamptz')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('restore_job_runnable_idx')
    .on('restore_job')
    .columns(['run_after'])
    .where(sql.ref('status'), 'in', sql`('pending', 'in_progress')`)
    .execute();
  await db.schema.createIndex('restore_job_site_idx').on('restore_job').columns(['site_id', 'created_at']).execute();
  await db.schema
    .createIndex('restore_job_source_schema_idx')
    .on('restore_job')
    .columns(['site_id', 'source_schema_id', 'created_at'])
    .execute();
  // "is this backup read by a restore": deletes and retention ask it
  await db.schema
    .createIndex('restore_job_active_backup_idx')
    .on('restore_job')
    .column('backup_id')
    .where(sql.ref('status'), 'in', sql`('pending', 'in_progress')`)
    .execute();

  await db.schema
    .createTable('restore_object')
    .addColumn('restore_id', 'uuid', (c) => c.notNull().references('restore_job.id').onDelete('cascade'))
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('intent', 'jsonb')
    .addColumn('outcome', 'jsonb')
    .addColumn('reference_update', 'jsonb')
    // the order outcomes were first recorded (the log's row order)
    .addColumn('outcome_seq', 'bigint')
    .addPrimaryKeyConstraint('restore_object_pk', ['restore_id', 'source_id'])
    .execute();
  await sql`create sequence restore_outcome_seq`.execute(db);
  await db.schema
    .createIndex('restore_object_log_idx')
    .on('restore_object')
    .columns(['restore_id', 'outcome_seq'])
    .where(sql.ref('outcome_seq'), 'is not', null)
    .execute();

  await db.schema
    .createTable('restore_issue_fields_job')
    .addColumn('id', 'uuid', (c) => c.primaryKey().references('restore_job.id').onDelete('cascade'))
    .addColumn('site_id', 'uuid', (c) => c.notNull().references('site.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(statusCheck))
    .addColumn('updated_fields', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed_fields', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('result_message', 'text')
    .addColumn('error_code', 'text')
    .addColumn('progress', 'jsonb')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(5))
    .addColumn('run_after', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'timestamptz')
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('ended_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('restore_issue_fields_job_runnable_idx')
    .on('restore_issue_fields_job')
    .columns(['run_after'])
    .where(sql.ref('status'), 'in', sql`('pending', 'in_progress')`)
    .execute();

  await db.schema
    .createTable('restore_issue_field')
    .addColumn('restore_id', 'uuid', (c) => c.notNull().references('restore_job.id').onDelete('cascade'))
    .addColumn('issue_id', 'text', (c) => c.notNull())
    .addColumn('result', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('restore_issue_field_pk', ['restore_id', 'issue_id'])
    .execute();
}
