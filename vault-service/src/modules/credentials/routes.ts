/** The session's site Assets API credentials: stored encrypted; GET never returns the token. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NotFoundError } from '@assets-vault/shared/errors';
import { requireAuth } from '../../plugins/session.js';
import { ErrorResponse } from '../../plugins/error-handler.js';
import { deleteSiteAssetsCredentials, loadSiteAssetsCredentials, saveSiteAssetsCredentials } from './service.js';

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
      await saveSiteAssetsCredentials(app.deps, auth.siteId, auth.email, { ...request.body });
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
      const c = await loadSiteAssetsCredentials(app.deps, auth.siteId);
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
      await deleteSiteAssetsCredentials(app.deps, auth.siteId, auth.email);
      return reply.code(204).send(null);
    },
  );
};
