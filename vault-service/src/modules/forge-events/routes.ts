/** `POST /api/v1/forge/events`: signed events from the Forge app (architecture.md "Events"). */
import { ForgeEventEnvelope, ForgeEventResponse } from '@assets-vault/shared/contract';
import { ValidationError } from '@assets-vault/shared/errors';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { forModule } from '../../deps.js';
import { deleteSessionsForTrustedUser } from '../auth/session-repository.js';
import { verifiedCall } from '../../plugins/forge-signature.js';
import { ErrorResponse } from '../../plugins/error-handler.js';
import { handleForgeEvent, type ForgeEventExtensions } from './service.js';

/** Events are small; 64 KiB leaves room for long display names and future fields. */
export const FORGE_EVENT_BODY_LIMIT_BYTES = 64 * 1024;

/** Signed routes: registered in the Forge subtree, behind `forgeSignature`. */
export const forgeEventRoutes: FastifyPluginAsyncTypebox<{ extensions: ForgeEventExtensions }> = async (
  app,
  options,
) => {
  const deps = forModule(app.deps, 'forge-events');

  app.post(
    '/events',
    {
      bodyLimit: FORGE_EVENT_BODY_LIMIT_BYTES,
      // The body is validated after signature verification (preValidation); a mismatch is a 422.
      attachValidation: true,
      config: { rateLimit: { max: app.config.forgeEventsRateLimitPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags: ['forge'],
        summary: 'Signed event from the Forge app (Standard Webhooks)',
        description:
          'Headers webhook-id, webhook-timestamp, webhook-signature over the raw body. A retry with the same ' +
          'webhook-id and body answers the stored response without re-applying it.',
        security: [{ webhookSignature: [] }],
        body: ForgeEventEnvelope,
        response: {
          200: ForgeEventResponse,
          401: ErrorResponse,
          409: ErrorResponse,
          413: ErrorResponse,
          422: ErrorResponse,
          429: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const call = verifiedCall(request);
      if (request.validationError) {
        throw new ValidationError('Event does not match the envelope {type, cloudId, siteUrl, occurredAt, data}', {
          statusCode: 422,
          code: 'invalid_event',
          details: request.validationError.validation.map((v: { instancePath: string; message?: string }) => ({
            field: v.instancePath,
            message: v.message,
          })),
        });
      }
      const outcome = await handleForgeEvent(
        { ...deps, deleteSessions: deleteSessionsForTrustedUser, extensions: options.extensions },
        { webhookId: call.id, bodySha256: call.bodySha256, body: request.body },
      );
      if (outcome.emailQueued) app.workers.emailOutbox?.wake();
      if (outcome.duplicate) reply.header('webhook-duplicate', 'true');
      return outcome.response;
    },
  );
};
