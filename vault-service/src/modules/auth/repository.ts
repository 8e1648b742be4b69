/**
 * Logins in progress (`oidc_login`). They belong to no site yet (the site is only trusted after the
 * callback), so these methods have no site filter; a row is found only by the hash of its random
 * `state`, and is deleted as it is read so a callback can be used once.
 */
import type { Executor } from '../../db/types.js';
import type { LoginProvider } from '../../db/tables/session.js';

export interface NewOidcLogin {
  stateHash: Buffer;
  nonce: string;
  codeVerifier: string;
  provider: LoginProvider;
  siteUrl: string;
  now: Date;
  expiresAt: Date;
}

export interface OidcLogin {
  nonce: string;
  codeVerifier: string;
  provider: LoginProvider;
  siteUrl: string;
}

export async function insertOidcLogin(db: Executor, login: NewOidcLogin): Promise<void> {
  await db
    .insertInto('oidc_login')
    .values({
      state_hash: login.stateHash,
      nonce: login.nonce,
      code_verifier: login.codeVerifier,
      provider: login.provider,
      site_url: login.siteUrl,
      created_at: login.now,
      expires_at: login.expiresAt,
    })
    .execute();
}

/** Takes (deletes and returns) the unexpired login with this state hash. */
export async function takeOidcLogin(db: Executor, stateHash: Buffer, now: Date): Promise<OidcLogin | undefined> {
  const row = await db
    .deleteFrom('oidc_login')
    .where('state_hash', '=', stateHash)
    .returning(['nonce', 'code_verifier', 'provider', 'site_url', 'expires_at'])
    .executeTakeFirst();
  if (!row || row.expires_at <= now) return undefined;
  return { nonce: row.nonce, codeVerifier: row.code_verifier, provider: row.provider, siteUrl: row.site_url };
}

/** Housekeeping: abandoned logins. */
export async function deleteExpiredOidcLogins(db: Executor, now: Date): Promise<number> {
  const result = await db.deleteFrom('oidc_login').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
