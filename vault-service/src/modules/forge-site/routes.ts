/**
 * The signed Forge site API (`/api/v1/forge/site/…`, architecture.md and shared/src/contract/forge-site.ts):
 * the Jira page's reads and writes of the site's backups, restores and credentials. Each route calls the same
 * service function as its session route; only the tenant (signed body) and the replay rule (service.ts) differ.
 */
import {
  BackupList,
  ForgeAssetsSchemasRequest,
  ForgeBackupRequest,
  ForgeBackupsRequest,
  ForgeCredentialsStatus,
  ForgeDeleteBackupRequest,
  ForgeDeleteBackupResponse,
  ForgeIssueFieldsRequest,
  ForgePreviewRestoreRequest,
  ForgeRestoreLogLink,
  ForgeRestoreRequest,
  ForgeRestoresRequest,
  ForgeSiteRequest,
  ForgeStartRestoreRequest,
  ForgeStoreCredentialsRequest,
  IssueFieldsAccepted,
  ObjectTypeTree,
  RestoreAccepted,
  RestoreDetail,
  RestoreList,
  RestorePreview,
  SchemaList,
  SchemaOptionList,
  TargetInstanceList,
  forgeSiteApiPaths,
} from '@assets-vault/shared/contract';
import { ValidationError } from '@assets-vault/shared/errors';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { forModule } from '../../deps.js';
import { ErrorResponse } from '../../plugins/error-handler.js';
import { verifiedCall } from '../../plugins/forge-signature.js';
import { deleteBackupOfSite, listBackups, listSchemas } from '../backups/service.js';
import { objectTypeTree } from '../browse/service.js';
import { loadSiteAssetsCredentials, saveSiteAssetsCredentials } from '../credentials/service.js';
import * as restores from '../restores/service.js';
import type { Site } from '../sites/repository.js';
import { toTargetInstanceView } from '../target-instances/schemas.js';
import { listSiteSchemas, listTargetInstances, listTargetSchemas } from '../target-instances/service.js';
import { createRestoreLogLink, verifyRestoreLogLink } from './log-link.js';
import { forgeActor, runForgeSiteCall } from './service.js';

/** Requests are small JSON bodies (a restore with a new target's token is the largest). */
const BODY_LIMIT_BYTES = 64 * 1024;
const PREFIX = '/api/v1/forge';

/** The route's path inside the Forge tree (app.ts registers it under /api/v1/forge). */
const routePath = (path: string) => path.slice(PREFIX.length);

