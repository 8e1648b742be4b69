/**
 * Builds the real app for a test suite on its own database, listening on 127.0.0.1:0, with an
 * optional log capture. Tests talk to it over real HTTP (`fetch(app.baseUrl + …)`).
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import type { Kysely } from 'kysely';
import { buildApp, type AppDeps, type VaultApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { DB } from '../../src/db/types.js';
import { loggerOptions } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export const TEST_WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** A config as the tests run it; `env` overrides or adds variables. */
export function testConfig(env: Record<string, string | undefined> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    FORGE_WEBHOOK_SECRETS: TEST_WEBHOOK_SECRET,
    SESSION_SECRET: 'test-session-secret-of-at-least-32-characters',
    VAULT_PUBLIC_URL: 'https://vault.example.test',
    VAULT_MIGRATE_ON_START: 'false',
    ...env,
  });
}

/**
 * A config for suites whose vault backs up emulator sites with stored credentials: a fresh encryption
 * key, and the emulator's loopback http addresses allowed.
 */
export function emulatorBackupConfig(env: Record<string, string | undefined> = {}): Config {
  return testConfig({
    ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    ALLOW_INSECURE_SITE_URLS: 'true',
    ALLOWED_SITE_HOSTS: '*',
    ...env,
  });
}

export interface LogCapture {
  logger: Logger;
  /** Everything written so far, one JSON line per entry. */
  text(): string;
  entries(): Record<string, unknown>[];
}

/** A pino logger with the app's options (redaction included) writing into memory. */
export function captureLogs(level = 'debug'): LogCapture {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = pino({ ...loggerOptions({ logLevel: level }) }, stream);
  return {
    logger,
    text: () => chunks.join(''),
    entries: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export interface TestApp {
  app: VaultApp;
  baseUrl: string;
  config: Config;
  close(): Promise<void>;
}

/** Builds the app on `db` and listens on a free port of 127.0.0.1. */
export async function startTestApp(options: {
  db: Kysely<DB>;
  config?: Config;
  deps?: Omit<AppDeps, 'db'>;
}): Promise<TestApp> {
  const config = options.config ?? testConfig();
  const app = await buildApp(config, { ...options.deps, db: options.db });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('app is not listening on TCP');
  return { app, baseUrl: `http://127.0.0.1:${address.port}`, config, close: () => app.close() };
}

/**
 * The suite's database and the app on it without workers, with a fresh key for the credentials store; the app
 * logs into `logs` (the suites check that no token reaches them).
 */
export async function startCredentialsApp(logs: LogCapture): Promise<{ testDb: TestDatabase; vault: TestApp }> {
  const testDb = await createTestDatabase();
  const vault = await startTestApp({
    db: testDb.db,
    config: testConfig({ VAULT_WORKERS: 'false', ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}` }),
    deps: { logger: logs.logger },
  });
  return { testDb, vault };
}

export interface AppsPerConfig {
  /** the suite's database, from `beforeAll` on */
  readonly testDb: TestDatabase;
  /** an app on the suite's database with `testConfig({ VAULT_WORKERS: 'false', ...env })` */
  start(env: Record<string, string>): Promise<TestApp>;
}

/**
 * For a describe block that compares configurations: registers the `beforeAll` that creates one database
 * and the `afterAll` that closes every app `start` built and drops the database.
 */
export function appsPerConfig(): AppsPerConfig {
  let testDb: TestDatabase | undefined;
  const apps: TestApp[] = [];
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await testDb?.drop();
  });
  const suite: AppsPerConfig = {
    get testDb() {
      if (!testDb) throw new Error('the database is created in beforeAll');
      return testDb;
    },
    async start(env) {
      const app = await startTestApp({ db: suite.testDb.db, config: testConfig({ VAULT_WORKERS: 'false', ...env }) });
      apps.push(app);
      return app;
    },
  };
  return suite;
}
