/**
 * OpenID Connect relying party for Google and Microsoft (openid-client 6.9.0, a certified client:
 * it checks the ID token signature, issuer, audience, expiry, nonce, state, PKCE and the `iss`
 * authorization response parameter). Discovery runs on first use and is cached, so the vault starts
 * without network; a failed discovery is retried on the next login.
 *
 * Identity rules (README "Login"):
 * - Google: identity `iss|sub`; the e-mail counts only when `email_verified` is true.
 * - Microsoft (multi-tenant `common` issuer, `{tenantid}` templated issuer checked against the token's
 *   `tid` by openid-client): identity `tid|oid`; optional allow-list of tenants; e-mail is `email`
 *   only when `xms_edov` (e-mail domain owner verified) is true, otherwise `preferred_username`
 *   (or `upn`) of a work/school account, whose domain Entra requires to be verified by the tenant.
 *   Personal Microsoft accounts without `xms_edov` have no usable e-mail.
 */
import * as client from 'openid-client';
import type { LoginProvider } from '../../db/tables/session.js';

export const LOGIN_PROVIDERS: readonly LoginProvider[] = ['google', 'microsoft'];

/** The tenant id of personal Microsoft accounts (outlook.com, hotmail.com …). */
export const MICROSOFT_CONSUMER_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

export interface OidcProviderSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Microsoft only: tenant ids (`tid`) allowed to log in; empty allows every tenant. */
  allowedTenants?: readonly string[];
}

export interface OidcSettings {
  providers: Partial<Record<LoginProvider, OidcProviderSettings>>;
  /** The vault's public URL; redirect URIs are `<publicUrl>/auth/callback/<provider>`. */
  publicUrl: string;
  /** Plain-http issuers are accepted only outside production (the local test provider). */
  isProduction: boolean;
  /** Seconds per request to the provider. */
  timeoutSeconds?: number;
}

