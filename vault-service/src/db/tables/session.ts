import type { Generated, Selectable } from 'kysely';
import type { CreatedAt, Timestamp } from './site.js';

export type LoginProvider = 'google' | 'microsoft';

/**
 * A browser session after an OpenID Connect login. The cookie carries a random token; only its
 * SHA-256 is stored, so a database read does not yield usable cookies.
 */
export interface SessionTable {
  id: Generated<string>;
  /** SHA-256 of the cookie token (32 bytes). */
  token_hash: Buffer;
  site_id: string;
  trusted_user_id: string;
  provider: LoginProvider;
  /** Stable identity at the provider: Google `iss|sub`, Microsoft `tid|oid`. */
  subject: string;
  /** The verified e-mail the login was matched on (normalised). */
  email: string;
  created_at: CreatedAt;
  last_seen_at: Timestamp;
  /** Absolute end of the session, fixed at login. */
  expires_at: Timestamp;
  /** Sliding end: moved forward by activity, never past `expires_at`. */
  idle_expires_at: Timestamp;
}

/**
 * A login in progress between `/auth/login` and `/auth/callback/:provider` (at most 10 minutes,
 * used once). The state is bound to the browser by a cookie; only its hash is stored.
 */
export interface OidcLoginTable {
  id: Generated<string>;
  state_hash: Buffer;
  nonce: string;
  /** PKCE verifier: random, single-use and short-lived, so stored as is. */
  code_verifier: string;
  provider: LoginProvider;
  /** The site URL the person typed, normalised to an origin (checked only at the callback). */
  site_url: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
}

export interface SessionTables {
  session: SessionTable;
  oidc_login: OidcLoginTable;
}

export type SessionRow = Selectable<SessionTable>;
export type OidcLoginRow = Selectable<OidcLoginTable>;
