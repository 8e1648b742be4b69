/**
 * The signed Forge site API (`/api/v1/forge/site/…`, architecture.md and shared/src/contract/forge-site.ts):
 * the Jira page's reads and writes of the site's backups, restores and credentials. Each route calls the same
 * service function as its session route; only the tenant (signed body) and the replay rule (service.ts) differ.
 */
import {
  BackupList,
  ForgeBackupRequest,
  ForgeBackupsRequest,
  ForgeCredentialsStatus,
  ForgeDeleteBackupRequest,
  ForgeDeleteBackupResponse,
  ForgeSiteRequest,
  ForgeStoreCredentialsRequest,
  ObjectTypeTree,
  SchemaList,
  forgeSiteApiPaths,
} from '@assets-vault/shared/contract';
import { ValidationError } from '@assets-vault/shared/errors';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { forModule } from '../../deps.js';
import { ErrorResponse } from '../../plugins/error-handler.js';
import { verifiedCall } from '../../plugins/forge-signature.js';
import { deleteBackupOfSite, listBackups, listSchemas } from '../backups/service.js';
import { objectTypeTree } from '../browse/service.js';
import { loadSiteAssetsCredentials, saveSiteAssetsCredentials } from '../credentials/service.js';
import type { Site } from '../sites/repository.js';
import { forgeActor, runForgeSiteCall } from './service.js';

/** Requests are small JSON bodies (a restore with a new target's token is the largest). */
const BODY_LIMIT_BYTES = 64 * 1024;
const PREFIX = '/api/v1/forge';

/** The route's path inside the Forge tree (app.ts registers it under /api/v1/forge). */
const routePath = (path: string) => path.slice(PREFIX.length);

export const forgeSiteRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const deps = forModule(app.deps, 'forge-site');
  const rateLimit = { rateLimit: { max: app.config.forgeEventsRateLimitPerMinute, timeWindow: '1 minute' } };

  /** One signed POST: the body checked after the signature (422), the call claimed and its site resolved. */
  function signedPost<B extends TObject, R extends TSchema>(
    path: string,
    spec: { summary: string; kind: 'read' | 'write'; body: B; response: R; errors?: number[] },
    handle: (body: Static<B>, site: Site) => Promise<Static<R>>,
  ) {
    const errors = Object.fromEntries(
      [401, 409, 413, 422, 429, ...(spec.errors ?? [])].map((status) => [status, ErrorResponse]),
    );
    // generic schemas: the handler's types come from `handle`, the schemas still validate and document
    const options: RouteShorthandOptions = {
      bodyLimit: BODY_LIMIT_BYTES,
      attachValidation: true,
      config: rateLimit,
      schema: {
        tags: ['forge'],
        summary: `${spec.summary} (signed)`,
        security: [{ webhookSignature: [] }],
        body: spec.body,
        response: { 200: spec.response, ...errors },
      },
    };
    app.post(routePath(path), options, async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
      const call = verifiedCall(request);
      if (request.validationError) {
        throw new ValidationError('The request does not match its schema', {
          statusCode: 422,
          code: 'invalid_request',
          details: request.validationError.validation.map((v: { instancePath: string; message?: string }) => ({
            field: v.instancePath,
            message: v.message,
          })),
        });
      }
      const body = request.body as Static<B> & { cloudId: string; siteUrl: string };
      const outcome = await runForgeSiteCall(
        deps,
        {
          webhookId: call.id,
          bodySha256: call.bodySha256,
          tenant: { cloudId: body.cloudId, siteUrl: body.siteUrl },
          kind: spec.kind,
        },
        (site) => handle(body, site),
      );
      if (outcome.duplicate) reply.header('webhook-duplicate', 'true');
      return outcome.response;
    });
  }

  signedPost(
    forgeSiteApiPaths.schemas,
    {
      summary: 'Schemas chosen for backup (and any schema that has backups), as GET /api/v1/schemas',
      kind: 'read',
      body: ForgeSiteRequest,
      response: SchemaList,
    },
    async (_body, site) => ({ items: await listSchemas(deps, site.id) }),
  );

  signedPost(
    forgeSiteApiPaths.backups,
    {
      summary: 'Completed backups of a schema, newest first, as GET /api/v1/schemas/:schemaId/backups',
      kind: 'read',
      body: ForgeBackupsRequest,
      response: BackupList,
      errors: [400],
    },
    async ({ schemaId, kind, from, to }, site) => ({
      items: await listBackups(deps, site.id, schemaId, {
        ...(kind ? { kind } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
      }),
    }),
  );

  signedPost(
    forgeSiteApiPaths.objectTypes,
    {
      summary: 'Object types of a completed backup as a tree, as GET /api/v1/backups/:id/object-types',
      kind: 'read',
      body: ForgeBackupRequest,
      response: ObjectTypeTree,
      errors: [404],
    },
    async ({ backupId }, site) => ({ items: await objectTypeTree(deps, site.id, backupId) }),
  );

  signedPost(
    forgeSiteApiPaths.deleteBackup,
    {
      summary: 'Move a backup of the site to the trash, as DELETE /api/v1/backups/:id',
      kind: 'write',
      body: ForgeDeleteBackupRequest,
      response: ForgeDeleteBackupResponse,
      errors: [404],
    },
    async ({ backupId, actor }, site) => {
      const deleted = await deleteBackupOfSite(deps, site.id, backupId, forgeActor(actor));
      return { backupId, purgeAfter: deleted.purgeAfter.toISOString() };
    },
  );

  signedPost(
    forgeSiteApiPaths.credentialsStatus,
    {
      summary: "Whether the vault holds the site's Assets API credentials (never the token)",
      kind: 'read',
      body: ForgeSiteRequest,
      response: ForgeCredentialsStatus,
    },
    async (_body, site) => {
      const stored = await loadSiteAssetsCredentials(deps, site.id);
      return { stored: stored !== undefined, email: stored?.email ?? null };
    },
  );

  signedPost(
    forgeSiteApiPaths.storeCredentials,
    {
      summary: "Store the site's Assets API credentials (encrypted), as PUT /api/v1/site-credentials",
      kind: 'write',
      body: ForgeStoreCredentialsRequest,
      response: ForgeCredentialsStatus,
      errors: [400],
    },
    async ({ actor, email, apiToken, assetsApiBaseUrl }, site) => {
      const previous = await loadSiteAssetsCredentials(deps, site.id);
      await saveSiteAssetsCredentials(deps, site.id, forgeActor(actor), {
        email,
        apiToken,
        ...(assetsApiBaseUrl !== undefined ? { assetsApiBaseUrl } : {}),
        // switched in the vault's settings only; credentials stored from Jira first allow vault-side backups
        vaultBackupsEnabled: previous?.vaultBackupsEnabled ?? true,
      });
      return { stored: true, email };
    },
  );
};
