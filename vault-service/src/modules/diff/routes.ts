/** Compare a backup with another backup of the site or with the live schema. */
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
  app.get(
    '/backups/:id/diff',
    {
      schema: {
        tags: ['browse'],
        security: [{ session: [] }],
        summary:
          'Objects added, removed and changed (per attribute) between this backup and `against` (live or another backup id)',
        params: Type.Object({ id: Type.String() }),
        querystring: Type.Object({
          against: Type.String({ minLength: 1, maxLength: 64 }),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DIFF_LIMIT })),
        }),
        response: { 200: DiffResponse, 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
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
        against: request.query.against,
        ...(request.query.limit !== undefined ? { limit: request.query.limit } : {}),
        signal: gone.signal,
      });
    },
  );
};
