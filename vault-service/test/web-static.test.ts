/**
 * How the vault serves the web UI's build: index.html for the UI's screens (never for API, login, docs or
 * health routes), hashed assets cached for a year, gzip, the strict CSP, and a clear page when there is no build.
 * Uses a small build-shaped folder, so it does not depend on a real `vite build`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';

const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(2000))});`;

describe('web UI files', () => {
  let testDb: TestDatabase;
  let built: TestApp;
  let unbuilt: TestApp;
  let dist: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    dist = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-web-dist-'));
    fs.mkdirSync(path.join(dist, 'assets'));
    fs.writeFileSync(path.join(dist, 'index.html'), INDEX);
    fs.writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), SCRIPT);
    const config = testConfig({ VAULT_WORKERS: 'false', API_DOCS: 'public' });
    built = await startTestApp({ db: testDb.db, config, deps: { webDistDir: dist } });
    unbuilt = await startTestApp({ db: testDb.db, config, deps: { webDistDir: path.join(dist, 'missing') } });
  });

  afterAll(async () => {
    await built?.close();
    await unbuilt?.close();
    await testDb?.drop();
    fs.rmSync(dist, { recursive: true, force: true });
  });

  const get = (app: TestApp, url: string, headers: Record<string, string> = {}) =>
    fetch(`${app.baseUrl}${url}`, { headers: { 'accept-encoding': 'identity', ...headers } });

  it('answers index.html with the strict CSP and no-cache for / and the UI screens', async () => {
    for (const url of ['/', '/schemas/2', '/schemas/2/backups/abc/objects/7?x=1', '/settings']) {
      const res = await get(built, url);
      expect([url, res.status]).toEqual([url, 200]);
      expect(await res.text()).toBe(INDEX);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https:\/\/[a-z]/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('serves hashed assets as immutable, gzipped when the browser accepts it', async () => {
    const plain = await get(built, '/assets/index-abc123.js');
    expect(plain.status).toBe(200);
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await plain.text()).toBe(SCRIPT);
    const raw = await fetch(`${built.baseUrl}/assets/index-abc123.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(raw.headers.get('content-encoding')).toBe('gzip');
    expect(raw.headers.get('vary')).toBe('accept-encoding');
    // fetch inflates transparently; the length on the wire is the compressed one
    expect(Number(raw.headers.get('content-length'))).toBeLessThan(SCRIPT.length / 10);
    expect(await raw.text()).toBe(SCRIPT);
  });

  it('does not shadow the API, login, docs and health routes, nor invent files', async () => {
    for (const url of ['/auth/nothing-here', '/docs-nothing-here', '/nothing-here']) {
      const res = await get(built, url);
      expect([url, res.status]).toEqual([url, 404]);
      expect(((await res.json()) as { error: string }).error).toBe('not_found');
    }
    // the session API answers its own unknown addresses (without a session: 401, as for its routes)
    const unknownApi = await get(built, '/api/v1/nothing-here');
    expect(unknownApi.status).toBe(401);
    expect(((await unknownApi.json()) as { error: string }).error).toBe('unauthorized');
    expect((await get(built, '/healthz')).status).toBe(200);
    expect((await get(built, '/docs/json')).headers.get('content-type')).toContain('application/json');
    expect((await get(built, '/assets/unknown-123.js')).status).toBe(404);
    expect((await get(built, '/favicon.ico')).status).toBe(404);
    const me = await get(built, '/api/v1/me');
    expect(me.headers.get('content-type')).toContain('application/json');
  });

  it('without a build, says how to build the UI on every UI URL while the API keeps working', async () => {
    for (const url of ['/', '/schemas/2']) {
      const res = await get(unbuilt, url);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('pnpm --filter @assets-vault/vault-web build');
    }
    expect((await get(unbuilt, '/healthz')).status).toBe(200);
    expect((await get(unbuilt, '/auth/options')).status).toBe(200);
  });
});
