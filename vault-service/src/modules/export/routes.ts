/** GET /api/v1/backups/:id/export?format=csv|xlsx|json&objectTypeId= — streamed attachment, audited. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorResponse } from '../../plugins/error-handler.js';
import { forModule } from '../../deps.js';
import { requireAuth } from '../../plugins/session.js';
import { prepareExport } from './service.js';

const ExportQuery = Type.Object({
  format: Type.Union([Type.Literal('csv'), Type.Literal('json'), Type.Literal('xlsx')], { default: 'csv' }),
  objectTypeId: Type.Optional(Type.String({ maxLength: 64 })),
});

export const exportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const deps = forModule(app.deps, 'export');
  app.get(
    '/backups/:id/export',
    {
      schema: {
        tags: ['browse'],
        summary: "Export a completed backup's objects (CSV, JSON or XLSX), streamed; audited as backup.exported",
        security: [{ session: [] }],
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        querystring: ExportQuery,
        response: {
          200: Type.Unknown({ description: 'the file, streamed' }),
          400: ErrorResponse,
          401: ErrorResponse,
          404: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request);
      const prepared = await prepareExport(deps, {
        siteId: auth.siteId,
        actor: auth.email,
        backupId: request.params.id,
        format: request.query.format,
        ...(request.query.objectTypeId !== undefined ? { objectTypeId: request.query.objectTypeId } : {}),
      });
      return reply
        .header('content-type', prepared.contentType)
        .header('content-disposition', `attachment; filename="${prepared.filename}"`)
        .header('cache-control', 'no-store')
        .send(prepared.body);
    },
  );
};
