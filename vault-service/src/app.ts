/**
 * Builds the vault's Fastify app: registers everything and returns a ready instance. Opens no port
 * and reads no environment (server.ts does both), so tests build the real app with their own config.
 *
 * Order (visible on purpose; each step may use the ones before it):
 *   1. config          app.config, app.clock
 *   2. logger          pino with the redact list (logger.ts); request.log, child loggers per module
 *   3. database        app.db (Kysely); migrations under an advisory lock; then app.deps, the one object
 *                      every service and job is given (deps.ts)
 *   4. cross-cutting   error handler, rate limits, the OpenAPI document
 *   5. sessions        cookies, the auth service (plugins/session.ts); /docs (API_DOCS: session by default)
 *   6. workers         created here, started on ready, stopped on close before the pool closes
 *   7. routes          in three trees, each with its own guard:
 *                        /api/v1/forge/*  signed by the Forge app (signature; no cookies, no CSRF)
 *                        /auth/*          the login flow (CSRF on writes)
 *                        /api/v1/*        the session API (a live session, then CSRF on writes)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  type RawServerDefault,
} from 'fastify';
import { UnauthorizedError } from '@assets-vault/shared/errors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { createDatabase } from './db/index.js';
import { migrateToLatest } from './db/migrate.js';
import type { DB } from './db/types.js';
import { forModule, type VaultDeps } from './deps.js';
import { createEmailOutboxWorker, type EmailOutboxWorker } from './jobs/email-outbox-worker.js';
import { createHousekeeping, PROCESSED_WEBHOOK_RETENTION_MS, type HousekeepingTask } from './jobs/housekeeping.js';
import { createSearchIndexer, type SearchIndexer } from './jobs/search-indexer.js';
import { createRestoreRunners } from './jobs/restore-runner.js';
import { createVaultBackupRunner } from './jobs/vault-backup-runner.js';
import { createLogger } from './logger.js';
import { auditRoutes } from './modules/audit/routes.js';
import { authRoutes, meRoutes } from './modules/auth/routes.js';
import * as backupStore from './modules/backup-store/index.js';
import { backupRoutes } from './modules/backups/routes.js';
import { purgeAfter } from './modules/backups/service.js';
import { browseRoutes } from './modules/browse/routes.js';
import { credentialRoutes } from './modules/credentials/routes.js';
import { diffRoutes } from './modules/diff/routes.js';
import { exportRoutes } from './modules/export/routes.js';
import { pruneProcessedWebhooks } from './modules/forge-events/repository.js';
import { forgeEventRoutes } from './modules/forge-events/routes.js';
import type { ForgeEventExtensions } from './modules/forge-events/service.js';
import { healthRoutes } from './modules/health/routes.js';
import { ingestRoutes } from './modules/ingest/routes.js';
import { deleteIdleBuckets } from './modules/pacing/index.js';
import { isBackupInUseByRestore } from './modules/restores/repository.js';
import { restoreRoutes } from './modules/restores/routes.js';
import { retentionRoutes } from './modules/retention/routes.js';
import { applyAllRetentionPolicies } from './modules/retention/service.js';
import { targetInstanceRoutes } from './modules/target-instances/routes.js';
import { trustedUserRoutes } from './modules/trusted-users/routes.js';
import { vaultBackupRoutes } from './modules/vault-backup/routes.js';
import { webRoutes } from './modules/web/routes.js';
import { createOutboundGuard, outboundPolicyFromConfig, type OutboundGuard } from './outbound/index.js';
import { csrfProtection } from './plugins/csrf.js';
import { errorHandler, notFound } from './plugins/error-handler.js';
import { forgeSignature } from './plugins/forge-signature.js';
import { sessionGuard, sessions } from './plugins/session.js';
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
  /** The outbound guard (tests resolve names their own way); defaults to one built from config. */
  outbound?: OutboundGuard;
  /** The built web UI (tests of a missing build); defaults to `config.webDistDir`, then vault-web/dist. */
  webDistDir?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Kysely<DB>;
    clock: Clock;
    /** What route handlers pass to services (deps.ts). */
    deps: VaultDeps;
    workers: {
      emailOutbox: EmailOutboxWorker | undefined;
      vaultBackups?: { wake(): void; runOnce(): Promise<boolean> } | undefined;
      searchIndexer?: SearchIndexer | undefined;
      restores?: { wake(): void } | undefined;
    };
  }
}

