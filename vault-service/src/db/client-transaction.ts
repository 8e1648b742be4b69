/**
 * A transaction on one raw `pg` client with a Kysely view of the same client: for work Kysely cannot
 * express (COPY FROM STDIN, server-side cursors) that must still commit or roll back with typed queries.
 */
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { DB } from './types.js';

const pools = new WeakMap<Kysely<DB>, pg.Pool>();

/** Called by `createKysely`: the pool behind a root Kysely instance. */
export function registerPool(db: Kysely<DB>, pool: pg.Pool): void {
  pools.set(db, pool);
}

export interface ClientTransaction {
  client: pg.PoolClient;
  /** Typed queries on the same client, inside the transaction. */
  db: Kysely<DB>;
}

/** A Kysely instance whose every query runs on `client` (never released by Kysely). */
function kyselyOnClient(client: pg.PoolClient): Kysely<DB> {
  const pinned = { query: client.query.bind(client), release: () => undefined };
  const pool = { connect: async () => pinned, end: async () => undefined };
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }) });
}

/** Runs `fn` in a transaction on a dedicated client of `db`'s pool: committed when it resolves, rolled back when it throws. */
export async function withClientTransaction<T>(
  db: Kysely<DB>,
  fn: (tx: ClientTransaction) => Promise<T>,
  opts: { rollback?: boolean } = {},
): Promise<T> {
  const pool = pools.get(db);
  if (!pool) throw new Error('withClientTransaction needs the root Kysely instance made by createKysely');
  const client = await pool.connect();
  let broken: unknown;
  // a backend that dies mid-transaction emits 'error' on the client: without a listener that would
  // crash the process instead of failing this transaction
  const onError = (err: Error) => {
    broken = err;
  };
  client.on('error', onError);
  try {
    await client.query('begin');
    const result = await fn({ client, db: kyselyOnClient(client) });
    await client.query(opts.rollback ? 'rollback' : 'commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch((rollbackErr: unknown) => {
      broken = rollbackErr;
    });
    throw err;
  } finally {
    client.off('error', onError);
    // a client that failed or whose rollback failed is in an unknown state: destroy it instead of returning it
    client.release(broken instanceof Error ? broken : undefined);
  }
}
