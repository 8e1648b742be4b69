/** GET /api/v1/audit — the session's site audit log, newest first, read-only, keyset paging. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorResponse } from '../../plugins/error-handler.js';
import { requireAuth } from '../../plugins/session.js';
import { listSiteAudit, MAX_AUDIT_PAGE } from './service.js';

const AuditEntry = Type.Object({
  id: Type.String(),
  /** an e-mail, `forge:<accountId>` or `system` */
  actor: Type.String(),
  /** dotted, e.g. `backup.deleted`, `credentials.saved` */
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  /** what the action recorded; never secrets (tokens are not audited) */
  details: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String({ format: 'date-time' }),
});

export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        summary: "The site's audit log, newest first; `cursor` from the previous page's `nextCursor`",
        security: [{ session: [] }],
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_AUDIT_PAGE })),
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: {
          200: Type.Object({ items: Type.Array(AuditEntry), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          400: ErrorResponse,
          401: ErrorResponse,
        },
      },
    },
    async (request) => {
      const page = await listSiteAudit(app.db, requireAuth(request).siteId, request.query);
      return {
        items: page.items.map((e) => ({
          id: e.id,
          actor: e.actor,
          action: e.action,
          target: e.target,
          details: e.details,
          createdAt: e.createdAt.toISOString(),
        })),
        nextCursor: page.nextCursor,
      };
    },
  );
};
