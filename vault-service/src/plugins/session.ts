/**
 * Sessions and the API guard (security.md items 10–11).
 *
 * - `app.authService` (modules/auth/service.ts) and `app.sessionCookies` (names and attributes).
 * - Cookies: `__Host-vault_session` (HttpOnly, Secure, SameSite=Lax, Path=/) and, during a login,
 *   `__Host-vault_login` (the OIDC state binding). Only when the public URL is plain http AND
 *   `ALLOW_INSECURE_SITE_URLS` is on outside production are they `vault_session` / `vault_login`
 *   without `Secure` (local demo over http).
 * - `sessionGuard`: every route of the subtree that registers it (app.ts: the session API `/api/v1/*`,
 *   which the webhook-signed `/api/v1/forge/*` is not part of) requires a live session:
 *   `request.auth = { siteId, trustedUserId, email, sessionId }`, otherwise 401 `unauthorized`.
 */
import cookie from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { UnauthorizedError } from '@assets-vault/shared/errors';
import type { Config } from '../config.js';
import { forModule } from '../deps.js';
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
    /** Set by the session guard on the session API (`/api/v1/*`); null elsewhere. */
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

/** `request.auth` on a guarded route; throws 401 if a route outside the guard asks for it. */
export function requireAuth(request: FastifyRequest): AuthContext {
  if (!request.auth) throw new UnauthorizedError();
  return request.auth;
}

/** Step 5 of app.ts: cookie parsing, the auth service and the cookie settings, for the whole app. */
export const sessions = fp(
  async (app) => {
    const { config } = app;
    await app.register(cookie);
    const authService = new AuthService({
      ...forModule(app.deps, 'auth'),
      oidc: new OidcClients(oidcSettingsFromConfig(config)),
      settings: authSettingsFromConfig(config),
    });
    app.decorate('authService', authService);
    app.decorate('sessionCookies', sessionCookieSettings(config));
    app.decorateRequest('auth', null);
  },
  { name: 'vault-sessions', decorators: { fastify: ['config', 'deps'] } },
);

/** A live session for every request of the subtree that registers it; sets `request.auth`. */
export const sessionGuard = fp(
  async (app) => {
    app.addHook('onRequest', async (request) => {
      const auth = await app.authService.authenticate(request.cookies[app.sessionCookies.sessionName]);
      if (!auth) throw new UnauthorizedError();
      request.auth = auth;
    });
  },
  { name: 'vault-session-guard', dependencies: ['vault-sessions'] },
);
