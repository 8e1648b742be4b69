/** /api/v1/site-credentials over real HTTP: stored encrypted, GET shows only hasToken, the token never reaches the logs. */
import type { TestDatabase } from './helpers/db.js';
import { captureLogs, startCredentialsApp, type TestApp } from './helpers/app.js';
import { csrfHeaders } from './helpers/login.js';
import { createSiteWithSession } from './helpers/site.js';

describe('site credentials API', () => {
  let testDb: TestDatabase;
  let vault: TestApp;
  let cookie = '';
  let otherCookie = '';
  const logs = captureLogs('trace');
  const token = 'ATATT-never-log-me-0123456789';

  beforeAll(async () => {
    ({ testDb, vault } = await startCredentialsApp(logs));
    ({ cookie } = await createSiteWithSession(testDb.db, {
      cloudId: 'cloud-cred',
      siteUrl: 'https://cred.atlassian.net',
      email: 'admin@cred.test',
    }));
    ({ cookie: otherCookie } = await createSiteWithSession(testDb.db, {
      cloudId: 'cloud-cred-2',
      siteUrl: 'https://cred2.atlassian.net',
      email: 'admin@cred2.test',
    }));
  });

  afterAll(async () => {
    await vault?.close();
    await testDb?.drop();
  });

  it('stores, shows without the token, deletes; the token is in no log line and no response', async () => {
    const url = `${vault.baseUrl}/api/v1/site-credentials`;
    expect((await fetch(url, { headers: { cookie } })).status).toBe(404);
    const put = await fetch(url, {
      method: 'PUT',
      headers: { cookie, 'content-type': 'application/json', ...csrfHeaders(vault.config.publicUrl) },
      body: JSON.stringify({ email: 'svc@cred.test', apiToken: token, vaultBackupsEnabled: true }),
    });
    expect(put.status).toBe(204);
    const get = await fetch(url, { headers: { cookie } });
    const text = await get.text();
    expect(get.status).toBe(200);
    expect(text).not.toContain(token);
    expect(JSON.parse(text)).toEqual({
      email: 'svc@cred.test',
      hasToken: true,
      assetsApiBaseUrl: null,
      vaultBackupsEnabled: true,
    });
    const del = await fetch(url, { method: 'DELETE', headers: { cookie, ...csrfHeaders(vault.config.publicUrl) } });
    expect(del.status).toBe(204);
    expect((await fetch(url, { headers: { cookie } })).status).toBe(404);
    expect(logs.text().length).toBeGreaterThan(0);
    expect(logs.text()).not.toContain(token);
  });

  it("accepts an Assets API base URL only on Atlassian's gateway or the site itself, and audits saves and deletes without the token", async () => {
    const url = `${vault.baseUrl}/api/v1/site-credentials`;
    const put = (assetsApiBaseUrl: string) =>
      fetch(url, {
        method: 'PUT',
        headers: { cookie, 'content-type': 'application/json', ...csrfHeaders(vault.config.publicUrl) },
        body: JSON.stringify({ email: 'svc@cred.test', apiToken: token, assetsApiBaseUrl, vaultBackupsEnabled: false }),
      });
    const before = await fetch(url, { headers: { cookie } }).then(async (r) =>
      r.status === 200 ? r.json() : r.status,
    );
    for (const refused of [
      'https://collector.example.com/jsm/assets/workspace/w/v1',
      'http://api.atlassian.com/jsm/assets/workspace/w/v1',
      'https://169.254.169.254/latest',
      'https://user:pw@api.atlassian.com/x',
      'https://cred2.atlassian.net/x',
    ]) {
      const res = await put(refused);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(/assetsApiBaseUrl/);
    }
    expect(
      await fetch(url, { headers: { cookie } }).then(async (r) => (r.status === 200 ? r.json() : r.status)),
    ).toEqual(before);
    const gateway = 'https://api.atlassian.com/jsm/assets/workspace/0f3a/v1';
    expect((await put(gateway)).status).toBe(204);
    expect((await put('https://cred.atlassian.net/rest/servicedeskapi/assets/workspace')).status).toBe(204);
    expect(
      (await fetch(url, { method: 'DELETE', headers: { cookie, ...csrfHeaders(vault.config.publicUrl) } })).status,
    ).toBe(204);

    const audit = await testDb.db
      .selectFrom('audit_event')
      .select(['actor', 'action', 'details'])
      .where('action', 'like', 'credentials.%')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    expect(audit.slice(-3)).toEqual([
      {
        actor: 'admin@cred.test',
        action: 'credentials.saved',
        details: { email: 'svc@cred.test', assetsApiBaseUrl: gateway, vaultBackupsEnabled: false },
      },
      {
        actor: 'admin@cred.test',
        action: 'credentials.saved',
        details: {
          email: 'svc@cred.test',
          assetsApiBaseUrl: 'https://cred.atlassian.net/rest/servicedeskapi/assets/workspace',
          vaultBackupsEnabled: false,
        },
      },
      { actor: 'admin@cred.test', action: 'credentials.deleted', details: {} },
    ]);
    expect(JSON.stringify(audit)).not.toContain(token);
  });

  it('keeps credentials to the session site: another site neither sees, replaces nor deletes them', async () => {
    const url = `${vault.baseUrl}/api/v1/site-credentials`;
    const write = (c: string, method: 'PUT' | 'DELETE', body?: unknown) =>
      fetch(url, {
        method,
        headers: {
          cookie: c,
          ...csrfHeaders(vault.config.publicUrl),
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    expect(
      (await write(cookie, 'PUT', { email: 'svc@cred.test', apiToken: token, vaultBackupsEnabled: true })).status,
    ).toBe(204);
    expect((await fetch(url, { headers: { cookie: otherCookie } })).status).toBe(404);
    // nothing is stored for the other site, so its delete finds nothing
    expect((await write(otherCookie, 'DELETE')).status).toBe(404);
    expect(
      (
        await write(otherCookie, 'PUT', {
          email: 'intruder@cred2.test',
          apiToken: 'other-token',
          vaultBackupsEnabled: false,
        })
      ).status,
    ).toBe(204);
    expect(await (await fetch(url, { headers: { cookie } })).json()).toEqual({
      email: 'svc@cred.test',
      hasToken: true,
      assetsApiBaseUrl: null,
      vaultBackupsEnabled: true,
    });
    expect(await (await fetch(url, { headers: { cookie: otherCookie } })).json()).toEqual({
      email: 'intruder@cred2.test',
      hasToken: true,
      assetsApiBaseUrl: null,
      vaultBackupsEnabled: false,
    });
  });
});