export async function buildApp(config: Config, appDeps: AppDeps = {}): Promise<VaultApp> {
  // 2. logger
  const logger = appDeps.logger ?? createLogger(config);
  const app = Fastify<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    loggerInstance: logger,
    genReqId: () => randomUUID(),
    trustProxy: config.trustProxy.length > 0 ? [...config.trustProxy] : false,
    // Small default; routes that take uploads raise it for themselves.
    bodyLimit: 1024 * 1024,
    // Stop waiting on keep-alive sockets at shutdown instead of holding SIGTERM up.
    forceCloseConnections: 'idle',
    schemaController: { compilersFactory: { buildValidator } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // 1. config
  const clock = appDeps.clock ?? systemClock;
  app.decorate('config', config);
  app.decorate('clock', clock);

  // 3. database, then the deps every service receives
  let ownedDb: { close(): Promise<void> } | undefined;
  let db = appDeps.db;
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
  // one connection pool for every call to Atlassian, closed after the workers stopped
  const outbound = appDeps.outbound ?? createOutboundGuard(outboundPolicyFromConfig(config));
  const deps: VaultDeps = { db, log: logger, clock, config, outbound, backupInUse: isBackupInUseByRestore };
  app.decorate('deps', deps);

  // 4. cross-cutting
  await app.register(errorHandler);
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

  // 5. sessions
  await app.register(sessions);
  // the OpenAPI document and UI (API_DOCS): public, for signed-in users (the default), or not served
  if (config.apiDocs !== 'off') {
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      ...(config.apiDocs === 'session' ? { uiHooks: { onRequest: requireDocsSession(app) } } : {}),
    });
  }

  // 6. workers (the routes below wake them)
  const workers = config.workersEnabled ? createWorkers(deps) : undefined;
  app.decorate('workers', {
    emailOutbox: workers?.emailOutbox,
    vaultBackups: workers?.vaultBackups,
    searchIndexer: workers?.searchIndexer,
    restores: workers?.restores,
  });
  app.addHook('onReady', async () => workers?.start());
  // Fastify has stopped accepting requests when onClose runs: workers first, then the pool.
  app.addHook('onClose', async () => {
    await workers?.stop();
    if (!appDeps.outbound) await outbound.close();
    await ownedDb?.close();
  });

  // 7. routes
  await app.register(healthRoutes);
  const webDistDir = appDeps.webDistDir ?? config.webDistDir;
  await app.register(webRoutes, { ...(webDistDir !== undefined ? { distDir: webDistDir } : {}) });
  await app.register(forgeApi, {
    prefix: '/api/v1/forge',
    // Extension point: modules handling Forge events add their hook here.
    forgeEvents: {
      // to the trash like every deletion: a Forge admin account alone cannot destroy the site's backups
      onBackupDeleted: async (trx, { siteId, backupId }) => {
        const now = clock.now();
        const outcome = backupStore.isBackupId(backupId)
          ? await backupStore.trashBackupUnlessRestoring(trx, siteId, backupId, {
              by: 'forge',
              at: now,
              purgeAfter: purgeAfter(config, now),
              inUse: deps.backupInUse,
            })
          : 'not_found';
        return { deleted: outcome === 'trashed', ...(outcome === 'in_use' ? { inUse: true } : {}) };
      },
      ...appDeps.forgeEvents,
    },
  });
  await app.register(loginFlow);
  await app.register(sessionApi, { prefix: '/api/v1' });

  await app.ready();
  return app;
}

/** `/docs` for signed-in users only: the same session check as the session API (401 without one). */
function requireDocsSession(app: VaultApp) {
  return async (request: FastifyRequest) => {
    const auth = await app.authService.authenticate(request.cookies[app.sessionCookies.sessionName]);
    if (!auth) throw new UnauthorizedError();
  };
}

