/**
 * Which ID token claims make a verified e-mail (security.md item 8). Pure rules, no provider needed;
 * the end-to-end flows are in auth-login.test.ts.
 */
import { identityFromClaims, MICROSOFT_CONSUMER_TENANT } from '../src/modules/auth/oidc.js';
import { loadConfig } from '../src/config.js';

const TID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const OID = '00000000-0000-0000-66f3-3332eca7ea81';

describe('identityFromClaims: Google', () => {
  const base = { iss: 'https://accounts.google.com', sub: '1234567890' };

  it('accepts a verified e-mail, normalised, keyed by iss|sub', () => {
    expect(identityFromClaims('google', { ...base, email: ' Ana@Example.COM ', email_verified: true })).toEqual({
      ok: true,
      subject: 'https://accounts.google.com|1234567890',
      email: 'ana@example.com',
    });
  });

  it.each([
    ['email_verified false', { email: 'ana@example.com', email_verified: false }, 'email_unverified'],
    ['email_verified missing', { email: 'ana@example.com' }, 'email_unverified'],
    ['email_verified "false"', { email: 'ana@example.com', email_verified: 'false' }, 'email_unverified'],
    ['no e-mail', { email_verified: true }, 'email_missing'],
    ['not an e-mail', { email: 'ana', email_verified: true }, 'email_missing'],
  ])('rejects %s', (_name, claims, reason) => {
    expect(identityFromClaims('google', { ...base, ...claims })).toMatchObject({ ok: false, reason });
  });

  it('rejects a token without a subject', () => {
    expect(identityFromClaims('google', { iss: base.iss, email: 'a@b.co', email_verified: true })).toMatchObject({
      ok: false,
      reason: 'missing_subject',
    });
  });
});

describe('identityFromClaims: Microsoft', () => {
  const base = { tid: TID, oid: OID };

  it('uses `email` when xms_edov says the domain owner verified it', () => {
    expect(
      identityFromClaims('microsoft', {
        ...base,
        email: 'Ana@Contoso.com',
        preferred_username: 'ana@contoso.onmicrosoft.com',
        xms_edov: true,
      }),
    ).toEqual({
      ok: true,
      subject: `${TID}|${OID}`,
      email: 'ana@contoso.com',
    });
    expect(identityFromClaims('microsoft', { ...base, email: 'ana@contoso.com', xms_edov: '1' })).toMatchObject({
      ok: true,
      email: 'ana@contoso.com',
    });
  });

  it('ignores an unverified `email` and uses the work account sign-in name instead (nOAuth)', () => {
    const claims = { ...base, email: 'ceo@victim.com', preferred_username: 'mallory@attacker.com' };
    expect(identityFromClaims('microsoft', claims)).toMatchObject({ ok: true, email: 'mallory@attacker.com' });
    expect(identityFromClaims('microsoft', { ...claims, xms_edov: false })).toMatchObject({
      ok: true,
      email: 'mallory@attacker.com',
    });
  });

  it('falls back to `upn` when there is no preferred_username', () => {
    expect(identityFromClaims('microsoft', { ...base, upn: 'bob@contoso.com' })).toMatchObject({
      ok: true,
      email: 'bob@contoso.com',
    });
  });

  it('gives personal accounts (consumer tenant) no e-mail unless xms_edov verifies it', () => {
    const personal = {
      tid: MICROSOFT_CONSUMER_TENANT,
      oid: OID,
      preferred_username: 'someone@outlook.com',
      email: 'someone@outlook.com',
    };
    expect(identityFromClaims('microsoft', personal)).toMatchObject({ ok: false, reason: 'email_unverified' });
    expect(identityFromClaims('microsoft', { ...personal, xms_edov: true })).toMatchObject({
      ok: true,
      email: 'someone@outlook.com',
    });
  });

  it('requires tid and oid, and an allowed tenant when the configuration lists tenants', () => {
    expect(identityFromClaims('microsoft', { oid: OID, preferred_username: 'a@b.co' })).toMatchObject({
      ok: false,
      reason: 'tenant_missing',
    });
    expect(identityFromClaims('microsoft', { tid: TID, preferred_username: 'a@b.co' })).toMatchObject({
      ok: false,
      reason: 'missing_subject',
    });
    const claims = { ...base, preferred_username: 'a@b.co' };
    expect(
      identityFromClaims('microsoft', claims, { allowedTenants: ['11111111-1111-1111-1111-111111111111'] }),
    ).toMatchObject({ ok: false, reason: 'tenant_not_allowed' });
    expect(identityFromClaims('microsoft', claims, { allowedTenants: [TID.toUpperCase()] })).toMatchObject({
      ok: true,
    });
    expect(identityFromClaims('microsoft', claims, { allowedTenants: [] })).toMatchObject({ ok: true });
  });

  it('rejects a sign-in name that is not an e-mail (e.g. a phone number)', () => {
    expect(identityFromClaims('microsoft', { ...base, preferred_username: '+15551234567' })).toMatchObject({
      ok: false,
    });
  });
});

describe('auth configuration', () => {
  const env = { NODE_ENV: 'test', OIDC_MICROSOFT_CLIENT_ID: 'id', OIDC_MICROSOFT_CLIENT_SECRET: 'secret' };

  it('defaults: 60 minutes idle, 12 hours absolute, 30 logins per minute, all tenants', () => {
    const config = loadConfig(env);
    expect(config.session).toEqual({ idleTimeoutMs: 3_600_000, absoluteTimeoutMs: 43_200_000 });
    expect(config.loginRateLimitPerMinute).toBe(30);
    expect(config.oidc.microsoft?.allowedTenants).toEqual([]);
    expect(config.oidc.microsoft?.issuer).toBe('https://login.microsoftonline.com/common/v2.0');
  });

  it('reads the allowed tenants, timeouts and rate limit, and lists every bad value at once', () => {
    const config = loadConfig({
      ...env,
      OIDC_MICROSOFT_ALLOWED_TENANTS: `${TID.toUpperCase()}, 11111111-1111-1111-1111-111111111111`,
      SESSION_IDLE_TIMEOUT_MINUTES: '15',
      SESSION_MAX_AGE_HOURS: '8',
      LOGIN_RATE_LIMIT: '5',
    });
    expect(config.oidc.microsoft?.allowedTenants).toEqual([TID, '11111111-1111-1111-1111-111111111111']);
    expect(config.session).toEqual({ idleTimeoutMs: 900_000, absoluteTimeoutMs: 28_800_000 });
    expect(config.loginRateLimitPerMinute).toBe(5);

    expect(() =>
      loadConfig({
        ...env,
        OIDC_MICROSOFT_ALLOWED_TENANTS: 'contoso',
        SESSION_IDLE_TIMEOUT_MINUTES: '600',
        SESSION_MAX_AGE_HOURS: '2',
        LOGIN_RATE_LIMIT: '0',
      }),
    ).toThrow(
      expect.objectContaining({
        problems: expect.arrayContaining([
          expect.stringContaining('OIDC_MICROSOFT_ALLOWED_TENANTS'),
          expect.stringContaining('SESSION_IDLE_TIMEOUT_MINUTES'),
          expect.stringContaining('LOGIN_RATE_LIMIT'),
        ]),
      }),
    );
  });
});
