/**
 * The local OpenID provider as the demo runs it: ONE process (flavour "both") registered as Google
 * and as Microsoft, with an account picker a person clicks. The "click" is the picker form's own
 * GET submission (`/interaction/:uid?account=…`), read from the page.
 */
import { buildApp, type VaultApp } from '../src/app.js';
import { testConfig } from './helpers/app.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { oidcEnv, startTestIdp, TestBrowser, type TestIdp } from './helpers/idp.js';
import { freePort } from './helpers/smtp.js';
import { insertSite } from './helpers/site.js';

const SITE = { cloudId: 'cloud-demo', siteUrl: 'https://demo.atlassian.net' };
const DEMO_ACCOUNTS = [
  {
    sub: 'demo-ana',
    name: 'Ana Admin',
    email: 'ana@demo.test',
    email_verified: true,
    tid: '0f0f0f0f-0000-4000-8000-000000000001',
    oid: '0a0a0a0a-0000-4000-8000-000000000001',
    preferred_username: 'ana@demo.test',
    xms_edov: true,
  },
  {
    sub: 'demo-ben',
    name: 'Ben <Builder>',
    email: 'ben@demo.test',
    email_verified: true,
    tid: '0f0f0f0f-0000-4000-8000-000000000001',
    oid: '0a0a0a0a-0000-4000-8000-000000000002',
    preferred_username: 'ben@demo.test',
    xms_edov: true,
  },
];

describe('local OpenID provider (demo flavour, account picker)', () => {
  let testDb: TestDatabase;
  let idp: TestIdp;
  let app: VaultApp;
  let baseUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    [testDb, idp] = await Promise.all([
      createTestDatabase(),
      startTestIdp({
        flavor: 'both',
        accounts: DEMO_ACCOUNTS,
        redirectUris: [`${baseUrl}/auth/callback/google`, `${baseUrl}/auth/callback/microsoft`],
      }),
    ]);
    const config = testConfig({ VAULT_PUBLIC_URL: baseUrl, ...oidcEnv({ google: idp, microsoft: idp }) });
    app = await buildApp(config, { db: testDb.db });
    await app.listen({ port, host: '127.0.0.1' });
    const siteId = await insertSite(testDb.db, SITE);
    await testDb.db
      .insertInto('trusted_user')
      .values(
        ['ana@demo.test', 'ben@demo.test'].map((email) => ({
          site_id: siteId,
          email,
          status: 'active' as const,
          invited_by_account_id: 'a',
          invited_by_name: 'Admin',
          invited_at: new Date(),
        })),
      )
      .execute();
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all([idp?.stop(), testDb?.drop()]);
  });

  it.each(['google', 'microsoft'] as const)(
    'shows the accounts as buttons and logs the clicked one in via %s',
    async (provider) => {
      const browser = new TestBrowser();
      const picker = await browser.fetch(
        `${baseUrl}/auth/login?site=${encodeURIComponent(SITE.siteUrl)}&provider=${provider}`,
      );
      expect(picker.response.status).toBe(200);
      expect(picker.response.headers.get('content-type')).toContain('text/html');
      const html = await picker.response.text();
      expect(html).toContain('Ben &lt;Builder&gt;'); // names are escaped
      const buttons = [...html.matchAll(/<button type="submit" name="account" value="([^"]+)"/g)].map((m) => m[1]);
      expect(buttons).toEqual(['ana@demo.test', 'ben@demo.test']);
      const action = /<form method="get" action="([^"]+)"/.exec(html)?.[1];
      expect(action).toMatch(/^\/interaction\/[A-Za-z0-9_-]+$/);

      const clicked = new URL(action ?? '', picker.visited.at(-1));
      clicked.searchParams.set('account', 'ben@demo.test');
      const done = await browser.fetch(clicked.href, {
        stopBefore: (url) => url.origin === baseUrl && url.pathname === '/',
      });
      expect(done.response.status).toBe(303);
      const res = await fetch(`${baseUrl}/api/v1/me`, { headers: { cookie: browser.cookieHeader(baseUrl) } });
      expect(await res.json()).toEqual({ site: SITE, email: 'ben@demo.test', provider });
    },
  );

  it('refuses an unknown account and a redirect URI that is not registered', async () => {
    const browser = new TestBrowser();
    const unknown = await browser.fetch(
      `${baseUrl}/auth/login?site=${encodeURIComponent(SITE.siteUrl)}&provider=google`,
      { account: 'nobody@demo.test' },
    );
    expect(unknown.response.status).toBe(400);

    const foreign = new URL(`${idp.issuer}/auth`);
    for (const [k, v] of Object.entries({
      client_id: idp.clientId,
      response_type: 'code',
      scope: 'openid email',
      redirect_uri: 'http://evil.example/cb',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    })) {
      foreign.searchParams.set(k, v);
    }
    const res = await fetch(foreign, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });
});
