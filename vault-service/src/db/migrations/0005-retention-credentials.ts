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
}
