/** Target instances of the session's site, and the schemas of a destination (restore-api.md). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requireAuth } from '../../plugins/session.js';
import { ErrorResponse } from '../../plugins/error-handler.js';
import {
  SchemaOptionList,
  TargetInstanceInput,
  TargetInstanceList,
  TargetInstanceParams,
  TargetInstanceView,
  toTargetInstanceView,
} from './schemas.js';
import {
  createTargetInstance,
  deleteTargetInstance,
  listSiteSchemas,
  listTargetInstances,
  listTargetSchemas,
} from './service.js';

export const targetInstanceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/target-instances',
    {
      schema: {
        tags: ['target-instances'],
        summary: "The site's target instances (never their tokens)",
        security: [{ session: [] }],
        response: { 200: TargetInstanceList, 401: ErrorResponse },
      },
    },
    async (request) => {
      const { siteId } = requireAuth(request);
      return { items: (await listTargetInstances(app.deps, siteId)).map(toTargetInstanceView) };
    },
  );

  app.post(
    '/target-instances',
    {
      schema: {
        tags: ['target-instances'],
        summary: 'Check a site (workspace discovery and one read) and save it as a target instance',
        description:
          'Nothing is saved when a check fails: 400 `validation_failed` | `outbound_url_refused`, 409 ' +
          '`target_name_taken`, 422 `target_unreachable` | `target_unauthorized`. Audited `target_instance.created`.',
        security: [{ session: [] }],
        body: TargetInstanceInput,
        response: {
          201: TargetInstanceView,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          409: ErrorResponse,
          422: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request);
      const created = await createTargetInstance(app.deps, auth.siteId, auth.email, request.body);
      return reply.code(201).send(toTargetInstanceView(created));
    },
  );

  app.delete(
    '/target-instances/:id',
    {
      schema: {
        tags: ['target-instances'],
        summary: 'Delete a target instance and its stored token (audited `target_instance.deleted`)',
        security: [{ session: [] }],
        params: TargetInstanceParams,
        response: { 204: Type.Null(), 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request);
      await deleteTargetInstance(app.deps, auth.siteId, auth.email, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/target-instances/:id/schemas',
    {
      schema: {
        tags: ['target-instances'],
        summary: "The target's Assets schemas (the existing-schema choice of a restore)",
        description:
          'Failures of the site answer 502 `target_unreachable` | `target_unauthorized` | `outbound_url_refused`.',
        security: [{ session: [] }],
        params: TargetInstanceParams,
        response: { 200: SchemaOptionList, 401: ErrorResponse, 404: ErrorResponse, 502: ErrorResponse },
      },
    },
    async (request) => {
      const { siteId } = requireAuth(request);
      return { items: await listTargetSchemas(app.deps, siteId, request.params.id) };
    },
  );

  app.get(
    '/site-schemas',
    {
      schema: {
        tags: ['target-instances'],
        summary: "The current site's Assets schemas, with its stored credentials",
        description: '409 `no_credentials` when the site has none (PUT /api/v1/site-credentials).',
        security: [{ session: [] }],
        response: { 200: SchemaOptionList, 401: ErrorResponse, 409: ErrorResponse, 502: ErrorResponse },
      },
    },
    async (request) => {
      const { siteId } = requireAuth(request);
      return { items: await listSiteSchemas(app.deps, siteId) };
    },
  );
};