/** 7a. Signed calls of the Forge app: events and snapshot uploads. */
const forgeApi: FastifyPluginAsyncTypebox<{ forgeEvents: ForgeEventExtensions }> = async (forge, options) => {
  // unknown paths here answer 404 before any signature check, as before the tree had one
  forge.setNotFoundHandler(notFound);
  await forge.register(async (signed) => {
    await signed.register(forgeSignature);
    await signed.register(forgeEventRoutes, { extensions: options.forgeEvents });
    await signed.register(ingestRoutes);
  });
};

/** 7b. The login flow; its one write (logout) needs the CSRF headers. */
const loginFlow: FastifyPluginAsyncTypebox = async (login) => {
  await login.register(csrfProtection);
  await login.register(authRoutes, { loginRateLimitPerMinute: login.config.loginRateLimitPerMinute });
};

/** 7c. The session API: a live session first (401), then CSRF on writes (403), then the route. */
const sessionApi: FastifyPluginAsyncTypebox = async (api) => {
  await api.register(sessionGuard);
  await api.register(csrfProtection);
  // unknown paths are guarded like the rest: no probing the API without a session
  api.setNotFoundHandler(notFound);
  await api.register(meRoutes);
  await api.register(trustedUserRoutes);
  await api.register(backupRoutes);
  await api.register(browseRoutes);
  await api.register(exportRoutes);
  await api.register(retentionRoutes);
  await api.register(credentialRoutes);
  await api.register(vaultBackupRoutes);
  await api.register(diffRoutes);
  await api.register(auditRoutes);
  await api.register(restoreRoutes);
  await api.register(targetInstanceRoutes);
};

/** The background workers: e-mail outbox, vault-side backups, restores, search indexer and housekeeping. */
function createWorkers(deps: VaultDeps) {
  const { config, db } = deps;
  const emailOutbox =
    config.smtpUrl !== undefined
      ? createEmailOutboxWorker({ ...forModule(deps, 'email-outbox'), smtpUrl: config.smtpUrl })
      : undefined;
  const vaultBackups = createVaultBackupRunner(forModule(deps, 'vault-backup'));
  const searchIndexer = createSearchIndexer(forModule(deps, 'search-indexer'));
  const restores = createRestoreRunners(forModule(deps, 'restores'));
  // Periodic clean-up; modules with tables that grow append their task here.
  const tasks: HousekeepingTask[] = [
    {
      name: 'processed_webhook',
      run: (now) => pruneProcessedWebhooks(db, new Date(now.getTime() - PROCESSED_WEBHOOK_RETENTION_MS)),
    },
    {
      name: 'abandoned_backup_upload',
      run: (now) =>
        backupStore.deleteAbandonedUploads(db, new Date(now.getTime() - config.backupUploadExpiryHours * 3_600_000)),
    },
    { name: 'backup_retention', run: (now) => applyAllRetentionPolicies(deps, now) },
    { name: 'backup_trash_purge', run: (now) => backupStore.purgeDueTrash(db, now) },
    { name: 'lost_browse_tables', run: () => backupStore.queueRebuildOfLostBrowseTables(db) },
    { name: 'orphan_browse_schemas', run: () => backupStore.dropOrphanBrowseSchemas(db) },
    { name: 'idle_pacing_buckets', run: (now) => deleteIdleBuckets(db, now.getTime() - 86_400_000) },
  ];
  const housekeeping = createHousekeeping(forModule(deps, 'housekeeping'), { intervalMs: 3_600_000, tasks });
  return {
    emailOutbox,
    vaultBackups,
    searchIndexer,
    restores,
    start() {
      emailOutbox?.start();
      housekeeping.start();
      vaultBackups.start();
      searchIndexer.start();
      restores.start();
    },
    async stop() {
      await Promise.all([
        emailOutbox?.stop(),
        housekeeping.stop(),
        vaultBackups.stop(),
        searchIndexer.stop(),
        restores.stop(),
      ]);
    },
  };
}
