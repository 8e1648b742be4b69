/**
 * The three route trees of app.ts and their guards, over real HTTP: the session API asks for a session
 * (401) before CSRF (403), also at addresses it does not have; the signed Forge tree asks for neither and
 * answers 404 at addresses it does not have; a guard plugin without the plugin it depends on fails at boot.
 */
import Fastify from 'fastify';
import { sessionGuard } from '../src/plugins/session.js';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { csrfHeaders } from './helpers/login.js';
import { createSiteWithSession } from './helpers/site.js';

describe('route trees', () => {
  let testDb: TestDatabase;
  let vault: TestApp;
  let cookie = '';

  beforeAll(async () => {
    testDb = await createTestDatabase();
    vault = await startTestApp({ db: testDb.db, config: testConfig({ VAULT_WORKERS: 'false' }) });
    ({ cookie } = await createSiteWithSession(testDb.db, {
      cloudId: 'cloud-trees',
      siteUrl: 'https://trees.atlassian.net',
      email: 'admin@trees.test',
    }));
  });
  afterAll(async () => {
    await vault?.close();
    await testDb?.drop();
  });

  const call = async (path: string, init: { method?: string; headers?: Record<string, string> } = {}) => {
    const res = await fetch(`${vault.baseUrl}${path}`, { method: init.method ?? 'GET', headers: init.headers ?? {} });
    return { status: res.status, body: (await res.json()) as { error: string } };
  };

  it('session API: a session first, then CSRF on writes, for existing and unknown addresses alike', async () => {
    for (const path of ['/api/v1/retention', '/api/v1/no-such-route']) {
      expect((await call(path)).status).toBe(401);
      expect((await call(path, { method: 'PUT' })).status).toBe(401);
      expect(await call(path, { method: 'PUT', headers: { cookie } })).toMatchObject({
        status: 403,
        body: { error: 'csrf_failed' },
      });
    }
    expect(await call('/api/v1/no-such-route', { headers: { cookie } })).toMatchObject({
      status: 404,
      body: { error: 'not_found' },
    });
    expect(
      await call('/api/v1/no-such-route', {
        method: 'PUT',
        headers: { cookie, ...csrfHeaders(vault.config.publicUrl) },
      }),
    ).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect((await call('/api/v1/me', { headers: { cookie } })).status).toBe(200);
  });

  it('Forge tree: no session and no CSRF; its own routes check the signature, unknown ones answer 404', async () => {
    expect(await call('/api/v1/forge/events', { method: 'POST' })).toMatchObject({ status: 401 });
    expect(await call('/api/v1/forge/no-such-route', { method: 'POST' })).toMatchObject({
      status: 404,
      body: { error: 'not_found' },
    });
    expect((await call('/api/v1/forge')).status).toBe(404);
  });

  it('login flow: CSRF on its write, nothing asked of the rest of the app', async () => {
    expect(await call('/auth/logout', { method: 'POST' })).toMatchObject({
      status: 403,
      body: { error: 'csrf_failed' },
    });
    expect((await call('/healthz')).status).toBe(200);
  });

  it('a guard without the plugin it depends on fails at boot, not at the first request', async () => {
    const bare = Fastify();
    await expect(bare.register(sessionGuard).ready()).rejects.toMatchObject({
      code: 'FST_ERR_PLUGIN_DEPENDENCY_NOT_REGISTERED',
    });
    await bare.close();
  });
});
