/**
 * CSRF protection (security.md item 12) for every state-changing request (POST, PUT, PATCH, DELETE) of
 * the subtree that registers it: app.ts registers it in the two trees browsers call (`/auth/*` and the
 * session API `/api/v1/*`), never in the webhook-signed `/api/v1/forge/*`, which no browser sends:
 *
 *   1. `Origin` must equal the vault's public origin (VAULT_PUBLIC_URL). Browsers send it on every
 *      cross-origin request and on same-origin non-GET requests, and pages cannot forge it.
 *   2. `x-vault-csrf: 1` must be present. A cross-site page cannot add a custom header without a
 *      CORS preflight, which the vault never approves; HTML forms cannot add headers at all.
 *
 * Either check alone is the usual defence; both together also hold if one of them is ever weakened
 * (a proxy dropping Origin, a future CORS rule). The session cookie is SameSite=Lax as a third layer.
 * Refusals are 403 `csrf_failed`.
 */
import fp from 'fastify-plugin';
import { AppError } from '@assets-vault/shared/errors';

export const CSRF_HEADER = 'x-vault-csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export class CsrfError extends AppError {
  override name = 'CsrfError';
  constructor() {
    super('csrf_failed', 'Cross-site request refused: send Origin and the x-vault-csrf header', 403);
  }
}

/** The headers a browser client (the web UI, scripts, tests) sends on state-changing requests. */
export function csrfHeaders(publicUrl: string): Record<string, string> {
  return { origin: new URL(publicUrl).origin, [CSRF_HEADER]: '1' };
}

export const csrfProtection = fp(
  async (app) => {
    const expectedOrigin = new URL(app.config.publicUrl).origin;
    app.addHook('onRequest', async (request) => {
      if (SAFE_METHODS.has(request.method)) return;
      if (request.headers.origin !== expectedOrigin || request.headers[CSRF_HEADER] !== '1') {
        request.log.info({ method: request.method, origin: request.headers.origin }, 'csrf check failed');
        throw new CsrfError();
      }
    });
  },
  { name: 'vault-csrf', decorators: { fastify: ['config'] } },
);
