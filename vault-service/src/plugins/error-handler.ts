/**
 * The one error handler. Every error answer is `{ error, message, details? }`:
 * - `AppError` (shared/errors) keeps its status and code; its message is shown when `expose`.
 * - Fastify request validation → 400 `validation_failed` with the failing fields as `details`.
 * - Other 4xx raised by Fastify or plugins (body too large, bad JSON, rate limit) keep their status
 *   under a stable code.
 * - Anything else → 500 `internal` with a fixed message; logged once with the error, never echoed.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '@assets-vault/shared/errors';
import { Type } from '@sinclair/typebox';

/** The error body every route declares for its 4xx answers (OpenAPI and serialization). */
export const ErrorResponse = Type.Object({
  error: Type.String({ description: 'Stable snake_case code' }),
  message: Type.String(),
  details: Type.Optional(Type.Unknown()),
});

export interface ErrorBody {
  error: string;
  message: string;
  details?: unknown;
}

const FASTIFY_CODES: Record<string, { status: number; error: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, error: 'payload_too_large', message: 'Request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, error: 'unsupported_media_type', message: 'Unsupported content type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, error: 'bad_request', message: 'Invalid content length' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, error: 'bad_request', message: 'Body must not be empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, error: 'bad_request', message: 'Body is not valid JSON' },
};

function isFastifyError(err: unknown): err is FastifyError {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'string';
}

/** Maps any thrown value to a status and body; exported so the mapping can be tested on its own. */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof AppError) {
    const body: ErrorBody = { error: err.code, message: err.expose ? err.message : 'Internal error' };
    if (err.expose && err.details !== undefined) body.details = err.details;
    return { status: err.statusCode, body };
  }
  if (err instanceof Error && Array.isArray((err as FastifyError).validation)) {
    const fe = err as FastifyError;
    const details = (fe.validation ?? []).map((v) => ({
      field: `${fe.validationContext ?? ''}${v.instancePath || ''}` || undefined,
      message: v.message,
      params: v.params,
    }));
    return { status: 400, body: { error: 'validation_failed', message: 'Request is invalid', details } };
  }
  if (isFastifyError(err)) {
    const known = FASTIFY_CODES[err.code];
    if (known) return { status: known.status, body: { error: known.error, message: known.message } };
  }
  const status = err instanceof Error ? (err as { statusCode?: unknown }).statusCode : undefined;
  if (typeof status === 'number' && status === 429) {
    return { status, body: { error: 'rate_limited', message: 'Too many requests, try again later' } };
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { error: 'bad_request', message: 'Request could not be processed' } };
  }
  return { status: 500, body: { error: 'internal', message: 'Internal error' } };
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorResponse(err);
    // work stopped because its requester left is not a server fault, and nobody reads the answer
    if (reply.raw.destroyed) {
      request.log.info({ method: request.method, url: request.routeOptions.url }, 'request abandoned by the client');
      return reply;
    }
    if (status >= 500) {
      request.log.error({ err, method: request.method, url: request.routeOptions.url }, 'request failed');
    } else {
      request.log.info({ status, error: body.error }, 'request rejected');
    }
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler(notFound);
}

/**
 * The 404 answer. A prefixed subtree sets it again for itself, so that its hooks (the session guard of
 * `/api/v1`) also answer for routes that do not exist there.
 */
export function notFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const body: ErrorBody = {
    error: 'not_found',
    message: `Route ${request.method} ${request.url.split('?')[0]} not found`,
  };
  return reply.status(404).send(body);
}

/** The error and 404 handlers of the whole app (step 4 of app.ts). */
export const errorHandler = fp(async (app) => registerErrorHandler(app), { name: 'vault-error-handler' });
