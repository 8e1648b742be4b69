/**
 * The sign-in page as a person uses it: real Chromium (Debian package, driven by playwright-core),
 * the real vault on a socket, a real OpenID provider process and a real Postgres.
 */
import { chromium, type Browser } from 'playwright-core';
import { buildApp, type VaultApp } from '../src/app.js';
import { testConfig } from './helpers/app.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { startTestIdp, type TestIdp } from './helpers/idp.js';
import { freePort } from './helpers/smtp.js';

const SITE = { cloudId: 'cloud-web', siteUrl: 'https://web.atlassian.net' };

describe('sign-in page in a browser', () => {
  let testDb: TestDatabase;
  let idp: TestIdp;
  let app: VaultApp;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    idp = await startTestIdp({
      flavor: 'both',
      accounts: [
        {
          sub: 'ana',
          email: 'ana@web.test',
          email_verified: true,
          name: 'Ana',
          tid: 't1',
          oid: 'o-ana',
          preferred_username: 'ana@web.test',
        },
        {
          sub: 'eve',
          email: 'eve@web.test',
          email_verified: true,
          name: 'Eve',
          tid: 't1',
          oid: 'o-eve',
          preferred_username: 'eve@web.test',
        },
      ],
      redirectUris: [`${baseUrl}/auth/callback/google`, `${baseUrl}/auth/callback/microsoft`],
    });
    const site = await testDb.db
      .insertInto('site')
      .values({ cloud_id: SITE.cloudId, site_url: SITE.siteUrl, installation_state: 'connected' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await testDb.db
      .insertInto('trusted_user')
      .values({
        site_id: site.id,
        email: 'ana@web.test',
        status: 'active',
        invited_by_account_id: 'admin',
        invited_by_name: 'Admin',
        invited_at: new Date(),
        activated_at: new Date(),
      })
      .execute();
    await testDb.db
      .insertInto('synced_schema')
      .values({
        site_id: site.id,
        schema_id: '2',
        name: 'IT Inventory',
        key: 'ITI',
        object_count: 1200,
        is_synced: true,
      })
      .execute();
    await testDb.db
      .insertInto('backup')
      .values({
        site_id: site.id,
        schema_id: '2',
        schema_name: 'IT Inventory',
        schema_key: 'ITI',
        kind: 'scheduled',
        status: 'completed',
        options: JSON.stringify({ history: true, icons: true, issueRefs: false }),
        started_at: new Date(),
        completed_at: new Date(),
        manifest: JSON.stringify({ formatVersion: 1 }),
        object_count: 1200,
        content_sha256: 'a'.repeat(64),
        opened_by_webhook_id: 'bkc_web',
      })
      .execute();
    const config = testConfig({
      VAULT_PUBLIC_URL: baseUrl,
      VAULT_WORKERS: 'false',
      OIDC_GOOGLE_ISSUER: idp.issuer,
      OIDC_GOOGLE_CLIENT_ID: idp.clientId,
      OIDC_GOOGLE_CLIENT_SECRET: idp.clientSecret,
      OIDC_MICROSOFT_ISSUER: idp.issuer,
      OIDC_MICROSOFT_CLIENT_ID: idp.clientId,
      OIDC_MICROSOFT_CLIENT_SECRET: idp.clientSecret,
    });
    app = await buildApp(config, { db: testDb.db });
    await app.listen({ port, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await idp?.stop();
    await testDb?.drop();
  });

  async function signIn(account: string, provider: 'google' | 'microsoft') {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${baseUrl}/`);
    await page.getByLabel('Jira site URL').fill(SITE.siteUrl);
    await page
      .getByRole('button', { name: provider === 'google' ? 'Continue with Google' : 'Continue with Microsoft' })
      .click();
    await page.getByText(account).click();
    return { context, page };
  }

  it('a trusted user signs in, sees their site, and signs out', async () => {
    const { context, page } = await signIn('ana@web.test', 'google');
    await page.getByText('ana@web.test · https://web.atlassian.net').waitFor();
    await page.getByRole('heading', { name: 'Backed-up schemas' }).waitFor();
    await page.getByRole('cell', { name: 'IT Inventory' }).click();
    await page.getByRole('heading', { name: 'Backups of IT Inventory' }).waitFor();
    const row = page.locator('#backups tbody tr').first();
    expect(await row.locator('td').allTextContents()).toEqual(
      expect.arrayContaining(['1', '1200', 'scheduled', 'included', 'not included']),
    );
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const me = await context.request.get(`${baseUrl}/api/v1/me`);
    expect(me.status()).toBe(401);
    await context.close();
  });

  it('an untrusted e-mail gets the not-authorised page and no session', async () => {
    const { context, page } = await signIn('eve@web.test', 'microsoft');
    await page.waitForLoadState('load');
    expect(await page.content()).toMatch(/not authori[sz]ed/i);
    const me = await context.request.get(`${baseUrl}/api/v1/me`);
    expect(me.status()).toBe(401);
    await context.close();
  });
});
