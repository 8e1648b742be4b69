/**
 * Signed Forge calls (`/api/v1/forge/*`): app.ts registers this in the encapsulated context of those
 * routes. It replaces the body parsers there by one that keeps the raw bytes, verifies the Standard
 * Webhooks signature over exactly those bytes in `preValidation`, and only then parses JSON bodies,
 * so an unsigned body is never parsed. `request.webhook` then carries the verified id and body hash.
 */
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { UnauthorizedError, ValidationError } from '@assets-vault/shared/errors';
import { verifyWebhook } from '@assets-vault/shared/webhooks';

export interface VerifiedForgeCall {
  /** The `webhook-id` header: the idempotency key of this call. */
  id: string;
  timestampSec: number;
  rawBody: Buffer;
  /** SHA-256 of `rawBody`. */
  bodySha256: Buffer;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on `/api/v1/forge/*` routes after the signature was verified. */
    webhook: VerifiedForgeCall | null;
  }
}

/** Reads the verified call of a signed route; throws if the route is not behind `forgeSignature`. */
export function verifiedCall(request: FastifyRequest): VerifiedForgeCall {
  if (!request.webhook) throw new UnauthorizedError('Request is not signed');
  return request.webhook;
}

function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || type.endsWith('+json');
}

/** JSON.parse that refuses prototype-polluting keys, as Fastify's own parser does. */
export function parseJsonStrict(raw: Buffer): unknown {
  return JSON.parse(raw.toString('utf8'), (key, value: unknown) => {
    if (key === '__proto__' || key === 'constructor') throw new SyntaxError('Forbidden key in JSON body');
    return value;
  });
}

export const forgeSignature = fp(
  async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    app.decorateRequest('webhook', null);

    app.addHook('preValidation', async (request) => {
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const secrets = app.config.forgeWebhookSecrets;
      if (secrets.length === 0) {
        request.log.warn('signed call rejected: FORGE_WEBHOOK_SECRETS is not configured');
        throw new UnauthorizedError('Webhook signature could not be verified', { code: 'webhook_verification_failed' });
      }
      // Throws WebhookVerificationError (401, stable `reason`) on any mismatch.
      const verified = verifyWebhook({ secrets, headers: request.headers, body: rawBody });
      request.webhook = {
        id: verified.id,
        timestampSec: verified.timestampSec,
        rawBody,
        bodySha256: createHash('sha256').update(rawBody).digest(),
      };
      if (isJson(request.headers['content-type'])) {
        try {
          request.body = parseJsonStrict(rawBody);
        } catch {
          throw new ValidationError('Body is not valid JSON', { statusCode: 422, code: 'invalid_json' });
        }
      }
    });
  },
  { name: 'vault-forge-signature', decorators: { fastify: ['config'] } },
);
