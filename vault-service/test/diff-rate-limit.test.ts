/**
 * Live comparisons spend the site's Atlassian API quota: they are limited per site and hour
 * (LIVE_DIFF_RATE_LIMIT), counted before any work, while comparisons of stored backups are not.
 * Real HTTP and sessions; the live side never needs to succeed for the budget to count.
 */
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { csrfHeaders } from './helpers/login.js';
import { createSiteWithSession, type TestSite } from './helpers/site.js';

describe('live diff rate limit', () => {
  let testDb: TestDatabase;
  let vault: TestApp;
  let a: TestSite;
  let b: TestSite;
  const backupId = '00000000-0000-4000-8000-000000000001';

  beforeAll(async () => {
    testDb = await createTestDatabase();
    vault = await startTestApp({
      db: testDb.db,
      config: testConfig({ VAULT_WORKERS: 'false', LIVE_DIFF_RATE_LIMIT: '2' }),
    });
    a = await createSiteWithSession(testDb.db, {
      cloudId: 'c-a',
      siteUrl: 'https://a.atlassian.net',
      email: 'a@a.test',
    });
    b = await createSiteWithSession(testDb.db, {
      cloudId: 'c-b',
      siteUrl: 'https://b.atlassian.net',
      email: 'b@b.test',
    });
  });
  afterAll(async () => {
    await vault?.close();
    await testDb?.drop();
  });

  const diff = (site: TestSite, against: string) =>
    fetch(`${vault.baseUrl}/api/v1/backups/${backupId}/diff`, {
      method: 'POST',
      headers: { cookie: site.cookie, 'content-type': 'application/json', ...csrfHeaders(vault.config.publicUrl) },
      body: JSON.stringify({ against }),
    }).then(async (r) => [r.status, ((await r.json()) as { error?: string }).error]);

  it('answers 429 to the site whose live budget is spent, not to another site or to stored comparisons', async () => {
    // the backup does not exist: each live request still counts against the site's budget
    expect(await diff(a, 'live')).toEqual([404, 'not_found']);
    expect(await diff(a, 'live')).toEqual([404, 'not_found']);
    expect(await diff(a, 'live')).toEqual([429, 'rate_limited']);
    expect(await diff(a, '00000000-0000-4000-8000-000000000002')).toEqual([404, 'not_found']);
    expect(await diff(b, 'live')).toEqual([404, 'not_found']);
  });
});
