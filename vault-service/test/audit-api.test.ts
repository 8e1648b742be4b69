/** GET /api/v1/audit over real HTTP: newest first, keyset pages that neither skip nor repeat, tenant isolation. */
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { createSiteWithSession } from './helpers/site.js';

interface Page {
  items: { id: string; actor: string; action: string; target: string | null; details: object; createdAt: string }[];
  nextCursor: string | null;
}

describe('audit log API', () => {
  let testDb: TestDatabase;
  let vault: TestApp;
  const cookies: Record<'a' | 'b', string> = { a: '', b: '' };
  const siteIds: Record<'a' | 'b', string> = { a: '', b: '' };

  const get = (site: 'a' | 'b', query: string) =>
    fetch(`${vault.baseUrl}/api/v1/audit${query}`, { headers: { cookie: cookies[site] } });

  beforeAll(async () => {
    testDb = await createTestDatabase();
    vault = await startTestApp({ db: testDb.db, config: testConfig({ VAULT_WORKERS: 'false' }) });
    for (const site of ['a', 'b'] as const) {
      const created = await createSiteWithSession(testDb.db, {
        cloudId: `cloud-${site}`,
        siteUrl: `https://${site}.atlassian.net`,
        email: `admin@${site}.test`,
      });
      siteIds[site] = created.siteId;
      cookies[site] = created.cookie;
    }
    // Seven events of site a: three share one instant (ties are ordered by id), two differ only in microseconds.
    const times = [
      '2026-11-01 10:00:00+00',
      '2026-11-02 10:00:00.000001+00',
      '2026-11-02 10:00:00.000002+00',
      '2026-11-03 10:00:00+00',
      '2026-11-03 10:00:00+00',
      '2026-11-03 10:00:00+00',
      '2026-11-04 10:00:00+00',
    ];
    await testDb.db
      .insertInto('audit_event')
      .values(
        times.map((t, i) => ({
          site_id: siteIds.a,
          actor: 'admin@a.test',
          action: 'backup.deleted',
          target: `backup-${i}`,
          details: JSON.stringify({ source: 'vault' }),
          created_at: t,
        })),
      )
      .execute();
    await testDb.db
      .insertInto('audit_event')
      .values({ site_id: siteIds.b, actor: 'admin@b.test', action: 'credentials.saved', target: null })
      .execute();
  });

  afterAll(async () => {
    await vault?.close();
    await testDb?.drop();
  });

  it('pages through every event of the site once, newest first', async () => {
    const seen: Page['items'] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get('a', `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as Page;
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(4);
    expect(seen.map((e) => e.target).sort()).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `backup-${i}`));
    expect(seen[0]).toEqual({
      id: expect.any(String),
      actor: 'admin@a.test',
      action: 'backup.deleted',
      target: 'backup-6',
      details: { source: 'vault' },
      createdAt: '2026-11-04T10:00:00.000Z',
    });
    const instants = seen.map((e) => e.createdAt);
    expect([...instants].sort().reverse()).toEqual(instants);
    // the two events a microsecond apart come newest first
    expect(seen.map((e) => e.target).slice(4, 6)).toEqual(['backup-2', 'backup-1']);
  });

  it('shows no event of another site', async () => {
    const page = (await (await get('b', '')).json()) as Page;
    expect(page.items.map((e) => e.action)).toEqual(['credentials.saved']);
    expect(page.nextCursor).toBeNull();
  });

  it('refuses a forged cursor and an out-of-range limit, and answers 401 without a session', async () => {
    const forged = Buffer.from("2026-11-01'; drop table audit_event;--|x").toString('base64url');
    const bad = await get('a', `?cursor=${forged}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('invalid_cursor');
    expect((await get('a', '?limit=0')).status).toBe(400);
    expect((await fetch(`${vault.baseUrl}/api/v1/audit`)).status).toBe(401);
  });
});
