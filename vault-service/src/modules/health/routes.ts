/** Liveness and readiness for load balancers and orchestrators. */
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { pendingMigrations } from '../../db/migrate.js';

const Ready = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  database: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
  pendingMigrations: Type.Array(Type.String()),
});

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process answers',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: the database answers and every migration is applied',
        response: { 200: Ready, 503: Ready },
      },
    },
    async (request, reply) => {
      try {
        await sql`select 1`.execute(app.db);
        const pending = await pendingMigrations(app.db);
        const ready = pending.length === 0;
        return reply
          .status(ready ? 200 : 503)
          .send({ status: ready ? 'ready' : 'not_ready', database: 'ok', pendingMigrations: pending });
      } catch (err) {
        request.log.warn({ err }, 'readiness check: database unreachable');
        return reply.status(503).send({ status: 'not_ready', database: 'unreachable', pendingMigrations: [] });
      }
    },
  );
};
