/**
 * Target instances over real HTTP, against real Postgres and the Assets emulator on a socket (its second
 * site is the target): checked before they are saved (workspace discovery and one read), nothing written
 * when a check fails, the token encrypted at rest and in no answer and no log line, deletes audited,
 * tenants apart, and the schema lists of a target and of the current instance.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { seedFixture, startEmulator, type Emulator, type EmulatorSite } from '@assets-vault/emulator';
import { assetsClientFor } from '../src/modules/credentials/assets-connection.js';
import { targetConnection } from '../src/modules/target-instances/service.js';
import { captureLogs, startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { csrfHeaders } from './helpers/login.js';
import { createSiteWithSession, type TestSite } from './helpers/site.js';

interface TargetView {
  id: string;
  name: string;
  url: string;
  email: string;
  assetsApiBaseUrl: string | null;
  createdAt: string;
  createdBy: string;
  lastCheckedAt: string | null;
}
interface ErrorBody {
  error: string;
  message: string;
}
interface SchemaItem {
  id: string;
  name: string;
  objectSchemaKey: string;
  objectCount: number;
}

const encryptionKey = `k1:${randomBytes(32).toString('base64')}`;
const WRONG_TOKEN = 'ATATT-wrong-token-never-logged-4711';

/** The schemas as the emulator serves them on the wire: what the vault must list. */
async function wireSchemas(site: EmulatorSite): Promise<SchemaItem[]> {
  const auth = `Basic ${Buffer.from(`${site.info.email}:${site.info.apiToken}`).toString('base64')}`;
  const res = await fetch(`${site.assetsBase}/objectschema/list?includeCounts=true&maxResults=100`, {
    headers: { authorization: auth },
  });
  const page = (await res.json()) as { values: SchemaItem[] };
  return page.values
    .map(({ id, name, objectSchemaKey, objectCount }) => ({ id, name, objectSchemaKey, objectCount }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

describe('target instances', () => {
  let emulator: Emulator;
  let home: EmulatorSite;
  let target: EmulatorSite;
  let testDb: TestDatabase;
  let vault: TestApp;
  let strictVault: TestApp;
  let site: TestSite;
  let other: TestSite;
  let closedPort = 0;
  const logs = captureLogs('trace');

  const call = (app: TestApp, who: TestSite, path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${app.baseUrl}/api/v1${path}`, {
      method: init.method ?? 'GET',
      headers: {
        cookie: who.cookie,
        ...(init.method && init.method !== 'GET' ? csrfHeaders(app.config.publicUrl) : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  const api = (path: string, init: { method?: string; body?: unknown } = {}) => call(vault, site, path, init);
  const targetInput = (overrides: Record<string, unknown> = {}) => ({
    name: 'Staging',
    url: target.info.siteUrl,
    email: target.info.email,
    apiToken: target.info.apiToken,
    assetsApiBaseUrl: target.info.assetsApiBase,
    ...overrides,
  });

  /** Everything a failed save could have written. */
  const writes = async () => ({
    targets: await testDb.db.selectFrom('target_instance').select('id').execute(),
    secrets: await testDb.db
      .selectFrom('site_credential')
      .select('purpose')
      .where('purpose', 'like', 'target-instance:%')
      .execute(),
    audit: await testDb.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', 'like', 'target_instance.%')
      .execute(),
  });

  async function refused(res: Response, status: number, error: string): Promise<ErrorBody> {
    const body = (await res.json()) as ErrorBody;
    expect({ status: res.status, error: body.error }).toEqual({ status, error });
    return body;
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    home = emulator.createSite({ name: 'home', knobs: { denseIds: true } });
    target = emulator.createSite({ name: 'target' });
    seedFixture(home, { objects: 12, seed: 'home' });
    seedFixture(target, { objects: 20, seed: 'target' });
    testDb = await createTestDatabase();
    vault = await startTestApp({
      db: testDb.db,
      config: testConfig({ VAULT_WORKERS: 'false', ENCRYPTION_KEYS: encryptionKey, ALLOW_INSECURE_SITE_URLS: 'true' }),
      deps: { logger: logs.logger },
    });
    // production rules (https, port 443, *.atlassian.net) on the same database
    strictVault = await startTestApp({
      db: testDb.db,
      config: testConfig({ VAULT_WORKERS: 'false', ENCRYPTION_KEYS: encryptionKey }),
      deps: { logger: logs.logger },
    });
    site = await createSiteWithSession(testDb.db, {
      cloudId: home.info.cloudId,
      siteUrl: home.info.siteUrl,
      email: 'admin@home.test',
    });
    other = await createSiteWithSession(testDb.db, {
      cloudId: 'cloud-other',
      siteUrl: 'https://other.atlassian.net',
      email: 'admin@other.test',
    });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve)); // nothing listens there any more
  }, 60_000);

  afterAll(async () => {
    await strictVault?.close();
    await vault?.close();
    await testDb?.drop();
    await emulator?.close();
  });

  it('checks the site (workspace discovery and one read), then saves it without ever returning the token', async () => {
    target.resetCounters();
    const res = await api('/target-instances', { method: 'POST', body: targetInput() });
    const text = await res.text();
    expect(res.status).toBe(201);
    expect(text).not.toContain(target.info.apiToken);
    const created = JSON.parse(text) as TargetView;
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Staging',
      url: target.info.siteUrl,
      email: target.info.email,
      assetsApiBaseUrl: target.info.assetsApiBase,
      createdAt: expect.any(String),
      createdBy: 'admin@home.test',
      lastCheckedAt: expect.any(String),
    });
    const routes = target.counters().byRoute;
    expect(Object.keys(routes).some((r) => r.includes('servicedeskapi/assets/workspace'))).toBe(true);
    expect(Object.keys(routes).some((r) => r.includes('objectschema/list'))).toBe(true);

    const list = await api('/target-instances');
    const listText = await list.text();
    expect(list.status).toBe(200);
    expect(listText).not.toContain(target.info.apiToken);
    expect((JSON.parse(listText) as { items: TargetView[] }).items).toEqual([created]);

    // at rest: a ciphertext under the target's own purpose, and the audit entry without the token
    const secret = await testDb.db
      .selectFrom('site_credential')
      .select(['purpose', 'ciphertext', 'key_id'])
      .where('site_id', '=', site.siteId)
      .where('purpose', '=', `target-instance:${created.id}`)
      .executeTakeFirstOrThrow();
    expect(secret.key_id).toBe('k1');
    expect(secret.ciphertext.toString('latin1')).not.toContain(target.info.apiToken);
    const audit = await testDb.db
      .selectFrom('audit_event')
      .select(['actor', 'target', 'details'])
      .where('action', '=', 'target_instance.created')
      .execute();
    expect(audit).toEqual([
      {
        actor: 'admin@home.test',
        target: created.id,
        details: {
          name: 'Staging',
          url: target.info.siteUrl,
          email: target.info.email,
          assetsApiBaseUrl: target.info.assetsApiBase,
        },
      },
    ]);

    // the restore module's view: the decrypted connection, and a client the one builder makes from it
    const conn = await targetConnection(vault.app.deps, site.siteId, created.id);
    expect(conn).toEqual({
      siteUrl: target.info.siteUrl,
      assetsApiBaseUrl: target.info.assetsApiBase,
      email: target.info.email,
      apiToken: target.info.apiToken,
      workspaceId: target.info.workspaceId,
    });
    const client = assetsClientFor(vault.app.deps, conn);
    expect(await client.getWorkspaceId()).toBe(target.info.workspaceId);
  });

  it('refuses a taken name (any case) before calling the site, and writes nothing', async () => {
    const before = await writes();
    target.resetCounters();
    const body = await refused(
      await api('/target-instances', { method: 'POST', body: targetInput({ name: '  STAGING ' }) }),
      409,
      'target_name_taken',
    );
    expect(body.message).toContain('STAGING');
    expect(target.counters().byRoute).toEqual({});
    expect(await writes()).toEqual(before);
  });

  it('answers 4xx with a stable code for a wrong token, an unreachable site, a site without Assets and bad URLs; nothing saved', async () => {
    const before = await writes();
    const post = (overrides: Record<string, unknown>, app = vault) =>
      call(app, site, '/target-instances', { method: 'POST', body: targetInput({ name: 'Other', ...overrides }) });

    const wrong = await refused(await post({ apiToken: WRONG_TOKEN }), 422, 'target_unauthorized');
    expect(wrong.message).toBe('The target site refused the e-mail and API token (HTTP 401)');

    const unreachable = await refused(
      await post({ url: `http://127.0.0.1:${closedPort}`, assetsApiBaseUrl: `http://127.0.0.1:${closedPort}/gateway` }),
      422,
      'target_unreachable',
    );
    expect(unreachable.message).not.toMatch(/ECONN|127\.0\.0\.1/);

    // an emulator address that is no site: workspace discovery answers 404
    const noAssets = await refused(await post({ url: `${emulator.url}/sites/nosuchsite` }), 422, 'target_unreachable');
    expect(noAssets.message).toMatch(/no Assets workspace/);

    await refused(await post({ url: 'not a url' }), 400, 'validation_failed');
    await refused(await post({ url: `${target.info.siteUrl}?x=1` }), 400, 'validation_failed');
    await refused(await post({ email: 'no-at-sign' }), 400, 'validation_failed');
    await refused(await post({ apiToken: '' }), 400, 'validation_failed');
    await refused(await post({ name: '   ' }), 400, 'validation_failed');
    // a private address is refused even in development
    await refused(await post({ url: 'http://10.1.2.3' }), 400, 'outbound_url_refused');
    // production rules: https on port 443 to an Atlassian host, and the gateway or the site for the API base
    for (const url of ['http://acme.atlassian.net', 'https://evil.example.com', 'https://acme.atlassian.net:8443'])
      await refused(await post({ url, assetsApiBaseUrl: undefined }, strictVault), 400, 'outbound_url_refused');
    await refused(
      await post(
        { url: 'https://acme.atlassian.net', assetsApiBaseUrl: 'https://collector.example.com/x' },
        strictVault,
      ),
      400,
      'validation_failed',
    );

    expect(await writes()).toEqual(before);
    // the failures are in the logs for an operator, the tokens nowhere
    expect(logs.text()).toContain('target connection check failed');
    expect(logs.text()).not.toContain(WRONG_TOKEN);
    expect(logs.text()).not.toContain(target.info.apiToken);
  });

  it("lists the target's schemas and the current instance's (409 no_credentials until the site has credentials)", async () => {
    const [created] = ((await (await api('/target-instances')).json()) as { items: TargetView[] }).items;
    const schemas = await api(`/target-instances/${created!.id}/schemas`);
    expect(schemas.status).toBe(200);
    const items = ((await schemas.json()) as { items: SchemaItem[] }).items;
    expect(items.length).toBeGreaterThanOrEqual(2);
    expect(items).toEqual(await wireSchemas(target));
    const after = ((await (await api('/target-instances')).json()) as { items: TargetView[] }).items[0]!;
    expect(Date.parse(after.lastCheckedAt!)).toBeGreaterThan(Date.parse(created!.lastCheckedAt!));

    const none = await refused(await api('/site-schemas'), 409, 'no_credentials');
    expect(none.message).toContain('/api/v1/site-credentials');
    const saved = await api('/site-credentials', {
      method: 'PUT',
      body: {
        email: home.info.email,
        apiToken: home.info.apiToken,
        assetsApiBaseUrl: home.info.assetsApiBase,
        vaultBackupsEnabled: true,
      },
    });
    expect(saved.status).toBe(204);
    const own = await api('/site-schemas');
    expect(own.status).toBe(200);
    expect(((await own.json()) as { items: SchemaItem[] }).items).toEqual(await wireSchemas(home));
  });

  it("answers 404 for another site's target, and shows it only to its own site", async () => {
    const [created] = ((await (await api('/target-instances')).json()) as { items: TargetView[] }).items;
    const otherList = await call(vault, other, '/target-instances');
    expect(((await otherList.json()) as { items: unknown[] }).items).toEqual([]);
    await refused(await call(vault, other, `/target-instances/${created!.id}/schemas`), 404, 'not_found');
    await refused(await call(vault, other, `/target-instances/${created!.id}`, { method: 'DELETE' }), 404, 'not_found');
    await refused(await api('/target-instances/not-a-uuid/schemas'), 404, 'not_found');
    await expect(targetConnection(vault.app.deps, other.siteId, created!.id)).rejects.toMatchObject({
      statusCode: 404,
    });
    expect((await writes()).targets).toHaveLength(1);
  });

  it('answers 502 target_unauthorized when a stored target no longer accepts its token', async () => {
    const [created] = ((await (await api('/target-instances')).json()) as { items: TargetView[] }).items;
    target.setKnobs({ forceAuthError: 401 });
    try {
      await refused(await api(`/target-instances/${created!.id}/schemas`), 502, 'target_unauthorized');
    } finally {
      target.setKnobs({});
    }
  });

  it('deletes a target with its stored token, audited; a second delete is 404', async () => {
    const [created] = ((await (await api('/target-instances')).json()) as { items: TargetView[] }).items;
    expect((await api(`/target-instances/${created!.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await writes()).toEqual({
      targets: [],
      secrets: [],
      audit: [{ action: 'target_instance.created' }, { action: 'target_instance.deleted' }],
    });
    const deleted = await testDb.db
      .selectFrom('audit_event')
      .select(['actor', 'target', 'details'])
      .where('action', '=', 'target_instance.deleted')
      .executeTakeFirstOrThrow();
    expect(deleted).toEqual({
      actor: 'admin@home.test',
      target: created!.id,
      details: { name: 'Staging', url: target.info.siteUrl },
    });
    await refused(await api(`/target-instances/${created!.id}`, { method: 'DELETE' }), 404, 'not_found');
    expect(((await (await api('/target-instances')).json()) as { items: unknown[] }).items).toEqual([]);
  });

  it('never wrote a token into a log line', () => {
    const text = logs.text();
    expect(text.length).toBeGreaterThan(0);
    for (const token of [target.info.apiToken, home.info.apiToken, WRONG_TOKEN]) expect(text).not.toContain(token);
  });
});
