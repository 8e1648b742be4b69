/**
 * Sessions and the API guard (security.md items 10–11).
 *
 * - `app.authService` (modules/auth/service.ts) and `app.sessionCookies` (names and attributes).
 * - Cookies: `__Host-vault_session` (HttpOnly, Secure, SameSite=Lax, Path=/) and, during a login,
 *   `__Host-vault_login` (the OIDC state binding). Only when the public URL is plain http AND
 *   `ALLOW_INSECURE_SITE_URLS` is on outside production are they `vault_session` / `vault_login`
 *   without `Secure` (local demo over http).
 * - Every route under `/api/v1/` except the webhook-signed `/api/v1/forge/*` requires a live session:
 *   `request.auth = { siteId, trustedUserId, email, sessionId }`, otherwise 401 `unauthorized`.
 */
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UnauthorizedError } from '@assets-vault/shared/errors';
import type { Config } from '../config.js';
import { OidcClients, type OidcSettings } from '../modules/auth/oidc.js';
import { AuthService, type AuthContext, type AuthSettings } from '../modules/auth/service.js';

export interface SessionCookieSettings {
  sessionName: string;
  loginName: string;
  secure: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    authService: AuthService;
    sessionCookies: SessionCookieSettings;
  }
  interface FastifyRequest {
    /** Set on `/api/v1/*` (except `/api/v1/forge/*`) by the session guard; null elsewhere. */
    auth: AuthContext | null;
  }
}

const LOGIN_TIMEOUT_MS = 10 * 60_000;

/** Cookie names and the Secure flag for a configuration (see the file comment). */
export function sessionCookieSettings(
  config: Pick<Config, 'publicUrl' | 'allowInsecureSiteUrls' | 'isProduction'>,
): SessionCookieSettings {
  const insecure = config.publicUrl.startsWith('http:') && config.allowInsecureSiteUrls && !config.isProduction;
  return insecure
    ? { sessionName: 'vault_session', loginName: 'vault_login', secure: false }
    : { sessionName: '__Host-vault_session', loginName: '__Host-vault_login', secure: true };
}

export function authSettingsFromConfig(config: Config): AuthSettings {
  return {
    sessionIdleTimeoutMs: config.session.idleTimeoutMs,
    sessionAbsoluteTimeoutMs: config.session.absoluteTimeoutMs,
    loginTimeoutMs: LOGIN_TIMEOUT_MS,
    sitePolicy: { allowInsecureSiteUrls: config.allowInsecureSiteUrls, allowedSiteHosts: config.allowedSiteHosts },
  };
}

export function oidcSettingsFromConfig(config: Config): OidcSettings {
  const providers: OidcSettings['providers'] = {};
  if (config.oidc.google) providers.google = { ...config.oidc.google };
  if (config.oidc.microsoft) providers.microsoft = { ...config.oidc.microsoft };
  return { providers, publicUrl: config.publicUrl, isProduction: config.isProduction };
}

/** Whether a route is behind the session guard. */
export function isSessionProtectedPath(path: string): boolean {
  return path.startsWith('/api/v1/') && !(path === '/api/v1/forge' || path.startsWith('/api/v1/forge/'));
}

/** `request.auth` on a guarded route; throws 401 if a route outside the guard asks for it. */
export function requireAuth(request: FastifyRequest): AuthContext {
  if (!request.auth) throw new UnauthorizedError();
  return request.auth;
}

/** Step 5/6 of app.ts: cookie parsing, the auth service, and the `/api/v1/*` session guard. */
export async function registerSessions(app: FastifyInstance): Promise<void> {
  const { config } = app;
  await app.register(cookie);
  const authService = new AuthService({
    db: app.db,
    clock: app.clock,
    log: app.log.child({ module: 'auth' }),
    oidc: new OidcClients(oidcSettingsFromConfig(config)),
    settings: authSettingsFromConfig(config),
  });
  const cookies = sessionCookieSettings(config);
  app.decorate('authService', authService);
  app.decorate('sessionCookies', cookies);
  app.decorateRequest('auth', null);

  app.addHook('onRequest', async (request) => {
    const path = request.routeOptions.url ?? request.url.split('?')[0] ?? '';
    if (!isSessionProtectedPath(path)) return;
    const auth = await authService.authenticate(request.cookies[cookies.sessionName]);
    if (!auth) throw new UnauthorizedError();
    request.auth = auth;
  });
}
