/**
 * Runs the vault: loads config from the environment, opens the database, builds the app, listens,
 * and shuts down gracefully on SIGTERM/SIGINT (server → workers → pool → embedded Postgres).
 * Sets process.exitCode instead of calling process.exit, so pending logs are flushed.
 */
import { buildApp, type VaultApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createDatabase, type OpenDatabase } from './db/index.js';
import { createLogger } from './logger.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exitCode = 78; // EX_CONFIG
      return;
    }
    throw err;
  }
  const log = createLogger(config);
  for (const warning of config.warnings) log.warn({ warning }, 'configuration warning');

  let database: OpenDatabase | undefined;
  let app: VaultApp | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    try {
      await app?.close(); // stops accepting, finishes requests, stops workers
      await database?.close(); // pool, then the embedded server
      log.info('stopped');
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exitCode = 1;
    }
  };
  process.once('SIGTERM', (s) => void shutdown(s));
  process.once('SIGINT', (s) => void shutdown(s));

  try {
    database = await createDatabase(config, log.child({ module: 'db' }));
    app = await buildApp(config, { db: database.db, logger: log });
    if (stopping) return;
    const address = await app.listen({ port: config.port, host: config.host });
    log.info({ address, publicUrl: config.publicUrl, embeddedDatabase: database.embedded }, 'vault listening');
  } catch (err) {
    log.error({ err }, 'vault failed to start');
    process.exitCode = 1;
    await shutdown('startup-failure');
  }
}

await main();
