import { sql } from 'kysely';
import { countAllRows, createTestDatabase, type TestDatabase } from './helpers/db.js';

describe('test database helper', () => {
  let a: TestDatabase;
  let b: TestDatabase;
  beforeAll(async () => {
    [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  });
  afterAll(async () => {
    await Promise.all([a?.drop(), b?.drop()]);
  });

  it('gives every suite its own migrated database', async () => {
    expect(a.name).not.toBe(b.name);
    await a.db
      .insertInto('site')
      .values({ cloud_id: 'c-1', site_url: 'https://a.atlassian.net', installation_state: 'connected' })
      .execute();
    expect((await countAllRows(a.url)).site).toBe(1);
    expect((await countAllRows(b.url)).site).toBe(0);
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(b.db);
    expect(applied.rows.map((r) => r.name)).toContain('0001-core');
  });

  it('drops the database at the end', async () => {
    const c = await createTestDatabase();
    await c.drop();
    const left = await sql<{ n: number }>`select count(*)::int as n from pg_database where datname = ${c.name}`.execute(
      a.db,
    );
    expect(left.rows[0]?.n).toBe(0);
  });
});
