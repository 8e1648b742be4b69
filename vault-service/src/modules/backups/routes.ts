/** The session's site: schemas with their backups, the backups grid, deleting a backup. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requireAuth } from '../../plugins/session.js';
import { ErrorResponse } from '../../plugins/error-handler.js';
import { BackupIdParams, BackupList, BackupListQuery, SchemaList, SchemaParams, TrashList } from './schemas.js';
import { deleteBackupOfSite, listBackups, listSchemas, listTrash, restoreBackupFromTrash } from './service.js';

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
        summary:
          "Move a backup of the site to the trash (audited; purged after BACKUP_TRASH_DAYS unless restored); 404 for another site's id, 409 while a restore reads it",
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

  app.get(
    '/trash',
    {
      schema: {
        tags: ['backups'],
        summary: 'Deleted backups of the site that can still be restored, most recently deleted first',
        security: [{ session: [] }],
        response: { 200: TrashList, 401: ErrorResponse },
      },
    },
    async (request) => ({
      items: await listTrash(app.deps, requireAuth(request).siteId),
      trashDays: app.config.backupTrashDays,
    }),
  );

  app.post(
    '/trash/:id/restore',
    {
      schema: {
        tags: ['backups'],
        summary: 'Take a backup out of the trash (audited): it is listed, browsable and restorable again',
        security: [{ session: [] }],
        params: BackupIdParams,
        response: { 204: Type.Null(), 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request);
      await restoreBackupFromTrash(app.deps, auth.siteId, request.params.id, auth.email);
      return reply.code(204).send(null);
    },
  );
};
