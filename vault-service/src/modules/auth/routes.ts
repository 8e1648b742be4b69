/**
 * Login with Google or Microsoft, logout, and who-am-I. HTTP only: the rules are in service.ts.
 *
 *   GET  /auth/login?site=&provider=   → 303 to the provider (rate limited)
 *   GET  /auth/callback/:provider      → 303 to the web UI with a fresh session cookie, or the one
 *                                        generic 403 "not authorised" page (rate limited)
 *   POST /auth/logout                  → 204, session row deleted (CSRF-protected like every POST)
 *   GET  /api/v1/me                    → { site: { siteUrl, cloudId }, email, provider } (`meRoutes`, in the
 *                                        session API)
 *   GET  /auth/options                 → what the sign-in page offers: providers, http site URLs allowed
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { requireAuth } from '../../plugins/session.js';
import {
  CallbackQuery,
  ErrorBody,
  HtmlPage,
  LoginOptions,
  LoginQuery,
  Me,
  NoContent,
  ProviderParams,
  Redirect,
} from './schemas.js';

export interface AuthRoutesOptions {
  /** Requests per minute and client address on each login route. */
  loginRateLimitPerMinute: number;
}

const NOT_AUTHORISED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Not authorised · Assets Backup Vault</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:4rem auto;color:#172b4d;line-height:1.5}</style></head>
<body><h1>Not authorised</h1>
<p>This account cannot open the vault for that site. Check the site address (it starts with
<code>https://</code>), sign in with the e-mail address a Jira administrator of the site added as a
trusted user, and try again.</p>
<p><a href="/">Back to sign-in</a></p></body></html>`;

export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, options) => {
  const service = app.authService;
  const cookies = app.sessionCookies;
  const rateLimit = { max: options.loginRateLimitPerMinute, timeWindow: 60_000 };
  const cookieBase = { path: '/', httpOnly: true, secure: cookies.secure, sameSite: 'lax' as const };
  const home = `${app.config.publicUrl}/`;

  const notAuthorised = (reply: FastifyReply) =>
    reply.code(403).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(NOT_AUTHORISED_PAGE);

  app.get(
    '/auth/login',
    {
      config: { rateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Start an OpenID Connect login for a site',
        querystring: LoginQuery,
        response: { 303: Redirect, 400: ErrorBody, 404: ErrorBody, 429: ErrorBody, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      const started = await service.startLogin({ provider: request.query.provider, site: request.query.site });
      reply.setCookie(cookies.loginName, started.state, { ...cookieBase, maxAge: started.maxAgeSeconds });
      return reply.header('cache-control', 'no-store').redirect(started.redirectUrl, 303);
    },
  );

  app.get(
    '/auth/callback/:provider',
    {
      config: { rateLimit },
      schema: {
        tags: ['auth'],
        summary: 'OpenID Connect redirect target; creates the session',
        params: ProviderParams,
        querystring: CallbackQuery,
        response: { 303: Redirect, 403: HtmlPage, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const q = request.url.indexOf('?');
      const result = await service.completeLogin({
        provider: request.params.provider,
        callbackQuery: q >= 0 ? request.url.slice(q) : '',
        stateCookie: request.cookies[cookies.loginName],
        previousToken: request.cookies[cookies.sessionName],
      });
      reply.clearCookie(cookies.loginName, cookieBase);
      if (!result.ok) {
        reply.clearCookie(cookies.sessionName, cookieBase);
        return notAuthorised(reply);
      }
      reply.setCookie(cookies.sessionName, result.token, {
        ...cookieBase,
        maxAge: Math.max(0, Math.floor((result.expiresAt.getTime() - app.clock.now().getTime()) / 1000)),
      });
      return reply.header('cache-control', 'no-store').redirect(home, 303);
    },
  );

  app.post(
    '/auth/logout',
    {
      schema: { tags: ['auth'], summary: 'End the current session', response: { 204: NoContent, 403: ErrorBody } },
    },
    async (request, reply) => {
      await service.logout(request.cookies[cookies.sessionName]);
      reply.clearCookie(cookies.sessionName, cookieBase);
      return reply.code(204).send(null);
    },
  );

  // Public (the sign-in page is shown before any session) and reveals nothing a login attempt would not.
  const loginOptions = {
    providers: { google: app.config.oidc.google !== undefined, microsoft: app.config.oidc.microsoft !== undefined },
    allowInsecureSiteUrls: app.config.allowInsecureSiteUrls,
  };
  app.get(
    '/auth/options',
    {
      schema: {
        tags: ['auth'],
        summary: 'What the sign-in page offers: configured providers, whether http:// site URLs are accepted',
        response: { 200: LoginOptions },
      },
    },
    async () => loginOptions,
  );
};

/** `GET /me` of the session API (`/api/v1/me`). */
export const meRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/me',
    {
      schema: { tags: ['auth'], summary: 'The signed-in user and site', response: { 200: Me, 401: ErrorBody } },
    },
    async (request) => app.authService.me(requireAuth(request)),
  );
};
