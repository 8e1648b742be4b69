/** Compare a backup with another backup of the site or with the live schema (POST: CSRF-checked, live ones rate limited). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { forModule } from '../../deps.js';
import { requireAuth } from '../../plugins/session.js';
import { ErrorResponse } from '../../plugins/error-handler.js';
import { diffBackup, MAX_DIFF_LIMIT } from './service.js';

const DiffObject = Type.Object({
  id: Type.String(),
  key: Type.String(),
  label: Type.String(),
  objectTypeId: Type.String(),
});
const DiffResponse = Type.Object({
  backupId: Type.String(),
  against: Type.Union([
    Type.Object({ kind: Type.Literal('backup'), backupId: Type.String() }),
    Type.Object({ kind: Type.Literal('live'), capturedAt: Type.String() }),
  ]),
  summary: Type.Object({ added: Type.Integer(), removed: Type.Integer(), changed: Type.Integer() }),
  added: Type.Array(DiffObject),
  removed: Type.Array(DiffObject),
  changed: Type.Array(
    Type.Intersect([
      DiffObject,
      Type.Object({
        labelBefore: Type.Optional(Type.String()),
        attributes: Type.Array(
          Type.Object({
            attributeId: Type.String(),
            name: Type.String(),
            before: Type.Array(Type.String()),
            after: Type.Array(Type.String()),
          }),
        ),
      }),
    ]),
  ),
  truncated: Type.Boolean(),
});

export const diffRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const deps = forModule(app.deps, 'diff');
  app.post(
    '/backups/:id/diff',
    {
      // A live comparison reads the whole schema with the site's API quota: a POST (CSRF-checked like
      // every write of this tree, so no cross-site page or top-level navigation can start one), and a
      // per-site budget per hour. Comparing two stored backups is not limited.
      config: {
        rateLimit: {
          max: app.config.liveDiffRateLimitPerHour,
          timeWindow: '1 hour',
          hook: 'preHandler',
          keyGenerator: (request) => `live-diff:${requireAuth(request).siteId}`,
          allowList: (request) => (request.body as { against?: unknown } | undefined)?.against !== 'live',
        },
      },
      schema: {
        tags: ['browse'],
        security: [{ session: [] }],
        summary:
          'Objects added, removed and changed (per attribute) between this backup and `against` (live or another backup id); live comparisons are rate limited per site',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: Type.Object(
          {
            against: Type.String({ minLength: 1, maxLength: 64, description: '"live" or a backup id of the site' }),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DIFF_LIMIT })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: DiffResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
          409: ErrorResponse,
          429: ErrorResponse,
          502: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request);
      // a closed connection before the answer is written means the client went away
      const gone = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) gone.abort(new Error('the client closed the connection'));
      });
      return diffBackup(deps, auth.siteId, request.params.id, {
        against: request.body.against,
        ...(request.body.limit !== undefined ? { limit: request.body.limit } : {}),
        signal: gone.signal,
      });
    },
  );
};
