/** The session's site: schemas with their backups, the backups grid, deleting a backup. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requireAuth } from '../../plugins/session.js';
import { ErrorResponse } from '../../plugins/error-handler.js';
import { BackupIdParams, BackupList, BackupListQuery, SchemaList, SchemaParams } from './schemas.js';
import { deleteBackupOfSite, listBackups, listSchemas } from './service.js';

export const backupRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/schemas',
    {
      schema: {
        tags: ['backups'],
        summary: 'Schemas chosen for backup (and any schema that has backups), with the last backup and the count',
        security: [{ session: [] }],
        response: { 200: SchemaList, 401: ErrorResponse },
      },
    },
    async (request) => ({ items: await listSchemas(app.deps, requireAuth(request).siteId) }),
  );

  app.get(
    '/schemas/:schemaId/backups',
    {
      schema: {
        tags: ['backups'],
        summary: 'Completed backups of a schema, newest first; filters: kind, from, to (completion time)',
        security: [{ session: [] }],
        params: SchemaParams,
        querystring: BackupListQuery,
        response: { 200: BackupList, 400: ErrorResponse, 401: ErrorResponse },
      },
    },
    async (request) => ({
      items: await listBackups(app.deps, requireAuth(request).siteId, request.params.schemaId, request.query),
    }),
  );

  app.delete(
    '/backups/:id',
    {
      schema: {
        tags: ['backups'],
        summary: "Delete a backup of the site (audited); 404 for another site's id, 409 while a restore reads it",
        security: [{ session: [] }],
        params: BackupIdParams,
        response: { 204: Type.Null(), 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request);
      await deleteBackupOfSite(app.deps, auth.siteId, request.params.id, auth.email);
      return reply.code(204).send(null);
    },
  );
};
