/**
 * Login, sessions and logout (security.md items 7–11).
 *
 * - A login attempt stores its state (hashed), nonce and PKCE verifier in `oidc_login` for ten
 *   minutes; the state is also set in a `__Host-` cookie, so only the browser that started a login
 *   can finish it (no login CSRF) and a callback works once.
 * - The callback validates the ID token (openid-client), derives a verified e-mail (oidc.ts rules),
 *   and only then looks at the site and the trusted user. Every failure after the browser reached the
 *   callback gives the same answer (`{ ok: false }`): wrong state, provider errors, unverified or
 *   untrusted e-mail, http:// or unknown site. The reason goes to the audit log, never to the client.
 * - A session is a random 256-bit token in a cookie; Postgres keeps only its SHA-256 with absolute
 *   and idle expiries. Each login creates a new token and deletes the session the browser had.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError, NotFoundError, ValidationError } from '@assets-vault/shared/errors';
import type { VaultDeps } from '../../deps.js';
import type { LoginProvider } from '../../db/tables/session.js';
import { insertAuditEvent } from '../audit/repository.js';
import { findSiteByUrl } from '../sites/repository.js';
import { normaliseSiteUrl, type SiteUrlPolicy } from '../sites/site-url.js';
import { findTrustedUserForLogin, recordTrustedUserLogin } from '../trusted-users/repository.js';
import { identityFromClaims, OidcCallbackError, OidcUnavailableError, type OidcClients } from './oidc.js';
import { deleteExpiredOidcLogins, insertOidcLogin, takeOidcLogin } from './repository.js';
import {
  deleteEndedSessions,
  deleteSessionByTokenHash,
  findLiveSessionByTokenHash,
  findSessionOverview,
  insertSession,
  touchSession,
} from './session-repository.js';

export interface AuthSettings {
  sessionIdleTimeoutMs: number;
  sessionAbsoluteTimeoutMs: number;
  /** How long a started login may take at the provider. */
  loginTimeoutMs: number;
  sitePolicy: SiteUrlPolicy;
}

/** The app's deps plus what only logins need: the OIDC clients (their discovery is cached) and the settings. */
export type AuthServiceDeps = Pick<VaultDeps, 'db' | 'clock' | 'log'> & { oidc: OidcClients; settings: AuthSettings };

/** `request.auth` on every route of the session API (`/api/v1/*`). */
export interface AuthContext {
  siteId: string;
  trustedUserId: string;
  email: string;
  sessionId: string;
}

export interface Me {
  site: { siteUrl: string; cloudId: string };
  email: string;
  provider: LoginProvider;
}

export type LoginResult = { ok: true; token: string; expiresAt: Date } | { ok: false; reason: string };

// Same shape as the tokens: 32 random bytes, base64url. Anything else is not looked up.
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
// A site id that matches nothing, so an unknown site costs the same queries as a known one.
const NO_SITE = '00000000-0000-0000-0000-000000000000';
const MAX_SITE_INPUT = 2048;

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function isWellFormedToken(token: string | undefined): token is string {
  return token !== undefined && TOKEN_PATTERN.test(token);
}

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(hashToken(a), hashToken(b));
}

export class AuthService {
  readonly #deps: AuthServiceDeps;

  constructor(deps: AuthServiceDeps) {
    this.#deps = deps;
  }

  get oidc(): OidcClients {
    return this.#deps.oidc;
  }

