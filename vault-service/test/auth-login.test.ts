/**
 * Login acceptance (security.md items 7–12, 24): two real OpenID provider processes (Google-like and
 * Microsoft-like oidc-provider), the real app on a real socket, a real Postgres per suite, and a
 * redirect-following "browser" with a cookie jar per origin.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { buildApp, type VaultApp } from '../src/app.js';
import type { Clock } from '../src/clock.js';
import type { Config } from '../src/config.js';
import { captureLogs, testConfig, type LogCapture } from './helpers/app.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { forgeEvent, sendEvent } from './helpers/forge.js';
import { oidcEnv, startTestIdp, TestBrowser, type TestIdp } from './helpers/idp.js';
import { createTestSession, csrfHeaders, loginThroughIdp } from './helpers/login.js';
import { insertSite } from './helpers/site.js';
import { freePort } from './helpers/smtp.js';

const TENANT = '11111111-2222-3333-4444-555555555555';
const OTHER_TENANT = '99999999-8888-7777-6666-555555555555';
const ACME = { cloudId: 'cloud-acme', siteUrl: 'https://acme.atlassian.net' };
const OTHER = { cloudId: 'cloud-other', siteUrl: 'https://other.atlassian.net' };
const EMULATOR = { cloudId: 'cloud-emu', siteUrl: 'http://127.0.0.1:9' };

const GOOGLE_ACCOUNTS = [
  { sub: 'g-ana', email: 'ana@acme.test', email_verified: true, name: 'Ana' },
  { sub: 'g-bob', email: 'Bob@Acme.test', email_verified: true, name: 'Bob (invited)' },
  { sub: 'g-eve', email: 'eve@acme.test', email_verified: true, name: 'Eve (untrusted)' },
  { sub: 'g-una', email: 'una@acme.test', email_verified: false, name: 'Una (unverified)' },
  { sub: 'g-rex', email: 'rex@acme.test', email_verified: true, name: 'Rex (removed)' },
  { sub: 'g-rita', email: 'rita@acme.test', email_verified: true, name: 'Rita (removed later)' },
  { sub: 'g-lou', email: 'lou@acme.test', email_verified: true, name: 'Lou (logs out)' },
  { sub: 'g-emu', email: 'emu@acme.test', email_verified: true, name: 'Emu (http site)' },
  { sub: 'g-ida', email: 'ida@acme.test', email_verified: true, name: 'Ida (idle)' },
];
const MICROSOFT_ACCOUNTS = [
  // Work account without xms_edov: identified by its sign-in name (UPN).
  {
    oid: 'aaaaaaaa-0000-0000-0000-000000000001',
    tid: TENANT,
    preferred_username: 'mia@contoso.test',
    email: 'mia@contoso.test',
    name: 'Mia',
  },
  // Verified e-mail (xms_edov) differing from the UPN: the e-mail is used.
  {
    oid: 'aaaaaaaa-0000-0000-0000-000000000002',
    tid: TENANT,
    preferred_username: 'max@contoso.onmicrosoft.test',
    email: 'max@contoso.test',
    xms_edov: true,
    name: 'Max',
  },
  // nOAuth: a self-asserted, unverified `email` naming a trusted user must not log in as them.
  {
    oid: 'aaaaaaaa-0000-0000-0000-000000000003',
    tid: TENANT,
    preferred_username: 'mallory@evil.test',
    email: 'ana@acme.test',
    xms_edov: false,
    name: 'Mallory',
  },
  // A trusted e-mail from a tenant the configuration does not allow.
  {
    oid: 'aaaaaaaa-0000-0000-0000-000000000004',
    tid: OTHER_TENANT,
    preferred_username: 'ted@contoso.test',
    name: 'Ted',
  },
];

/** A clock the tests can move forward to reach idle and absolute timeouts. */
class ShiftedClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

interface RunningVault {
  app: VaultApp;
  baseUrl: string;
  config: Config;
}

