/**
 * One fresh, migrated database per test suite. The server is `TEST_DATABASE_URL` when set, else the
 * local PostgreSQL (postgres://postgres@127.0.0.1:5432/postgres), else an embedded PostgreSQL in a
 * temporary directory. A migrated template (named after a hash of the migration sources) is built
 * once under an advisory lock; each suite then runs `CREATE DATABASE vault_test_<random> TEMPLATE …`
 * and drops it at the end, so suites never share rows, even when several jest processes run at once.
 *
 *   const testDb = await createTestDatabase();   // beforeAll
 *   testDb.db ... testDb.url ...
 *   await testDb.drop();                        // afterAll (closes the pool first)
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { createKysely, startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/index.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { DB } from '../../src/db/types.js';

const LOCAL_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';
const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/db/migrations');
// Any fixed key shared by every test process that builds templates.
const TEMPLATE_LOCK_KEY = 7_465_737_400;

/** Connections in each suite's pool. */
export const TEST_POOL_SIZE = 5;

export interface TestDatabase {
  db: Kysely<DB>;
  /** Connection string of this suite's database (for child processes or a second pool). */
  url: string;
  name: string;
  /** Closes this suite's pool and drops the database. */
  drop(): Promise<void>;
}

let serverPromise: Promise<{ adminUrl: string; embedded?: EmbeddedServer }> | undefined;

/** The admin URL of the server tests use (decided once per process). */
export function testServer(): Promise<{ adminUrl: string }> {
  serverPromise ??= pickServer();
  return serverPromise;
}

async function pickServer(): Promise<{ adminUrl: string; embedded?: EmbeddedServer }> {
  const configured = process.env.TEST_DATABASE_URL;
  if (configured) return { adminUrl: configured };
  if (await canConnect(LOCAL_SERVER)) return { adminUrl: LOCAL_SERVER };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-test-pg-'));
  const port = 55_000 + Math.floor(Math.random() * 5_000);
  const embedded = await startEmbeddedPostgres(path.join(dir, 'pg'), port);
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return { adminUrl: embedded.url.replace(/\/vault$/, '/postgres'), embedded };
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** URL of database `name` on the same server as `adminUrl`. */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const file of fs.readdirSync(MIGRATIONS_DIR).sort()) {
    hash.update(file).update(fs.readFileSync(path.join(MIGRATIONS_DIR, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates (once) the migrated template for the current migration sources; returns its name. */
async function ensureTemplate(adminUrl: string): Promise<string> {
  const name = `vault_tpl_${migrationsHash()}`;
  await withAdmin(adminUrl, async (client) => {
    await client.query('select pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    try {
      const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
      if (exists.rowCount !== 0) return;
      // Built under a temporary name and renamed when complete, so a crash never leaves a
      // half-migrated template behind under the real name.
      const building = `${name}_building`;
      await client.query(`drop database if exists "${building}" with (force)`);
      await client.query(`create database "${building}"`);
      const db = createKysely(databaseUrl(adminUrl, building), undefined, { poolSize: 2 });
      try {
        await migrateToLatest(db);
      } finally {
        await db.destroy();
      }
      await client.query(`alter database "${building}" rename to "${name}"`);
      // Templates of older migration sources are useless now; one still being cloned stays (in use).
      const stale = await client.query<{ datname: string }>(
        "select datname from pg_database where datname like 'vault\\_tpl\\_%' and datname <> $1",
        [name],
      );
      for (const { datname } of stale.rows) {
        await client.query(`drop database if exists "${datname}"`).catch(() => undefined);
      }
    } finally {
      await client.query('select pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]);
    }
  });
  return name;
}

/** A new database with every migration applied, for one suite. */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const { adminUrl } = await testServer();
  const name = `vault_test_${randomBytes(6).toString('hex')}`;
  const template = options.migrated === false ? 'template1' : await ensureTemplate(adminUrl);
  await withAdmin(adminUrl, async (client) => {
    // Two CREATE DATABASE … TEMPLATE at the same instant may collide on the template (55006).
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`create database "${name}" template "${template}"`);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== '55006' || attempt >= 20) throw err;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  });
  const url = databaseUrl(adminUrl, name);
  const db = createKysely(url, undefined, { poolSize: TEST_POOL_SIZE });
  let dropped = false;
  return {
    db,
    url,
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await db.destroy();
      await withAdmin(adminUrl, (client) => client.query(`drop database if exists "${name}" with (force)`));
    },
  };
}

/** Row counts of every table in the public schema (to prove that a rejected call wrote nothing). */
export async function countAllRows(url: string): Promise<Record<string, number>> {
  return withAdmin(url, async (client) => {
    // the shared tables, and every backup's browse tables (schema backup_<id>)
    const tables = await client.query<{ schemaname: string; tablename: string }>(
      `select schemaname, tablename from pg_tables
       where (schemaname = 'public' and tablename not like 'kysely_%') or schemaname like 'backup\\_%' order by schemaname, tablename`,
    );
    const counts: Record<string, number> = {};
    for (const { schemaname, tablename } of tables.rows) {
      const result = await client.query<{ n: string }>(
        `select count(*)::text as n from "${schemaname}"."${tablename}"`,
      );
      counts[schemaname === 'public' ? tablename : `${schemaname}.${tablename}`] = Number(result.rows[0]?.n ?? 0);
    }
    return counts;
  });
}

/** Waits until `n` sessions of the suite's database wait on a lock (to order a test's concurrent steps). */
export async function waitForLockWaiters(testDb: TestDatabase, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_stat_activity where datname = ${testDb.name} and wait_event_type = 'Lock'`.execute(
      testDb.db,
    );
    if (rows[0]!.n >= n) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no ${n} session(s) waiting on a lock`);
}
