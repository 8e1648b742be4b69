/**
 * Logged-in users for tests.
 * - `createTestSession`: a real session row through the session repository, for suites that need a
 *   signed-in user quickly (no OpenID provider involved). Returns a `cookie` header value.
 * - `csrfHeaders` (re-exported): what a browser sends on POST/PUT/PATCH/DELETE.
 * - `loginThroughIdp`: the full browser flow against a running vault and test IdP.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/types.js';
import type { LoginProvider } from '../../src/db/tables/session.js';
import { insertSession } from '../../src/modules/auth/session-repository.js';
import { hashToken, newSessionToken } from '../../src/modules/auth/service.js';
import type { BrowseResult, TestBrowser } from './idp.js';

export { csrfHeaders } from '../../src/plugins/csrf.js';

export interface TestSessionInput {
  siteId: string;
  trustedUserId: string;
  email: string;
  provider?: LoginProvider;
  /** Defaults to 12 hours. */
  ttlMs?: number;
  /**
   * Cookie name to use. By default the header carries the token under both names the vault may use
   * (`__Host-vault_session` and, in insecure local mode, `vault_session`); the vault reads only the
   * one its configuration selects, so the value works with either configuration.
   */
  cookieName?: string;
}

/** Creates a live session for an (active) trusted user and returns the `cookie` header value. */
export async function createTestSession(db: Kysely<DB>, input: TestSessionInput): Promise<string> {
  const token = newSessionToken();
  const now = new Date();
  const expiresAt = new Date(now.getTime() + (input.ttlMs ?? 12 * 3_600_000));
  await insertSession(db, input.siteId, {
    tokenHash: hashToken(token),
    trustedUserId: input.trustedUserId,
    provider: input.provider ?? 'google',
    subject: `test|${input.trustedUserId}`,
    email: input.email,
    now,
    expiresAt,
    idleExpiresAt: expiresAt,
  });
  if (input.cookieName) return `${input.cookieName}=${token}`;
  return `__Host-vault_session=${token}; vault_session=${token}`;
}

/**
 * Runs `/auth/login` → provider → `/auth/callback/:provider` in `browser`, signing in `account` at
 * the test IdP. Stops before following the final redirect into the web UI; the callback response
 * (303 on success, 403 page otherwise) is returned.
 */
export async function loginThroughIdp(
  browser: TestBrowser,
  vaultUrl: string,
  input: { site: string; provider: LoginProvider; account: string },
): Promise<BrowseResult> {
  const start = new URL('/auth/login', vaultUrl);
  start.searchParams.set('site', input.site);
  start.searchParams.set('provider', input.provider);
  const vaultOrigin = new URL(vaultUrl).origin;
  return browser.fetch(start.href, {
    account: input.account,
    // After the callback the vault redirects into the web UI: stop there.
    stopBefore: (url) => url.origin === vaultOrigin && !url.pathname.startsWith('/auth/'),
  });
}
