/**
 * `withClientTransaction` on real Postgres: commit, rollback, and a backend that dies in the middle
 * (the client's 'error' event must fail the transaction, not the process).
 */
import { sql } from 'kysely';
import { withClientTransaction } from '../src/db/client-transaction.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';

describe('withClientTransaction', () => {
  let testDb: TestDatabase;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    await sql`create table t (n int)`.execute(testDb.db);
  }, 60_000);

  afterAll(async () => {
    await testDb?.drop();
  });

  const rows = async () =>
    (await sql<{ n: number }>`select n from t order by n`.execute(testDb.db)).rows.map((r) => r.n);

  it('commits what the callback wrote when it resolves, and nothing when it throws', async () => {
    await withClientTransaction(testDb.db, async (tx) => {
      await tx.client.query('insert into t values (1)');
    });
    await expect(
      withClientTransaction(testDb.db, async (tx) => {
        await tx.client.query('insert into t values (2)');
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await rows()).toEqual([1]);
  });

  it('a backend terminated mid-transaction fails that transaction; the process and the pool carry on', async () => {
    await expect(
      withClientTransaction(testDb.db, async (tx) => {
        await tx.client.query('insert into t values (3)');
        const {
          rows: [me],
        } = await tx.client.query<{ pid: number }>('select pg_backend_pid() as pid');
        await sql`select pg_terminate_backend(${me!.pid})`.execute(testDb.db);
        // the client hears of the termination while idle in the transaction: its 'error' event fires now
        await new Promise((resolve) => setTimeout(resolve, 200));
        await tx.client.query('insert into t values (4)');
      }),
    ).rejects.toThrow();
    expect(await rows()).toEqual([1]);
    await withClientTransaction(testDb.db, async (tx) => {
      await tx.client.query('insert into t values (5)');
    });
    expect(await rows()).toEqual([1, 5]);
  });
});
