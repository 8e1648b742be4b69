/**
 * Builds the vault's Fastify app: registers everything and returns a ready instance. Opens no port
 * and reads no environment (server.ts does both), so tests build the real app with their own config.
 *
 * Order (visible on purpose; each step may use the ones before it):
 *   1. config          app.config
 *   2. logger          pino with the redact list (logger.ts); request.log, child loggers per module
 *   3. database        app.db (Kysely); migrations under an advisory lock
 *   4. cross-cutting   error handler, rate limits, OpenAPI docs at /docs
 *   5. sessions        (identity module)
 *   6. auth            (identity module: request.auth on /api/v1/* except the signed /api/v1/forge/*)
 *   7. routes          health, Forge events, trusted users, ...
 *   8. workers         e-mail outbox, housekeeping; stopped on close before the pool closes
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { createDatabase } from './db/index.js';
import { migrateToLatest } from './db/migrate.js';
import type { DB } from './db/types.js';
import { createEmailOutboxWorker, type EmailOutboxWorker } from './jobs/email-outbox-worker.js';
import { createHousekeeping, PROCESSED_WEBHOOK_RETENTION_MS, type HousekeepingTask } from './jobs/housekeeping.js';
import { createSearchIndexer, type SearchIndexer } from './jobs/search-indexer.js';
import { createVaultBackupRunner } from './jobs/vault-backup-runner.js';
import { createLogger } from './logger.js';
import { pruneProcessedWebhooks } from './modules/forge-events/repository.js';
import { forgeEventRoutes } from './modules/forge-events/routes.js';
import type { ForgeEventExtensions } from './modules/forge-events/service.js';
import { auditRoutes } from './modules/audit/routes.js';
import { authRoutes } from './modules/auth/routes.js';
import { backupRoutes } from './modules/backups/routes.js';
import { browseRoutes } from './modules/browse/routes.js';
import { exportRoutes } from './modules/export/routes.js';
import { retentionRoutes } from './modules/retention/routes.js';
import { credentialRoutes } from './modules/credentials/routes.js';
import { diffRoutes } from './modules/diff/routes.js';
import { vaultBackupRoutes } from './modules/vault-backup/routes.js';
import { applyAllRetentionPolicies } from './modules/retention/service.js';
import { healthRoutes } from './modules/health/routes.js';
import { deleteAbandonedUploads, deleteBackup } from './modules/ingest/repository.js';
import { ingestRoutes } from './modules/ingest/routes.js';
import { trustedUserRoutes } from './modules/trusted-users/routes.js';
import { webRoutes } from './modules/web/routes.js';
import { dropOrphanBrowseSchemas, queueRebuildOfLostBrowseTables } from './modules/browse/storage.js';
import { registerCsrf } from './plugins/csrf.js';
import { registerErrorHandler } from './plugins/error-handler.js';
import { registerSessions } from './plugins/session.js';
import { buildValidator } from './plugins/validation.js';

export type VaultApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface AppDeps {
  /** An open database (tests, server.ts). Without it the app opens one from config and closes it. */
  db?: Kysely<DB>;
  /** A pino logger (tests capture output this way). */
  logger?: Logger;
  clock?: Clock;
  /** Overrides of the Forge event hooks wired below (tests). */
  forgeEvents?: ForgeEventExtensions;
  /** The built web UI (tests of a missing build); defaults to vault-web/dist of this repository. */
  webDistDir?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Kysely<DB>;
    clock: Clock;
    workers: {
      emailOutbox: EmailOutboxWorker | undefined;
      vaultBackups?: { wake(): void; runOnce(): Promise<boolean> } | undefined;
      searchIndexer?: SearchIndexer | undefined;
    };
  }
}

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<VaultApp> {
  // 2. logger
  const logger = deps.logger ?? createLogger(config);
  const app = Fastify<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    loggerInstance: logger,
    genReqId: () => randomUUID(),
    trustProxy: typeof config.trustProxy === 'object' ? [...config.trustProxy] : config.trustProxy,
    // Small default; routes that take uploads raise it for themselves.
    bodyLimit: 1024 * 1024,
    // Stop waiting on keep-alive sockets at shutdown instead of holding SIGTERM up.
    forceCloseConnections: 'idle',
    schemaController: { compilersFactory: { buildValidator } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // 1. config
  app.decorate('config', config);
  app.decorate('clock', deps.clock ?? systemClock);

  // 3. database
  let ownedDb: { close(): Promise<void> } | undefined;
  let db = deps.db;
  if (!db) {
    const opened = await createDatabase(config, logger.child({ module: 'db' }));
    ownedDb = opened;
    db = opened.db;
  }
  app.decorate('db', db);
  if (config.migrateOnStart) {
    try {
      await migrateToLatest(db, logger.child({ module: 'migrate' }));
    } catch (err) {
      await ownedDb?.close();
      throw err;
    }
  }

  // 4. cross-cutting
  registerErrorHandler(app);
  // Per-route limits only (`config.rateLimit` on a route); in-memory per replica.
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    // shared schemas (e.g. the recursive ObjectTypeNode) are named by their $id, not by registration order
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Assets Backup Vault',
        version: '0.1.0',
        description: 'Vault HTTP API (see docs/architecture.md)',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: '__Host-vault_session' },
          webhookSignature: {
            type: 'apiKey',
            in: 'header',
            name: 'webhook-signature',
            description: 'Standard Webhooks signature',
          },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  // 5. sessions and 6. auth: cookies, request.auth on /api/v1/* (not /api/v1/forge/*), CSRF on writes
  await registerSessions(app);
  registerCsrf(app);

  // 7. routes
  await app.register(healthRoutes);
  await app.register(authRoutes, { loginRateLimitPerMinute: config.loginRateLimitPerMinute });
  // Extension point: modules handling Forge events (e.g. backups → onBackupDeleted) add their hook here.
  const forgeEventExtensions: ForgeEventExtensions = {
    onBackupDeleted: async (trx, { siteId, backupId }) => ({ deleted: await deleteBackup(trx, siteId, backupId) }),
    ...deps.forgeEvents,
  };
  await app.register(forgeEventRoutes, { prefix: '/api/v1/forge', extensions: forgeEventExtensions });
  // builds search indexes after completions (started with the other workers below)
  const searchIndexer = config.workersEnabled
    ? createSearchIndexer({ db, log: logger.child({ module: 'search-indexer' }), now: () => app.clock.now() })
    : undefined;
  await app.register(ingestRoutes, { prefix: '/api/v1/forge', onBrowseBuilt: () => searchIndexer?.wake() });
  await app.register(trustedUserRoutes, { prefix: '/api/v1' });
  await app.register(backupRoutes, { prefix: '/api/v1' });
  await app.register(browseRoutes, { prefix: '/api/v1' });
  await app.register(exportRoutes, { prefix: '/api/v1' });
  await app.register(retentionRoutes, { prefix: '/api/v1' });
  await app.register(credentialRoutes, { prefix: '/api/v1' });
  // vault-side backup jobs (started with the other workers below); the route wakes it when a job is queued
  const vaultBackups = config.workersEnabled
    ? createVaultBackupRunner({ db, log: logger.child({ module: 'vault-backup' }), clock: app.clock, config })
    : undefined;
  await app.register(vaultBackupRoutes, { prefix: '/api/v1', wake: () => vaultBackups?.wake() });
  await app.register(diffRoutes, { prefix: '/api/v1' });
  await app.register(auditRoutes, { prefix: '/api/v1' });
  await app.register(webRoutes, { ...(deps.webDistDir !== undefined ? { distDir: deps.webDistDir } : {}) });

  // 8. workers
  const emailOutbox =
    config.workersEnabled && config.smtpUrl !== undefined
      ? createEmailOutboxWorker({ db, config, smtpUrl: config.smtpUrl, log: logger.child({ module: 'email-outbox' }) })
      : undefined;
  // Periodic clean-up; modules with tables that grow append their task here.
  const housekeepingTasks: HousekeepingTask[] = [
    {
      name: 'processed_webhook',
      run: (now) => pruneProcessedWebhooks(db, new Date(now.getTime() - PROCESSED_WEBHOOK_RETENTION_MS)),
    },
    {
      name: 'abandoned_backup_upload',
      run: (now) => deleteAbandonedUploads(db, new Date(now.getTime() - config.backupUploadExpiryHours * 3_600_000)),
    },
    { name: 'backup_retention', run: (now) => applyAllRetentionPolicies(db, now) },
    { name: 'lost_browse_tables', run: () => queueRebuildOfLostBrowseTables(db) },
    { name: 'orphan_browse_schemas', run: () => dropOrphanBrowseSchemas(db) },
  ];
  const housekeeping = config.workersEnabled
    ? createHousekeeping({
        intervalMs: 3_600_000,
        log: logger.child({ module: 'housekeeping' }),
        tasks: housekeepingTasks,
        now: () => app.clock.now(),
      })
    : undefined;
  app.decorate('workers', { emailOutbox, vaultBackups, searchIndexer });
  app.addHook('onReady', async () => {
    emailOutbox?.start();
    housekeeping?.start();
    vaultBackups?.start();
    searchIndexer?.start();
  });
  // Fastify has stopped accepting requests when onClose runs: workers first, then the pool.
  app.addHook('onClose', async () => {
    await Promise.all([emailOutbox?.stop(), housekeeping?.stop(), vaultBackups?.stop(), searchIndexer?.stop()]);
    await ownedDb?.close();
  });

  await app.ready();
  return app;
}
