/** The session's site Assets API credentials: stored encrypted; GET never returns the token. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NotFoundError } from '@assets-vault/shared/errors';
import { requireAuth } from '../../plugins/session.js';
import { ErrorResponse } from '../../plugins/error-handler.js';
import { insertAuditEvent } from '../audit/repository.js';
import { findSiteById } from '../sites/repository.js';
import { checkAssetsApiBaseUrl, deleteCredentials, loadCredentials, saveCredentials } from './service.js';

export const ASSETS_API_PURPOSE = 'assets-api';

export interface SiteAssetsCredentials {
  email: string;
  apiToken: string;
  assetsApiBaseUrl?: string;
  vaultBackupsEnabled: boolean;
}

const Input = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320 }),
    apiToken: Type.String({ minLength: 1, maxLength: 4096 }),
    assetsApiBaseUrl: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2048 })),
    vaultBackupsEnabled: Type.Boolean(),
  },
  { additionalProperties: false },
);
const View = Type.Object({
  email: Type.String(),
  hasToken: Type.Boolean(),
  assetsApiBaseUrl: Type.Union([Type.String(), Type.Null()]),
  vaultBackupsEnabled: Type.Boolean(),
});

export const credentialRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.put(
    '/site-credentials',
    {
      schema: {
        tags: ['credentials'],
        summary: 'Store the site Assets API credentials (encrypted)',
        security: [{ session: [] }],
        body: Input,
        response: { 204: Type.Null(), 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request);
      const { assetsApiBaseUrl } = request.body;
      if (assetsApiBaseUrl !== undefined) {
        const site = await findSiteById(app.db, auth.siteId);
        if (!site) throw new NotFoundError('Site not found');
        checkAssetsApiBaseUrl(assetsApiBaseUrl, site.siteUrl, app.config.allowInsecureSiteUrls);
      }
      const secret: SiteAssetsCredentials = { ...request.body };
      await app.db.transaction().execute(async (trx) => {
        await saveCredentials(trx, app.config.encryptionKeys, auth.siteId, ASSETS_API_PURPOSE, secret);
        // who changed what the vault may do on the site's behalf; never the token
        await insertAuditEvent(trx, auth.siteId, {
          actor: auth.email,
          action: 'credentials.saved',
          details: {
            email: secret.email,
            assetsApiBaseUrl: secret.assetsApiBaseUrl ?? null,
            vaultBackupsEnabled: secret.vaultBackupsEnabled,
          },
        });
      });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/site-credentials',
    {
      schema: {
        tags: ['credentials'],
        summary: 'The stored credentials without the token (hasToken only)',
        security: [{ session: [] }],
        response: { 200: View, 401: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => {
      const auth = requireAuth(request);
      const c = (await loadCredentials(app.db, app.config.encryptionKeys, auth.siteId, ASSETS_API_PURPOSE)) as
        SiteAssetsCredentials | undefined;
      if (!c) throw new NotFoundError('No credentials stored');
      return {
        email: c.email,
        hasToken: c.apiToken.length > 0,
        assetsApiBaseUrl: c.assetsApiBaseUrl ?? null,
        vaultBackupsEnabled: c.vaultBackupsEnabled,
      };
    },
  );

  app.delete(
    '/site-credentials',
    {
      schema: {
        tags: ['credentials'],
        summary: 'Remove the stored credentials',
        security: [{ session: [] }],
        response: { 204: Type.Null(), 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request);
      await app.db.transaction().execute(async (trx) => {
        if (!(await deleteCredentials(trx, auth.siteId, ASSETS_API_PURPOSE)))
          throw new NotFoundError('No credentials stored');
        await insertAuditEvent(trx, auth.siteId, { actor: auth.email, action: 'credentials.deleted' });
      });
      return reply.code(204).send(null);
    },
  );
};
