/** The app shell: health, readiness, OpenAPI, and the one error handler (each branch pinned). */
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ConflictError, NotFoundError, ValidationError } from '@assets-vault/shared/errors';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { appsPerConfig, captureLogs, startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { createSiteWithSession } from './helpers/site.js';
import { registerErrorHandler } from '../src/plugins/error-handler.js';

describe('health, readiness and docs', () => {
  let testDb: TestDatabase;
  let vault: TestApp;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    vault = await startTestApp({ db: testDb.db, config: testConfig({ VAULT_WORKERS: 'false', API_DOCS: 'public' }) });
  });
  afterAll(async () => {
    await vault?.close();
    await testDb?.drop();
  });

  it('answers /healthz and /readyz', async () => {
    const health = await fetch(`${vault.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${vault.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'ok', pendingMigrations: [] });
  });

  it('serves OpenAPI generated from the route schemas at /docs', async () => {
    const spec = (await (await fetch(`${vault.baseUrl}/docs/json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
    };
    expect(spec.openapi).toBe('3.1.0');
    const events = spec.paths['/api/v1/forge/events']?.post;
    expect(events?.requestBody).toBeDefined();
    expect(Object.keys(events?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '401', '409', '413', '422', '429']),
    );
    expect(spec.paths['/api/v1/trusted-users/{id}']?.get?.responses['404']).toBeDefined();
    expect(spec.paths['/readyz']).toBeDefined();
    const ui = await fetch(`${vault.baseUrl}/docs`, { redirect: 'follow' });
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  it('answers unknown routes with the error shape', async () => {
    // outside /api, /auth, /docs and the health routes a GET is a web UI screen (web-static.test.ts)
    const res = await fetch(`${vault.baseUrl}/api/no/such/route?x=1`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not_found', message: 'Route GET /api/no/such/route not found' });
  });
});

describe('API documentation access (API_DOCS)', () => {
  const suite = appsPerConfig();

  it('serves /docs and /docs/json to signed-in users only by default; public or off when configured', async () => {
    const { cookie } = await createSiteWithSession(suite.testDb.db, {
      cloudId: 'cloud-docs',
      siteUrl: 'https://docs.atlassian.net',
      email: 'admin@docs.test',
    });
    const byDefault = await suite.start({});
    for (const path of ['/docs/json', '/docs', '/docs/static/index.html']) {
      const anonymous = await fetch(`${byDefault.baseUrl}${path}`, { redirect: 'manual' });
      expect([path, anonymous.status]).toEqual([path, 401]);
    }
    const signedIn = await fetch(`${byDefault.baseUrl}/docs/json`, { headers: { cookie } });
    expect(signedIn.status).toBe(200);
    expect(((await signedIn.json()) as { openapi: string }).openapi).toBe('3.1.0');

    const open = await suite.start({ API_DOCS: 'public' });
    expect((await fetch(`${open.baseUrl}/docs/json`)).status).toBe(200);
    const off = await suite.start({ API_DOCS: 'off' });
    expect((await fetch(`${off.baseUrl}/docs/json`, { headers: { cookie } })).status).toBe(404);
  });
});

describe('readiness before migrations', () => {
  let testDb: TestDatabase;
  let vault: TestApp;

  beforeAll(async () => {
    testDb = await createTestDatabase({ migrated: false });
    vault = await startTestApp({
      db: testDb.db,
      config: testConfig({ VAULT_WORKERS: 'false', VAULT_MIGRATE_ON_START: 'false' }),
    });
  });
  afterAll(async () => {
    await vault?.close();
    await testDb?.drop();
  });

  it('reports 503 with the pending migrations until they are applied', async () => {
    const res = await fetch(`${vault.baseUrl}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; pendingMigrations: string[] };
    expect(body.status).toBe('not_ready');
    expect(body.pendingMigrations).toContain('0001-core');
  });
});

describe('error handler', () => {
  const logs = captureLogs('info');
  const app = Fastify({ loggerInstance: logs.logger as FastifyBaseLogger }).withTypeProvider<TypeBoxTypeProvider>();

  beforeAll(async () => {
    registerErrorHandler(app);
    app.get('/boom', async () => {
      throw new Error('select * from secret_table where password = hunter2');
    });
    app.get('/missing', async () => {
      throw new NotFoundError('Backup not found');
    });
    app.get('/conflict', async () => {
      throw new ConflictError('Restore running', { code: 'restore_running', details: { restoreId: 'r1' } });
    });
    app.get('/unprocessable', async () => {
      throw new ValidationError('Bad event', { statusCode: 422, code: 'invalid_event', details: [{ field: '/x' }] });
    });
    app.post(
      '/typed',
      { schema: { body: Type.Object({ n: Type.Integer({ minimum: 1 }) }) }, bodyLimit: 100 },
      async () => ({ ok: true }),
    );
    baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());

  let baseUrl = '';
  async function call(url: string, init: { method?: string; body?: string } = {}) {
    const res = await fetch(baseUrl + url, {
      method: init.method ?? 'GET',
      ...(init.body === undefined ? {} : { body: init.body, headers: { 'content-type': 'application/json' } }),
    });
    const text = await res.text();
    return { statusCode: res.status, body: text, json: () => JSON.parse(text) as unknown };
  }

  it('turns an unexpected error into a generic 500 and logs it once', async () => {
    const res = await call('/boom');
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'internal', message: 'Internal error' });
    expect(res.body).not.toContain('hunter2');
    const errors = logs.entries().filter((e) => e.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toBe('request failed');
  });

  it('keeps the status, code, message and details of an AppError', async () => {
    expect((await call('/missing')).json()).toEqual({ error: 'not_found', message: 'Backup not found' });
    const conflict = await call('/conflict');
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toEqual({
      error: 'restore_running',
      message: 'Restore running',
      details: { restoreId: 'r1' },
    });
    const unprocessable = await call('/unprocessable');
    expect(unprocessable.statusCode).toBe(422);
    expect(unprocessable.json()).toMatchObject({ error: 'invalid_event', details: [{ field: '/x' }] });
  });

  it('answers schema validation failures with 400 validation_failed and the fields', async () => {
    const res = await call('/typed', { method: 'POST', body: JSON.stringify({ n: 0 }) });
    expect(res.statusCode).toBe(400);
    const body = res.json() as { error: string; details: { field: string }[] };
    expect(body.error).toBe('validation_failed');
    expect(body.details[0]?.field).toBe('body/n');
  });

  it('maps malformed JSON and oversized bodies to stable codes', async () => {
    const bad = await call('/typed', { method: 'POST', body: '{"n": ' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: 'bad_request', message: 'Body is not valid JSON' });
    const big = await call('/typed', { method: 'POST', body: JSON.stringify({ n: 1, pad: 'x'.repeat(200) }) });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toEqual({ error: 'payload_too_large', message: 'Request body is too large' });
  });
});
