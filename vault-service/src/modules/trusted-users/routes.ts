/** Trusted users of the session's site (read-only here: changes come from the Forge app). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireAuth } from '../../plugins/session.js';
import { ErrorResponse } from '../../plugins/error-handler.js';
import { TrustedUserList, TrustedUserParams, TrustedUserView, toTrustedUserView } from './schemas.js';
import { getTrustedUser, listTrustedUsers } from './service.js';

export const trustedUserRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/trusted-users',
    {
      schema: {
        tags: ['trusted-users'],
        summary: "The site's trusted users (invited, active and removed)",
        security: [{ session: [] }],
        response: { 200: TrustedUserList, 401: ErrorResponse },
      },
    },
    async (request) => {
      const { siteId } = requireAuth(request);
      const users = await listTrustedUsers(app.deps, siteId);
      return { items: users.map(toTrustedUserView) };
    },
  );

  app.get(
    '/trusted-users/:id',
    {
      schema: {
        tags: ['trusted-users'],
        summary: 'One trusted user of the site (404 for an id of another site)',
        security: [{ session: [] }],
        params: TrustedUserParams,
        response: { 200: TrustedUserView, 401: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => {
      const { siteId } = requireAuth(request);
      return toTrustedUserView(await getTrustedUser(app.deps, siteId, request.params.id));
    },
  );
};
