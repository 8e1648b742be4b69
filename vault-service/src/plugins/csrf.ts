/**
 * CSRF protection (security.md item 12) for every state-changing request (POST, PUT, PATCH, DELETE)
 * except the webhook-signed `/api/v1/forge/*`, which no browser sends:
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
import type { FastifyInstance } from 'fastify';
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

function isExempt(path: string): boolean {
  return path === '/api/v1/forge' || path.startsWith('/api/v1/forge/');
}

export function registerCsrf(app: FastifyInstance): void {
  const expectedOrigin = new URL(app.config.publicUrl).origin;
  app.addHook('onRequest', async (request) => {
    if (SAFE_METHODS.has(request.method)) return;
    const path = request.routeOptions.url ?? request.url.split('?')[0] ?? '';
    if (isExempt(path)) return;
    if (request.headers.origin !== expectedOrigin || request.headers[CSRF_HEADER] !== '1') {
      request.log.info({ method: request.method, origin: request.headers.origin }, 'csrf check failed');
      throw new CsrfError();
    }
  });
}
