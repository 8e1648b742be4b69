/**
 * The restore API in the session tree (`/api/v1`): start (and preview) a restore, the grid, one restore,
 * its .xlsx log and the issue-fields step. Tenant = the session's site; another site's restore is a 404.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { forModule } from '../../deps.js';
import { ErrorResponse } from '../../plugins/error-handler.js';
import { requireAuth } from '../../plugins/session.js';
import {
  IssueFieldsAccepted,
  RestoreAccepted,
  RestoreDetail,
  RestoreIdParams,
  RestoreList,
  RestoreListQuery,
  RestorePreview,
  RestoreRequest,
} from './schemas.js';
import {
  getRestore,
  listRestores,
  prepareRestoreLog,
  previewRestore,
  startIssueFieldsRestore,
  startRestore,
} from './service.js';

const writeErrors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
  422: ErrorResponse,
  502: ErrorResponse,
};

export const restoreRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const deps = forModule(app.deps, 'restores');

  app.post(
    '/restores',
    {
      schema: {
        tags: ['restores'],
        summary:
          'Start a restore of a completed backup (202); validated before anything is written: 404 unknown backup, 400 invalid_schema_key / unknown_object_types, 409 schema_key_taken / schema_name_taken / no_credentials, 502 target_unreachable',
        security: [{ session: [] }],
        body: RestoreRequest,
        response: { 202: RestoreAccepted, ...writeErrors },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request);
      const accepted = await startRestore(deps, auth.siteId, auth.email, request.body);
      app.workers.restores?.wake();
      return reply.code(202).header('location', `/api/v1/restores/${accepted.id}`).send(accepted);
    },
  );

  app.post(
    '/restores/preview',
    {
      schema: {
        tags: ['restores'],
        summary:
          'What a restore would bring in (selected types, their parents, referenced types), checked like POST /restores; writes nothing',
        security: [{ session: [] }],
        body: RestoreRequest,
        response: { 200: RestorePreview, ...writeErrors },
      },
    },
    async (request) => previewRestore(deps, requireAuth(request).siteId, request.body),
  );

  app.get(
    '/restores',
    {
      schema: {
        tags: ['restores'],
        summary: "Restores of the site, newest first; schemaId filters by the backup's (source) schema",
        security: [{ session: [] }],
        querystring: RestoreListQuery,
        response: { 200: RestoreList, 400: ErrorResponse, 401: ErrorResponse },
      },
    },
    async (request) => listRestores(deps, requireAuth(request).siteId, request.query),
  );

  app.get(
    '/restores/:id',
    {
      schema: {
        tags: ['restores'],
        summary: 'One restore: status, progress, counts, verification, issue fields',
        security: [{ session: [] }],
        params: RestoreIdParams,
        response: { 200: RestoreDetail, 401: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => getRestore(deps, requireAuth(request).siteId, request.params.id),
  );

  app.get(
    '/restores/:id/log.xlsx',
    {
      schema: {
        tags: ['restores'],
        summary: 'The full log of a restore (summary sheet, one row per object of the backup), streamed',
        security: [{ session: [] }],
        params: RestoreIdParams,
        response: {
          200: Type.Unknown({ description: 'the .xlsx file, streamed' }),
          401: ErrorResponse,
          404: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const log = await prepareRestoreLog(deps, requireAuth(request).siteId, request.params.id);
      return reply
        .header('content-type', log.contentType)
        .header('content-disposition', `attachment; filename="${log.filename}"`)
        .header('cache-control', 'no-store')
        .send(log.body);
    },
  );

  app.post(
    '/restores/:id/issue-fields',
    {
      schema: {
        tags: ['restores'],
        summary:
          'Point the Jira issue fields that referenced the backed-up objects at the restored ones (202); only for a completed restore, 409 while it runs',
        security: [{ session: [] }],
        params: RestoreIdParams,
        response: { 202: IssueFieldsAccepted, ...writeErrors },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request);
      const accepted = await startIssueFieldsRestore(deps, auth.siteId, auth.email, request.params.id);
      app.workers.restores?.wake();
      return reply.code(202).send(accepted);
    },
  );
};