  /**
   * Starts a login: remembers state/nonce/PKCE and returns the provider URL and the state for the
   * browser-binding cookie. The site is only checked at the callback, so this answer is the same for
   * every site and address.
   */
  async startLogin(input: {
    provider: LoginProvider;
    site: string;
  }): Promise<{ redirectUrl: string; state: string; maxAgeSeconds: number }> {
    const { db, clock, oidc, settings } = this.#deps;
    if (!oidc.isConfigured(input.provider))
      throw new NotFoundError('This login provider is not configured', { code: 'unknown_provider' });
    const site = input.site.trim();
    if (site.length === 0 || site.length > MAX_SITE_INPUT || !URL.canParse(site)) {
      throw new ValidationError('Site URL must be an absolute URL such as https://your-site.atlassian.net', {
        code: 'invalid_site_url',
      });
    }
    let request;
    try {
      request = await oidc.authorizationRequest(input.provider);
    } catch (err) {
      if (err instanceof OidcUnavailableError) {
        this.#deps.log.warn({ provider: input.provider, err: err.cause ?? err }, 'login provider unavailable');
        throw new AppError('provider_unavailable', 'The login provider cannot be reached; try again later', 503, {
          expose: true,
        });
      }
      throw err;
    }
    const now = clock.now();
    await deleteExpiredOidcLogins(db, now);
    await insertOidcLogin(db, {
      stateHash: hashToken(request.state),
      nonce: request.nonce,
      codeVerifier: request.codeVerifier,
      provider: input.provider,
      siteUrl: site,
      now,
      expiresAt: new Date(now.getTime() + settings.loginTimeoutMs),
    });
    return {
      redirectUrl: request.url.href,
      state: request.state,
      maxAgeSeconds: Math.ceil(settings.loginTimeoutMs / 1000),
    };
  }