async function startVault(
  db: TestDatabase,
  port: number,
  env: Record<string, string>,
  deps: { logs?: LogCapture; clock?: Clock },
): Promise<RunningVault> {
  const config = testConfig({ VAULT_PUBLIC_URL: `http://127.0.0.1:${port}`, ...env });
  const app = await buildApp(config, {
    db: db.db,
    ...(deps.logs ? { logger: deps.logs.logger } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  await app.listen({ port, host: '127.0.0.1' });
  return { app, baseUrl: `http://127.0.0.1:${port}`, config };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

function sessionCookie(setCookies: string[], name: string): { value: string; attributes: string[] } | undefined {
  for (const header of setCookies) {
    const [pair = '', ...attributes] = header.split(';').map((s) => s.trim());
    if (pair.startsWith(`${name}=`) && pair.length > name.length + 1)
      return { value: pair.slice(name.length + 1), attributes };
  }
  return undefined;
}

describe('OpenID Connect login, sessions, revocation and CSRF', () => {
  let testDb: TestDatabase;
  let google: TestIdp;
  let microsoft: TestIdp;
  let vault: RunningVault;
  let insecureVault: RunningVault;
  let limitedVault: RunningVault;
  const logs = captureLogs('debug');
  const clock = new ShiftedClock();
  let acmeId: string;

  async function seedUser(siteId: string, email: string, status: 'invited' | 'active' | 'removed'): Promise<string> {
    const row = await testDb.db
      .insertInto('trusted_user')
      .values({
        site_id: siteId,
        email,
        status,
        invited_by_account_id: 'admin-1',
        invited_by_name: 'Admin',
        invited_at: new Date(Date.now() - 86_400_000),
        activated_at: status === 'active' ? new Date(Date.now() - 3_600_000) : null,
        removed_at: status === 'removed' ? new Date(Date.now() - 3_600_000) : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  beforeAll(async () => {
    const [port, insecurePort, limitedPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const redirectUris = (provider: string) =>
      [port, insecurePort, limitedPort].map((p) => `http://127.0.0.1:${p}/auth/callback/${provider}`);
    [testDb, google, microsoft] = await Promise.all([
      createTestDatabase(),
      startTestIdp({
        flavor: 'google',
        accounts: GOOGLE_ACCOUNTS,
        redirectUris: redirectUris('google'),
        clientSecret: 'google-client-secret-xyz',
      }),
      startTestIdp({
        flavor: 'microsoft',
        accounts: MICROSOFT_ACCOUNTS,
        redirectUris: redirectUris('microsoft'),
        clientSecret: 'microsoft-client-secret-xyz',
      }),
    ]);
    const env = { ...oidcEnv({ google, microsoft }), OIDC_MICROSOFT_ALLOWED_TENANTS: TENANT, LOGIN_RATE_LIMIT: '200' };
    vault = await startVault(testDb, port, env, { logs, clock });
    insecureVault = await startVault(testDb, insecurePort, { ...env, ALLOW_INSECURE_SITE_URLS: 'true' }, {});
    limitedVault = await startVault(testDb, limitedPort, { ...env, LOGIN_RATE_LIMIT: '3' }, {});

    acmeId = await insertSite(testDb.db, ACME);
    const otherId = await insertSite(testDb.db, OTHER);
    const emulatorId = await insertSite(testDb.db, EMULATOR);
    for (const email of [
      'ana@acme.test',
      'una@acme.test',
      'rita@acme.test',
      'lou@acme.test',
      'mia@contoso.test',
      'max@contoso.test',
      'ted@contoso.test',
    ]) {
      await seedUser(acmeId, email, 'active');
    }
    await seedUser(acmeId, 'bob@acme.test', 'invited');
    await seedUser(acmeId, 'rex@acme.test', 'removed');
    await seedUser(otherId, 'eve@acme.test', 'active');
    await seedUser(emulatorId, 'emu@acme.test', 'active');
  });

  afterAll(async () => {
    await Promise.all([vault?.app.close(), insecureVault?.app.close(), limitedVault?.app.close()]);
    await Promise.all([google?.stop(), microsoft?.stop(), testDb?.drop()]);
  });

  afterEach(() => {
    clock.offsetMs = 0;
  });

  const me = (cookie: string, base = vault.baseUrl) => fetch(`${base}/api/v1/me`, { headers: { cookie } });

  async function login(
    account: string,
    options: { site?: string; provider?: 'google' | 'microsoft'; browser?: TestBrowser; target?: RunningVault } = {},
  ) {
    const browser = options.browser ?? new TestBrowser();
    const target = options.target ?? vault;
    const result = await loginThroughIdp(browser, target.baseUrl, {
      site: options.site ?? ACME.siteUrl,
      provider: options.provider ?? 'google',
      account,
    });
    const setCookies = result.response.headers.getSetCookie();
    const cookieName = target.app.sessionCookies.sessionName;
    const session = sessionCookie(setCookies, cookieName);
    return { browser, result, setCookies, session, cookie: session ? `${cookieName}=${session.value}` : undefined };
  }

  it('logs a trusted user in: session cookie, /api/v1/me, session row and audit event', async () => {
    const { result, session, cookie } = await login('ana@acme.test');
    expect(result.response.status).toBe(303);
    expect(result.stoppedAt?.href).toBe(`${vault.baseUrl}/`);
    expect(session).toBeDefined();
    expect(session?.attributes).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'Secure', 'SameSite=Lax']));
    expect(session?.attributes.some((a) => a.startsWith('Max-Age='))).toBe(true);

    const res = await me(cookie ?? '');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      site: { siteUrl: ACME.siteUrl, cloudId: ACME.cloudId },
      email: 'ana@acme.test',
      provider: 'google',
    });

    // Only the hash of the token is stored, with the Google identity iss|sub.
    const rows = await testDb.db
      .selectFrom('session')
      .select(['token_hash', 'subject', 'expires_at', 'idle_expires_at'])
      .where('email', '=', 'ana@acme.test')
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash.equals(sha256(session?.value ?? ''))).toBe(true);
    expect(rows[0]?.subject).toBe(`${google.issuer}|g-ana`);
    const loginEvent = await testDb.db
      .selectFrom('audit_event')
      .select(['actor', 'details'])
      .where('action', '=', 'auth.login')
      .where('actor', '=', 'ana@acme.test')
      .executeTakeFirst();
    expect(loginEvent?.details).toEqual({ provider: 'google', firstLogin: false });
  });

  it('activates an invited user on first login', async () => {
    const { cookie } = await login('Bob@Acme.test');
    expect((await me(cookie ?? '')).status).toBe(200);
    const user = await testDb.db
      .selectFrom('trusted_user')
      .select(['status', 'activated_at', 'last_login_at'])
      .where('email', '=', 'bob@acme.test')
      .executeTakeFirstOrThrow();
    expect(user.status).toBe('active');
    expect(user.activated_at).not.toBeNull();
    expect(user.last_login_at).not.toBeNull();
    const audit = await testDb.db
      .selectFrom('audit_event')
      .select('details')
      .where('action', '=', 'auth.login')
      .where('actor', '=', 'bob@acme.test')
      .executeTakeFirst();
    expect(audit?.details).toEqual({ provider: 'google', firstLogin: true });
  });

  it('gives one identical not-authorised answer for every rejected login, and creates no session', async () => {
    const before = await testDb.db
      .selectFrom('session')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    const cases: { name: string; account: string; site?: string; provider?: 'google' | 'microsoft'; reason: string }[] =
      [
        { name: 'untrusted e-mail', account: 'eve@acme.test', reason: 'untrusted_email' },
        { name: 'unverified e-mail', account: 'una@acme.test', reason: 'email_unverified' },
        { name: 'removed user', account: 'rex@acme.test', reason: 'untrusted_email' },
        { name: 'wrong site', account: 'ana@acme.test', site: OTHER.siteUrl, reason: 'untrusted_email' },
        {
          name: 'unknown site',
          account: 'ana@acme.test',
          site: 'https://nowhere.atlassian.net',
          reason: 'unknown_site',
        },
        {
          name: 'http:// site URL',
          account: 'ana@acme.test',
          site: 'http://acme.atlassian.net',
          reason: 'invalid_site_url',
        },
        {
          name: 'http:// emulator site without the insecure setting',
          account: 'emu@acme.test',
          site: EMULATOR.siteUrl,
          reason: 'invalid_site_url',
        },
        {
          name: 'Microsoft unverified e-mail naming a trusted user (nOAuth)',
          account: 'mallory@evil.test',
          provider: 'microsoft',
          reason: 'untrusted_email',
        },
        {
          name: 'Microsoft tenant not allowed',
          account: 'ted@contoso.test',
          provider: 'microsoft',
          reason: 'tenant_not_allowed',
        },
      ];
    const answers: { name: string; status: number; type: string | null; body: string; cookies: string[] }[] = [];
    for (const c of cases) {
      const { result, setCookies, session } = await login(c.account, {
        ...(c.site ? { site: c.site } : {}),
        ...(c.provider ? { provider: c.provider } : {}),
      });
      expect(session).toBeUndefined();
      answers.push({
        name: c.name,
        status: result.response.status,
        type: result.response.headers.get('content-type'),
        body: await result.response.text(),
        // Cookie values differ by nothing but the (cleared) names and attributes.
        cookies: setCookies.map((h) => h.replace(/Expires=[^;]+/, 'Expires=…')),
      });
    }
    const [first] = answers;
    expect(first?.status).toBe(403);
    expect(first?.body).toContain('Not authorised');
    for (const a of answers) expect({ ...a, name: first?.name }).toEqual(first);

    const after = await testDb.db
      .selectFrom('session')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    const failures = await testDb.db
      .selectFrom('audit_event')
      .select(['details'])
      .where('action', '=', 'auth.login_failed')
      .orderBy('created_at')
      .execute();
    const reasons = failures.map((f) => f.details.reason);
    for (const c of cases) expect(reasons).toContain(c.reason);
    const nOAuth = await testDb.db
      .selectFrom('audit_event')
      .select(['actor'])
      .where('action', '=', 'auth.login_failed')
      .where('actor', '=', 'mallory@evil.test')
      .executeTakeFirst();
    expect(nOAuth).toBeDefined();
  });

  it('logs a Microsoft work account in by tid/oid, using the UPN or an xms_edov-verified e-mail', async () => {
    const mia = await login('mia@contoso.test', { provider: 'microsoft' });
    expect(mia.result.response.status).toBe(303);
    const res = await me(mia.cookie ?? '');
    expect(await res.json()).toEqual({
      site: { siteUrl: ACME.siteUrl, cloudId: ACME.cloudId },
      email: 'mia@contoso.test',
      provider: 'microsoft',
    });
    const row = await testDb.db
      .selectFrom('session')
      .select('subject')
      .where('email', '=', 'mia@contoso.test')
      .executeTakeFirstOrThrow();
    expect(row.subject).toBe(`${TENANT}|aaaaaaaa-0000-0000-0000-000000000001`);

    const max = await login('max@contoso.onmicrosoft.test', { provider: 'microsoft' });
    expect(await (await me(max.cookie ?? '')).json()).toMatchObject({
      email: 'max@contoso.test',
      provider: 'microsoft',
    });
  });

  it('rejects a wrong state, a replayed callback and a callback in another browser', async () => {
    const start = `${vault.baseUrl}/auth/login?site=${encodeURIComponent(ACME.siteUrl)}&provider=google`;
    const isCallback = (url: URL) => url.pathname === '/auth/callback/google';

    // Wrong state: the IdP's answer is tampered with before it reaches the vault.
    const browser = new TestBrowser();
    const stopped = await browser.fetch(start, { account: 'ana@acme.test', stopBefore: isCallback });
    const callback = stopped.stoppedAt;
    expect(callback?.searchParams.get('code')).toBeTruthy();
    const tampered = new URL(callback?.href ?? '');
    tampered.searchParams.set('state', 'x'.repeat(43));
    const wrong = await browser.fetch(tampered.href);
    expect(wrong.response.status).toBe(403);
    expect(sessionCookie(wrong.response.headers.getSetCookie(), vault.app.sessionCookies.sessionName)).toBeUndefined();

    // The real callback from the same attempt now fails too: its login cookie was cleared.
    const replayAfterClear = await browser.fetch(callback?.href ?? '');
    expect(replayAfterClear.response.status).toBe(403);

    // A callback URL only works in the browser that started the login (no login CSRF) ...
    const starter = new TestBrowser();
    const attempt = await starter.fetch(start, { account: 'ana@acme.test', stopBefore: isCallback });
    const victim = new TestBrowser();
    expect((await victim.fetch(attempt.stoppedAt?.href ?? '', { stopBefore: () => true })).response.status).toBe(403);
    const own = await starter.fetch(attempt.stoppedAt?.href ?? '', { stopBefore: () => true });
    expect(own.response.status).toBe(303);

    // ... and only once, even with the state cookie put back.
    starter
      .cookies(new URL(vault.baseUrl).origin)
      .set(vault.app.sessionCookies.loginName, attempt.stoppedAt?.searchParams.get('state') ?? '');
    const replay = await starter.fetch(attempt.stoppedAt?.href ?? '', { stopBefore: () => true });
    expect(replay.response.status).toBe(403);

    const reasons = (
      await testDb.db.selectFrom('audit_event').select('details').where('action', '=', 'auth.login_failed').execute()
    ).map((r) => r.details.reason);
    expect(reasons).toEqual(expect.arrayContaining(['state_mismatch', 'unknown_login']));
  });

  it('rotates the session at login: the previous cookie of the browser stops working', async () => {
    const browser = new TestBrowser();
    const firstLogin = await login('ana@acme.test', { browser });
    const secondLogin = await login('ana@acme.test', { browser });
    expect(secondLogin.session?.value).not.toBe(firstLogin.session?.value);
    expect((await me(firstLogin.cookie ?? '')).status).toBe(401);
    expect((await me(secondLogin.cookie ?? '')).status).toBe(200);
  });

  it('answers 401 on the next request after the user is removed (signed Forge event), and deletes the sessions', async () => {
    const { cookie } = await login('rita@acme.test');
    expect((await me(cookie ?? '')).status).toBe(200);
    const removal = await sendEvent(
      vault.baseUrl,
      forgeEvent(
        'trusted_user.removed',
        { email: 'rita@acme.test', removedBy: { accountId: 'admin-1', displayName: 'Admin' } },
        ACME,
      ),
    );
    expect(removal.status).toBe(200);
    const res = await me(cookie ?? '');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'unauthorized' });
    const left = await testDb.db.selectFrom('session').select('id').where('email', '=', 'rita@acme.test').execute();
    expect(left).toHaveLength(0);
  });

  it('requires an active trusted user on every request, even if a session row survived', async () => {
    const userId = await seedUser(acmeId, 'sam@acme.test', 'active');
    const cookie = await createTestSession(testDb.db, {
      siteId: acmeId,
      trustedUserId: userId,
      email: 'sam@acme.test',
    });
    expect((await me(cookie)).status).toBe(200);
    await testDb.db.updateTable('trusted_user').set({ status: 'removed' }).where('id', '=', userId).execute();
    expect((await me(cookie)).status).toBe(401);
  });

  it('logs out: POST /auth/logout (with CSRF headers) deletes the session, then 401', async () => {
    const { cookie, session } = await login('lou@acme.test');
    expect((await me(cookie ?? '')).status).toBe(200);

    // Without the CSRF headers, or from another origin, nothing happens.
    const noCsrf = await fetch(`${vault.baseUrl}/auth/logout`, { method: 'POST', headers: { cookie: cookie ?? '' } });
    expect(noCsrf.status).toBe(403);
    expect(await noCsrf.json()).toMatchObject({ error: 'csrf_failed' });
    const crossSite = await fetch(`${vault.baseUrl}/auth/logout`, {
      method: 'POST',
      headers: { cookie: cookie ?? '', origin: 'https://evil.example', 'x-vault-csrf': '1' },
    });
    expect(crossSite.status).toBe(403);
    const headerOnly = await fetch(`${vault.baseUrl}/auth/logout`, {
      method: 'POST',
      headers: { cookie: cookie ?? '', origin: vault.baseUrl },
    });
    expect(headerOnly.status).toBe(403);
    expect((await me(cookie ?? '')).status).toBe(200);

    const out = await fetch(`${vault.baseUrl}/auth/logout`, {
      method: 'POST',
      headers: { cookie: cookie ?? '', ...csrfHeaders(vault.config.publicUrl) },
    });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().some((h) => h.startsWith(`${vault.app.sessionCookies.sessionName}=;`))).toBe(
      true,
    );
    expect((await me(cookie ?? '')).status).toBe(401);
    const row = await testDb.db
      .selectFrom('session')
      .select('id')
      .where('token_hash', '=', sha256(session?.value ?? ''))
      .executeTakeFirst();
    expect(row).toBeUndefined();
    const audit = await testDb.db
      .selectFrom('audit_event')
      .select('actor')
      .where('action', '=', 'auth.logout')
      .execute();
    expect(audit.map((a) => a.actor)).toContain('lou@acme.test');
  });

  it('ends sessions after the idle timeout and after the absolute timeout; activity extends the idle one', async () => {
    const userId = await seedUser(acmeId, 'ida@acme.test', 'active');
    const { cookie } = await login('ida@acme.test');
    expect((await me(cookie ?? '')).status).toBe(200);
    const idleMs = vault.config.session.idleTimeoutMs;

    clock.offsetMs = idleMs - 60_000; // just before idle expiry: still valid, and the expiry moves on
    expect((await me(cookie ?? '')).status).toBe(200);
    clock.offsetMs = idleMs + 60_000; // past the original idle expiry, within the extended one
    expect((await me(cookie ?? '')).status).toBe(200);
    clock.offsetMs = 3 * idleMs; // no activity for longer than the idle timeout
    expect((await me(cookie ?? '')).status).toBe(401);

    const fresh = await createTestSession(testDb.db, { siteId: acmeId, trustedUserId: userId, email: 'ida@acme.test' });
    // Keep it busy (every half idle period) up to the absolute limit: it still ends.
    const absoluteMs = vault.config.session.absoluteTimeoutMs;
    let lastStatus = 200;
    for (let t = idleMs / 2; t <= absoluteMs + idleMs / 2 && lastStatus === 200; t += idleMs / 2) {
      clock.offsetMs = t;
      lastStatus = (await me(fresh)).status;
      if (lastStatus === 401) expect(t).toBeGreaterThanOrEqual(absoluteMs);
    }
    expect(lastStatus).toBe(401);
  });

  it('guards /api/v1/* but not /api/v1/forge/* or /healthz', async () => {
    expect((await fetch(`${vault.baseUrl}/api/v1/me`)).status).toBe(401);
    expect(
      (
        await fetch(`${vault.baseUrl}/api/v1/me`, {
          headers: { cookie: `${vault.app.sessionCookies.sessionName}=${'A'.repeat(43)}` },
        })
      ).status,
    ).toBe(401);
    expect((await fetch(`${vault.baseUrl}/healthz`)).status).toBe(200);
    // A signed Forge call needs neither a session nor CSRF headers (it is authenticated by its signature).
    const event = await sendEvent(
      vault.baseUrl,
      forgeEvent('schema.synced', { schemaId: '7', name: 'IT', key: 'IT', objectCount: 1 }, ACME),
    );
    expect(event.status).toBe(200);
  });

  it('uses non-prefixed, non-Secure cookies only in insecure local mode, where http:// sites may log in', async () => {
    const { result, setCookies, session } = await login('emu@acme.test', {
      site: EMULATOR.siteUrl,
      target: insecureVault,
    });
    expect(result.response.status).toBe(303);
    expect(insecureVault.app.sessionCookies.sessionName).toBe('vault_session');
    expect(session?.attributes).not.toContain('Secure');
    expect(setCookies.some((h) => h.startsWith('__Host-'))).toBe(false);
    const res = await me(`vault_session=${session?.value ?? ''}`, insecureVault.baseUrl);
    expect(await res.json()).toMatchObject({ email: 'emu@acme.test', site: { siteUrl: EMULATOR.siteUrl } });
  });

  it('rate-limits the login routes per client address', async () => {
    const url = `${limitedVault.baseUrl}/auth/login?site=${encodeURIComponent(ACME.siteUrl)}&provider=google`;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(url, { redirect: 'manual' })).status);
    expect(statuses).toEqual([303, 303, 303, 429]);
  });

  it('never logs the session token, cookies, the authorization code, state, tokens or the client secret', async () => {
    const before = logs.text().length;
    const { result, session } = await login('ana@acme.test');
    expect(result.response.status).toBe(303);
    await me(`${vault.app.sessionCookies.sessionName}=${session?.value ?? ''}`);
    const text = logs.text().slice(before);
    const callback = new URL(result.visited.find((u) => u.includes('/auth/callback/')) ?? '');
    const secrets = {
      token: session?.value ?? '',
      code: callback.searchParams.get('code') ?? '',
      state: callback.searchParams.get('state') ?? '',
      clientSecret: google.clientSecret,
    };
    for (const [name, value] of Object.entries(secrets)) {
      expect(value.length).toBeGreaterThan(8);
      expect({ name, leaked: text.includes(value) }).toEqual({ name, leaked: false });
    }
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/); // no JWT (ID or access token)
    expect(text).toContain('login succeeded');
    expect(text).toContain('/auth/callback/google');
  });
});
