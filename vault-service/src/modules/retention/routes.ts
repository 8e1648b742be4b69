/** The session's site retention policy: read it, replace it (applied at once). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requireAuth } from '../../plugins/session.js';
import { ErrorResponse } from '../../plugins/error-handler.js';
import { getRetentionPolicy, putRetentionPolicy } from './service.js';

const Limit = Type.Union([Type.Integer({ minimum: 0, maximum: 100_000 }), Type.Null()]);
const AgeLimit = Type.Union([Type.Integer({ minimum: 1, maximum: 36_500 }), Type.Null()]);
const Policy = Type.Object({ keepManual: Limit, keepScheduled: Limit, maxAgeDays: AgeLimit });
const PolicyInput = Type.Object(
  { keepManual: Type.Optional(Limit), keepScheduled: Type.Optional(Limit), maxAgeDays: Type.Optional(AgeLimit) },
  { additionalProperties: false },
);

export const retentionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/retention',
    {
      schema: {
        tags: ['retention'],
        summary: 'The site retention policy (null = no limit)',
        security: [{ session: [] }],
        response: { 200: Policy, 401: ErrorResponse },
      },
    },
    async (request) => getRetentionPolicy(app.deps, requireAuth(request).siteId),
  );

  app.put(
    '/retention',
    {
      schema: {
        tags: ['retention'],
        summary:
          "Replace the site retention policy (audited, e-mailed to the site's trusted users); applied at once: backups outside it go to the trash, each schema keeps its newest",
        security: [{ session: [] }],
        body: PolicyInput,
        response: {
          200: Type.Object({ policy: Policy, deleted: Type.Array(Type.String()) }),
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
        },
      },
    },
    async (request) => {
      const auth = requireAuth(request);
      const policy = {
        keepManual: request.body.keepManual ?? null,
        keepScheduled: request.body.keepScheduled ?? null,
        maxAgeDays: request.body.maxAgeDays ?? null,
      };
      const deleted = await putRetentionPolicy(app.deps, auth.siteId, {
        policy,
        actor: auth.email,
        now: app.clock.now(),
      });
      // the notices to the site's trusted users are queued with the policy
      app.workers.emailOutbox?.wake();
      return { policy, deleted };
    },
  );
};