  /**
   * Finishes a login at `/auth/callback/:provider`. `callbackQuery` is the raw `?…` of the callback
   * URL; `stateCookie` the browser-binding cookie; `previousToken` the session cookie the browser
   * already had (deleted: a login always gets a fresh session).
   */
  async completeLogin(input: {
    provider: LoginProvider;
    callbackQuery: string;
    stateCookie: string | undefined;
    previousToken: string | undefined;
  }): Promise<LoginResult> {
    const { db, clock, oidc, settings } = this.#deps;
    const now = clock.now();
    const state = new URLSearchParams(input.callbackQuery).get('state');
    if (!state || !input.stateCookie || !sameSecret(state, input.stateCookie)) {
      return this.#reject({ reason: 'state_mismatch', provider: input.provider });
    }
    const pending = await takeOidcLogin(db, hashToken(state), now);
    if (!pending) return this.#reject({ reason: 'unknown_login', provider: input.provider });
    if (pending.provider !== input.provider)
      return this.#reject({ reason: 'provider_mismatch', provider: input.provider });
    const siteInput = pending.siteUrl.slice(0, 200);

    let claims;
    try {
      claims = await oidc.completeAuthorization(input.provider, input.callbackQuery, {
        state,
        nonce: pending.nonce,
        codeVerifier: pending.codeVerifier,
      });
    } catch (err) {
      if (!(err instanceof OidcCallbackError)) throw err;
      return this.#reject({ reason: 'oidc_rejected', detail: err.code, provider: input.provider, siteUrl: siteInput });
    }
    const identity = identityFromClaims(input.provider, claims, oidc.providerSettings(input.provider));
    if (!identity.ok) {
      return this.#reject({
        reason: identity.reason,
        provider: input.provider,
        siteUrl: siteInput,
        email: identity.email,
      });
    }

    // Site and trust: the same two queries whatever the outcome, one answer for every failure.
    let siteUrl: string | undefined;
    try {
      siteUrl = normaliseSiteUrl(pending.siteUrl, settings.sitePolicy);
    } catch {
      siteUrl = undefined;
    }
    const site = siteUrl === undefined ? undefined : await findSiteByUrl(db, siteUrl);
    const user = await findTrustedUserForLogin(db, site?.id ?? NO_SITE, identity.email);
    if (siteUrl === undefined || !site || !user) {
      const reason = siteUrl === undefined ? 'invalid_site_url' : !site ? 'unknown_site' : 'untrusted_email';
      return this.#reject({
        reason,
        provider: input.provider,
        siteUrl: siteUrl ?? siteInput,
        email: identity.email,
        siteId: site?.id,
      });
    }

    const token = newSessionToken();
    const expiresAt = new Date(now.getTime() + settings.sessionAbsoluteTimeoutMs);
    const idleExpiresAt = new Date(Math.min(now.getTime() + settings.sessionIdleTimeoutMs, expiresAt.getTime()));
    const created = await db.transaction().execute(async (trx) => {
      // Guarded update: a removal that committed since the lookup above wins.
      const recorded = await recordTrustedUserLogin(trx, site.id, user.id, now);
      if (!recorded) return undefined;
      if (isWellFormedToken(input.previousToken)) await deleteSessionByTokenHash(trx, hashToken(input.previousToken));
      const session = await insertSession(trx, site.id, {
        tokenHash: hashToken(token),
        trustedUserId: user.id,
        provider: input.provider,
        subject: identity.subject,
        email: identity.email,
        now,
        expiresAt,
        idleExpiresAt,
      });
      await insertAuditEvent(trx, site.id, {
        actor: identity.email,
        action: 'auth.login',
        target: user.id,
        details: { provider: input.provider, firstLogin: user.status === 'invited' },
      });
      return session;
    });
    if (!created) {
      return this.#reject({
        reason: 'untrusted_email',
        provider: input.provider,
        siteUrl,
        email: identity.email,
        siteId: site.id,
      });
    }
    await deleteEndedSessions(db, now);
    this.#deps.log.info({ siteId: site.id, trustedUserId: user.id, provider: input.provider }, 'login succeeded');
    return { ok: true, token, expiresAt };
  }

  async #reject(failure: {
    reason: string;
    provider: LoginProvider;
    detail?: string;
    siteUrl?: string;
    email?: string;
    siteId?: string;
  }): Promise<LoginResult> {
    const details: Record<string, unknown> = { reason: failure.reason, provider: failure.provider };
    if (failure.detail !== undefined) details.detail = failure.detail;
    if (failure.siteUrl !== undefined) details.siteUrl = failure.siteUrl;
    await insertAuditEvent(this.#deps.db, failure.siteId ?? null, {
      actor: failure.email ?? 'anonymous',
      action: 'auth.login_failed',
      details,
    });
    this.#deps.log.info(
      { reason: failure.reason, detail: failure.detail, provider: failure.provider },
      'login rejected',
    );
    return { ok: false, reason: failure.reason };
  }

  /** The session a cookie token names, if live; records activity at most once per interval. */
  async authenticate(token: string | undefined): Promise<AuthContext | undefined> {
    if (!isWellFormedToken(token)) return undefined;
    const { db, clock, settings } = this.#deps;
    const now = clock.now();
    const session = await findLiveSessionByTokenHash(db, hashToken(token), now);
    if (!session) return undefined;
    // Writing on every request would turn reads into writes; a minute of idle-time slack is fine.
    const touchEveryMs = Math.min(60_000, settings.sessionIdleTimeoutMs / 10);
    if (now.getTime() - session.lastSeenAt.getTime() >= touchEveryMs) {
      await touchSession(
        db,
        session.siteId,
        session.sessionId,
        now,
        new Date(now.getTime() + settings.sessionIdleTimeoutMs),
      );
    }
    return {
      siteId: session.siteId,
      trustedUserId: session.trustedUserId,
      email: session.email,
      sessionId: session.sessionId,
    };
  }

  /** Deletes the session the cookie names (no-op without one). */
  async logout(token: string | undefined): Promise<void> {
    if (!isWellFormedToken(token)) return;
    const { db } = this.#deps;
    await db.transaction().execute(async (trx) => {
      const deleted = await deleteSessionByTokenHash(trx, hashToken(token));
      if (deleted)
        await insertAuditEvent(trx, deleted.siteId, { actor: deleted.email, action: 'auth.logout', details: {} });
    });
  }

  async me(auth: AuthContext): Promise<Me> {
    const overview = await findSessionOverview(this.#deps.db, auth.siteId, auth.sessionId);
    if (!overview) throw new AppError('unauthorized', 'Not authorised', 401);
    return {
      site: { siteUrl: overview.siteUrl, cloudId: overview.cloudId },
      email: overview.email,
      provider: overview.provider,
    };
  }
}