export interface AuthorizationRequest {
  url: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Claims of a validated ID token (only what the mapping reads). */
export type IdTokenClaims = Readonly<Record<string, unknown>>;

export type IdentityResult =
  { ok: true; subject: string; email: string } | { ok: false; reason: IdentityRejection; email?: string };

export type IdentityRejection =
  'missing_subject' | 'email_missing' | 'email_unverified' | 'tenant_missing' | 'tenant_not_allowed';

/** Raised when the provider cannot be reached or configured; login cannot even start. */
export class OidcUnavailableError extends Error {
  override name = 'OidcUnavailableError';
}

/** Raised for any failed callback (state, code exchange, token validation); `code` is safe to log. */
export class OidcCallbackError extends Error {
  override name = 'OidcCallbackError';
  readonly code: string;
  constructor(code: string, options?: { cause?: unknown }) {
    super(`OpenID Connect callback rejected (${code})`, options);
    this.code = code;
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normaliseEmail(value: string): string {
  return value.trim().toLowerCase();
}

function isTrue(value: unknown): boolean {
  // Entra has emitted optional boolean claims both as JSON booleans and as strings.
  return value === true || value === 'true' || value === 1 || value === '1';
}

function stringClaim(claims: IdTokenClaims, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Maps validated ID token claims to the identity and verified e-mail the vault trusts. */
export function identityFromClaims(
  provider: LoginProvider,
  claims: IdTokenClaims,
  settings: Pick<OidcProviderSettings, 'allowedTenants'> = {},
): IdentityResult {
  if (provider === 'google') {
    const iss = stringClaim(claims, 'iss');
    const sub = stringClaim(claims, 'sub');
    if (!iss || !sub) return { ok: false, reason: 'missing_subject' };
    const email = stringClaim(claims, 'email');
    if (!email || !EMAIL.test(email)) return { ok: false, reason: 'email_missing' };
    if (!isTrue(claims.email_verified)) return { ok: false, reason: 'email_unverified', email: normaliseEmail(email) };
    return { ok: true, subject: `${iss}|${sub}`, email: normaliseEmail(email) };
  }

  const tid = stringClaim(claims, 'tid')?.toLowerCase();
  const oid = stringClaim(claims, 'oid')?.toLowerCase();
  if (!tid) return { ok: false, reason: 'tenant_missing' };
  if (!oid) return { ok: false, reason: 'missing_subject' };
  const allowed = settings.allowedTenants ?? [];
  if (allowed.length > 0 && !allowed.some((t) => t.toLowerCase() === tid))
    return { ok: false, reason: 'tenant_not_allowed' };

  const email = stringClaim(claims, 'email');
  if (email && EMAIL.test(email) && isTrue(claims.xms_edov)) {
    return { ok: true, subject: `${tid}|${oid}`, email: normaliseEmail(email) };
  }
  const signInName = stringClaim(claims, 'preferred_username') ?? stringClaim(claims, 'upn');
  if (tid !== MICROSOFT_CONSUMER_TENANT && signInName && EMAIL.test(signInName)) {
    return { ok: true, subject: `${tid}|${oid}`, email: normaliseEmail(signInName) };
  }
  const shown = email ?? signInName;
  return shown
    ? { ok: false, reason: 'email_unverified', email: normaliseEmail(shown) }
    : { ok: false, reason: 'email_missing' };
}

/** One lazily discovered openid-client `Configuration` per provider. */
export class OidcClients {
  readonly #settings: OidcSettings;
  readonly #configurations = new Map<LoginProvider, Promise<client.Configuration>>();

  constructor(settings: OidcSettings) {
    for (const [name, provider] of Object.entries(settings.providers)) {
      if (settings.isProduction && new URL(provider.issuer).protocol !== 'https:') {
        throw new Error(`OIDC issuer of ${name} must use https in production`);
      }
    }
    this.#settings = settings;
  }

  isConfigured(provider: LoginProvider): boolean {
    return this.#settings.providers[provider] !== undefined;
  }

  providerSettings(provider: LoginProvider): OidcProviderSettings | undefined {
    return this.#settings.providers[provider];
  }

  redirectUri(provider: LoginProvider): string {
    return `${this.#settings.publicUrl}/auth/callback/${provider}`;
  }

  async #configuration(provider: LoginProvider): Promise<client.Configuration> {
    const cached = this.#configurations.get(provider);
    if (cached) return cached;
    const settings = this.#settings.providers[provider];
    if (!settings) throw new OidcUnavailableError(`login provider ${provider} is not configured`);
    const issuer = new URL(settings.issuer);
    const pending = client
      .discovery(
        issuer,
        settings.clientId,
        { client_secret: settings.clientSecret },
        client.ClientSecretPost(settings.clientSecret),
        {
          timeout: this.#settings.timeoutSeconds ?? 10,
          // Only reachable for http issuers outside production (checked in the constructor).
          ...(issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {}),
        },
      )
      .catch((cause: unknown) => {
        this.#configurations.delete(provider); // retry discovery on the next login
        throw new OidcUnavailableError(`discovery of the ${provider} issuer failed`, { cause });
      });
    this.#configurations.set(provider, pending);
    return pending;
  }

  /** A fresh state, nonce and PKCE verifier, and the URL to send the browser to. */
  async authorizationRequest(provider: LoginProvider): Promise<AuthorizationRequest> {
    const configuration = await this.#configuration(provider);
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri(provider),
      response_type: 'code',
      scope: 'openid email profile',
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url, state, nonce, codeVerifier };
  }

  /**
   * Exchanges the code from the callback query for tokens and returns the validated ID token claims.
   * Throws `OidcCallbackError` for anything the library rejects.
   */
  async completeAuthorization(
    provider: LoginProvider,
    callbackQuery: string,
    pending: PendingLogin,
  ): Promise<IdTokenClaims> {
    let configuration: client.Configuration;
    try {
      configuration = await this.#configuration(provider);
    } catch (cause) {
      throw new OidcCallbackError('provider_unavailable', { cause });
    }
    // openid-client derives the token request's redirect_uri from this URL without its query.
    const currentUrl = new URL(`${this.redirectUri(provider)}${callbackQuery}`);
    try {
      const tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new OidcCallbackError('id_token_missing');
      return claims;
    } catch (cause) {
      if (cause instanceof OidcCallbackError) throw cause;
      const code =
        typeof (cause as { code?: unknown }).code === 'string' ? (cause as { code: string }).code : 'oidc_error';
      throw new OidcCallbackError(code, { cause });
    }
  }
}