export const forgeSiteRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const deps = forModule(app.deps, 'forge-site');
  const rateLimit = { rateLimit: { max: app.config.forgeEventsRateLimitPerMinute, timeWindow: '1 minute' } };

  /** A restore step just queued: the restore worker is woken to run it now rather than at its next poll. */
  async function queued<T>(accepted: Promise<T>): Promise<T> {
    const result = await accepted;
    app.workers.restores?.wake();
    return result;
  }

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

  signedPost(
    forgeSiteApiPaths.targetInstances,
    {
      summary: "The site's target instances (never their tokens), as GET /api/v1/target-instances",
      kind: 'read',
      body: ForgeSiteRequest,
      response: TargetInstanceList,
    },
    async (_body, site) => ({ items: (await listTargetInstances(deps, site.id)).map(toTargetInstanceView) }),
  );

  signedPost(
    forgeSiteApiPaths.assetsSchemas,
    {
      summary:
        'The Assets schemas of the site (its stored credentials; 409 no_credentials) or of a target instance, as GET /api/v1/site-schemas and /api/v1/target-instances/:id/schemas',
      kind: 'read',
      body: ForgeAssetsSchemasRequest,
      response: SchemaOptionList,
      errors: [404, 502],
    },
    async ({ targetInstanceId }, site) => ({
      items:
        targetInstanceId === undefined
          ? await listSiteSchemas(deps, site.id)
          : await listTargetSchemas(deps, site.id, targetInstanceId),
    }),
  );

  signedPost(
    forgeSiteApiPaths.restores,
    {
      summary: 'Restores of the site, newest first, as GET /api/v1/restores',
      kind: 'read',
      body: ForgeRestoresRequest,
      response: RestoreList,
      errors: [400],
    },
    async ({ schemaId, cursor, limit }, site) =>
      restores.listRestores(deps, site.id, {
        ...(schemaId !== undefined ? { schemaId } : {}),
        ...(cursor !== undefined ? { cursor } : {}),
        ...(limit !== undefined ? { limit } : {}),
      }),
  );

  signedPost(
    forgeSiteApiPaths.restore,
    {
      summary: 'One restore: status, progress, counts, verification, issue fields, as GET /api/v1/restores/:id',
      kind: 'read',
      body: ForgeRestoreRequest,
      response: RestoreDetail,
      errors: [404],
    },
    async ({ restoreId }, site) => restores.getRestore(deps, site.id, restoreId),
  );

  signedPost(
    forgeSiteApiPaths.startRestore,
    {
      summary: 'Start a restore, validated before anything is written, as POST /api/v1/restores',
      kind: 'write',
      body: ForgeStartRestoreRequest,
      response: RestoreAccepted,
      errors: [400, 404, 502],
    },
    async ({ actor, backupId, destination, options }, site) =>
      queued(restores.startRestore(deps, site.id, forgeActor(actor), { backupId, destination, options })),
  );

  signedPost(
    forgeSiteApiPaths.previewRestore,
    {
      summary: 'What a restore would bring in, checked like a start; writes nothing. As POST /api/v1/restores/preview',
      kind: 'read',
      body: ForgePreviewRestoreRequest,
      response: RestorePreview,
      errors: [400, 404, 502],
    },
    async ({ backupId, destination, options }, site) =>
      restores.previewRestore(deps, site.id, { backupId, destination, options }),
  );

  signedPost(
    forgeSiteApiPaths.issueFields,
    {
      summary:
        'Restore objects in Jira issue fields after a completed restore, as POST /api/v1/restores/:id/issue-fields',
      kind: 'write',
      body: ForgeIssueFieldsRequest,
      response: IssueFieldsAccepted,
      errors: [400, 404, 502],
    },
    async ({ actor, restoreId }, site) =>
      queued(restores.startIssueFieldsRestore(deps, site.id, forgeActor(actor), restoreId)),
  );

  signedPost(
    forgeSiteApiPaths.restoreLogLink,
    {
      summary: "A short-lived link for the admin's browser to download one restore's .xlsx log",
      kind: 'read',
      body: ForgeRestoreRequest,
      response: ForgeRestoreLogLink,
      errors: [404],
    },
    async ({ restoreId }, site) => {
      // the restore must exist for this site: a link is never minted for another site's id
      await restores.getRestore(deps, site.id, restoreId);
      return createRestoreLogLink(app.config, { siteId: site.id, restoreId }, deps.clock.now());
    },
  );
};

/**
 * `GET /api/v1/forge/restore-logs?token=…`: the link the Jira page opens in the admin's browser. Not behind the
 * signature (a browser cannot sign): the token is the vault's own short-lived proof for one restore's log.
 */
export const forgeDownloadRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const deps = forModule(app.deps, 'forge-site');
  app.get(
    routePath(forgeSiteApiPaths.restoreLogs),
    {
      config: { rateLimit: { max: app.config.forgeEventsRateLimitPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags: ['forge'],
        summary: "One restore's full .xlsx log, through a link from POST /api/v1/forge/site/restores/log-link",
        querystring: Type.Object({ token: Type.String({ minLength: 1, maxLength: 1024 }) }),
        response: {
          200: Type.Unknown({ description: 'the .xlsx file, streamed' }),
          404: ErrorResponse,
          429: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const { siteId, restoreId } = verifyRestoreLogLink(app.config, request.query.token, deps.clock.now());
      const log = await restores.prepareRestoreLog(deps, siteId, restoreId);
      return reply
        .header('content-type', log.contentType)
        .header('content-disposition', `attachment; filename="${log.filename}"`)
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .send(log.body);
    },
  );
};
