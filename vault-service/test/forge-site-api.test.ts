/**
 * The signed Forge site API (`/api/v1/forge/site/…`) over real HTTP on a real Postgres, with backups made by the
 * shared backup engine from the emulator and uploaded through the signed ingest routes:
 * - the answers equal the session API's for the same site (one service behind both doors);
 * - the tenant is the signed body's: another site's ids answer 404 and change nothing;
 * - signatures, timestamps and webhook ids are checked as on the other signed routes (replays refused, a write's
 *   retry answered from its stored response, a failed write keeps nothing);
 * - the site's credentials are stored encrypted, audited and logged without the token.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { forgeSiteApiPaths } from '@assets-vault/shared/contract';
import { captureLogs, startCredentialsApp, testConfig, type TestApp } from './helpers/app.js';
import type { TestDatabase } from './helpers/db.js';
import { forgeEvent, sendEvent, signEvent } from './helpers/forge.js';
import { createTrustedUserSession } from './helpers/site.js';
import { fixtureSnapshot, type TestSnapshot } from './helpers/snapshot.js';
import { createRestoreLogLink, LOG_LINK_TTL_MS, verifyRestoreLogLink } from '../src/modules/forge-site/log-link.js';
import { uploadSnapshot } from './helpers/upload.js';

const SITE_A = { cloudId: 'cloud-forge-a', siteUrl: 'https://forge-a.atlassian.net' };
const SITE_B = { cloudId: 'cloud-forge-b', siteUrl: 'https://forge-b.atlassian.net' };
const ADMIN = { accountId: 'acc-admin-1', displayName: 'Site Admin' };
const TOKEN = 'ATATT-forge-site-secret-token-1234567890';

describe('signed Forge site API', () => {
  let testDb: TestDatabase;
  let vault: TestApp;
  const logs = captureLogs('debug');
  let snapshot: TestSnapshot;
  let schemaId = '';
  const backups: Record<'manual' | 'scheduled', string> = { manual: '', scheduled: '' };
  let cookieA = '';

  async function call(
    path: string,
    body: unknown,
    options: Parameters<typeof signEvent>[1] = {},
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
    const signed = signEvent(body, { id: `fsa_${randomUUID()}`, ...options });
    const res = await fetch(`${vault.baseUrl}${path}`, { method: 'POST', body: signed.body, headers: signed.headers });
    const text = await res.text();
    return {
      status: res.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      headers: res.headers,
    };
  }

  const sessionGet = async (path: string) => {
    const res = await fetch(`${vault.baseUrl}/api/v1${path}`, { headers: { cookie: cookieA } });
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    ({ testDb, vault } = await startCredentialsApp(logs));
    snapshot = await fixtureSnapshot({
      name: 'forge-site',
      objects: 60,
      source: SITE_A,
      options: { history: true, icons: false, issueRefs: false },
      maxChunkRecords: 100,
    });
    schemaId = snapshot.manifest.schema.id;
    for (const site of [SITE_A, SITE_B]) {
      const connected = await sendEvent(
        vault.baseUrl,
        forgeEvent('installation.connected', { workspaceId: null, appVersion: '1' }, site),
      );
      expect(connected.status).toBe(200);
    }
    const synced = await sendEvent(
      vault.baseUrl,
      forgeEvent(
        'schema.synced',
        { schemaId, name: snapshot.manifest.schema.name, key: snapshot.manifest.schema.key, objectCount: 60 },
        SITE_A,
      ),
    );
    expect(synced.status).toBe(200);
    backups.manual = await uploadSnapshot(vault.baseUrl, SITE_A, snapshot, 'manual');
    backups.scheduled = await uploadSnapshot(vault.baseUrl, SITE_A, snapshot, 'scheduled');
    const site = await testDb.db
      .selectFrom('site')
      .select('id')
      .where('cloud_id', '=', SITE_A.cloudId)
      .executeTakeFirstOrThrow();
    cookieA = (await createTrustedUserSession(testDb.db, site.id, 'ana@example.com')).cookie;
  }, 120_000);

  afterAll(async () => {
    await vault?.close();
    await testDb?.drop();
  });

  it('answers the schemas and backups exactly as the session API does for the same site', async () => {
    const schemas = await call(forgeSiteApiPaths.schemas, SITE_A);
    expect(schemas.status).toBe(200);
    expect(schemas.body).toEqual(await sessionGet('/schemas'));
    expect(schemas.body.items).toEqual([
      expect.objectContaining({ schemaId, synced: true, backupsCount: 2, lastBackup: expect.any(Object) }),
    ]);

    const list = await call(forgeSiteApiPaths.backups, { ...SITE_A, schemaId });
    expect(list.status).toBe(200);
    expect(list.body).toEqual(await sessionGet(`/schemas/${schemaId}/backups`));
    const rows = list.body.items as Array<Record<string, unknown>>;
    expect(rows.map((r) => [r.id, r.n, r.type, r.objects, r.historyStatus])).toEqual([
      [backups.scheduled, 2, 'scheduled', 60, 'included'],
      [backups.manual, 1, 'manual', 60, 'included'],
    ]);

    const tree = await call(forgeSiteApiPaths.objectTypes, { ...SITE_A, backupId: backups.manual });
    expect(tree.status).toBe(200);
    expect(tree.body).toEqual(await sessionGet(`/backups/${backups.manual}/object-types`));
    expect((tree.body.items as unknown[]).length).toBeGreaterThan(0);
  });

  it('filters backups by kind and by a date range, and refuses a reversed range', async () => {
    const scheduled = await call(forgeSiteApiPaths.backups, { ...SITE_A, schemaId, kind: 'scheduled' });
    expect((scheduled.body.items as Array<{ id: string }>).map((r) => r.id)).toEqual([backups.scheduled]);
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const none = await call(forgeSiteApiPaths.backups, { ...SITE_A, schemaId, from: future });
    expect(none.body).toEqual({ items: [] });
    const past = new Date(Date.now() - 86_400_000).toISOString();
    const both = await call(forgeSiteApiPaths.backups, { ...SITE_A, schemaId, from: past, to: future });
    expect((both.body.items as unknown[]).length).toBe(2);
    const reversed = await call(forgeSiteApiPaths.backups, { ...SITE_A, schemaId, from: future, to: past });
    expect(reversed.status).toBe(400);
  });

  it('refuses bodies that do not match the contract with 422, unsigned or stale calls with 401', async () => {
    const unknownField = await call(forgeSiteApiPaths.schemas, { ...SITE_A, siteId: 'x' });
    expect(unknownField).toMatchObject({ status: 422, body: { error: 'invalid_request' } });
    const badSchema = await call(forgeSiteApiPaths.backups, { ...SITE_A, schemaId: '1 OR 1=1' });
    expect(badSchema.status).toBe(422);
    const noTenant = await call(forgeSiteApiPaths.schemas, {});
    expect(noTenant.status).toBe(422);

    const wrongSecret = await call(forgeSiteApiPaths.schemas, SITE_A, {
      secret: `whsec_${randomBytes(24).toString('base64')}`,
    });
    expect(wrongSecret).toMatchObject({ status: 401, body: { error: 'webhook_verification_failed' } });
    const stale = await call(forgeSiteApiPaths.schemas, SITE_A, { timestampSec: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.status).toBe(401);
    const unsigned = await fetch(`${vault.baseUrl}${forgeSiteApiPaths.schemas}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(SITE_A),
    });
    expect(unsigned.status).toBe(401);
  });

  it('answers a read once: the same webhook-id again is a replay (409)', async () => {
    const id = `fsa_${randomUUID()}`;
    expect((await call(forgeSiteApiPaths.schemas, SITE_A, { id })).status).toBe(200);
    const replay = await call(forgeSiteApiPaths.schemas, SITE_A, { id });
    expect(replay).toMatchObject({ status: 409, body: { error: 'webhook_id_reused' } });
  });

  it("keeps sites apart: another site's backups are invisible and cannot be deleted", async () => {
    const schemasB = await call(forgeSiteApiPaths.schemas, SITE_B);
    expect(schemasB.body).toEqual({ items: [] });
    const listB = await call(forgeSiteApiPaths.backups, { ...SITE_B, schemaId });
    expect(listB.body).toEqual({ items: [] });
    const treeB = await call(forgeSiteApiPaths.objectTypes, { ...SITE_B, backupId: backups.manual });
    expect(treeB.status).toBe(404);
    const id = `fsa_${randomUUID()}`;
    const deleteB = await call(
      forgeSiteApiPaths.deleteBackup,
      { ...SITE_B, actor: ADMIN, backupId: backups.manual },
      {
        id,
      },
    );
    expect(deleteB.status).toBe(404);
    // a failed write keeps nothing, not even its webhook id
    const claims = await testDb.db.selectFrom('processed_webhook').select('webhook_id').where('webhook_id', '=', id);
    expect(await claims.execute()).toEqual([]);
    const still = await call(forgeSiteApiPaths.backups, { ...SITE_A, schemaId });
    expect((still.body.items as unknown[]).length).toBe(2);
  });

  it('deletes a backup to the trash, audited with the admin; a retry gets the same answer, another body 409', async () => {
    const id = `fsa_${randomUUID()}`;
    const body = { ...SITE_A, actor: ADMIN, backupId: backups.manual };
    const deleted = await call(forgeSiteApiPaths.deleteBackup, body, { id });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ backupId: backups.manual, purgeAfter: expect.any(String) });
    expect(Date.parse(deleted.body.purgeAfter as string)).toBeGreaterThan(Date.now() + 6 * 86_400_000);

    const retry = await call(forgeSiteApiPaths.deleteBackup, body, { id });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(deleted.body);
    expect(retry.headers.get('webhook-duplicate')).toBe('true');
    const other = await call(forgeSiteApiPaths.deleteBackup, { ...body, backupId: backups.scheduled }, { id });
    expect(other).toMatchObject({ status: 409, body: { error: 'webhook_id_reused' } });

    const list = await call(forgeSiteApiPaths.backups, { ...SITE_A, schemaId });
    expect((list.body.items as Array<{ id: string }>).map((r) => r.id)).toEqual([backups.scheduled]);
    const trash = await sessionGet('/trash');
    expect(trash.items).toEqual([
      expect.objectContaining({ id: backups.manual, deletedBy: `forge:${ADMIN.accountId}` }),
    ]);
    const audit = await testDb.db
      .selectFrom('audit_event')
      .select(['actor', 'details'])
      .where('action', '=', 'backup.deleted')
      .where('target', '=', backups.manual)
      .execute();
    expect(audit).toEqual([{ actor: `forge:${ADMIN.accountId}`, details: expect.objectContaining({ trash: true }) }]);
    // deleting it again: it is gone
    const again = await call(forgeSiteApiPaths.deleteBackup, body);
    expect(again.status).toBe(404);
  });

  it('answers a log link without a signature, 404 for a link that proves nothing, and never logs its token', async () => {
    const link = createRestoreLogLink(vault.config, { siteId: randomUUID(), restoreId: randomUUID() }, new Date());
    const token = new URL(link.url).searchParams.get('token') ?? '';
    // a valid link of a restore that does not exist, then a forged one
    for (const t of [token, `${token.slice(0, -2)}xx`]) {
      const res = await fetch(`${vault.baseUrl}/api/v1/forge/restore-logs?token=${encodeURIComponent(t)}`);
      expect(res.status).toBe(404);
    }
    const missing = await fetch(`${vault.baseUrl}/api/v1/forge/restore-logs`);
    expect(missing.status).toBe(400);
    expect(logs.text()).toContain('/api/v1/forge/restore-logs?token=');
    expect(logs.text()).not.toContain(token.slice(0, 40));
  });

  it('stores the site credentials encrypted and audited; the token is never answered, stored or logged in clear', async () => {
    const before = await call(forgeSiteApiPaths.credentialsStatus, SITE_A);
    expect(before.body).toEqual({ stored: false, email: null });
    const badEmail = await call(forgeSiteApiPaths.storeCredentials, {
      ...SITE_A,
      actor: ADMIN,
      email: 'x',
      apiToken: TOKEN,
    });
    expect(badEmail.status).toBe(422);

    const stored = await call(forgeSiteApiPaths.storeCredentials, {
      ...SITE_A,
      actor: ADMIN,
      email: 'admin@forge-a.example',
      apiToken: TOKEN,
    });
    expect(stored).toMatchObject({ status: 200, body: { stored: true, email: 'admin@forge-a.example' } });
    expect(JSON.stringify(stored.body)).not.toContain(TOKEN);
    const after = await call(forgeSiteApiPaths.credentialsStatus, SITE_A);
    expect(after.body).toEqual({ stored: true, email: 'admin@forge-a.example' });
    // the session API sees the same credentials
    expect(await sessionGet('/site-credentials')).toEqual({
      email: 'admin@forge-a.example',
      hasToken: true,
      assetsApiBaseUrl: null,
      vaultBackupsEnabled: true,
    });
    // site B has none
    expect((await call(forgeSiteApiPaths.credentialsStatus, SITE_B)).body).toEqual({ stored: false, email: null });

    const rows = await testDb.db.selectFrom('site_credential').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(TOKEN);
    expect(Buffer.concat([rows[0]!.ciphertext]).toString('utf8')).not.toContain(TOKEN);
    const audit = await testDb.db
      .selectFrom('audit_event')
      .select(['actor', 'details'])
      .where('action', '=', 'credentials.saved')
      .execute();
    expect(audit).toEqual([{ actor: `forge:${ADMIN.accountId}`, details: expect.any(Object) }]);
    expect(JSON.stringify(audit)).not.toContain(TOKEN);
    const webhookRows = await testDb.db.selectFrom('processed_webhook').select('response').execute();
    expect(JSON.stringify(webhookRows)).not.toContain(TOKEN);
    expect(logs.text()).not.toContain(TOKEN);
  });
});

describe('restore log links', () => {
  const config = testConfig();
  const now = new Date('2026-12-07T10:00:00Z');
  const claims = { siteId: 'site-1', restoreId: 'restore-1' };
  const tokenOf = (url: string) => new URL(url).searchParams.get('token') ?? '';

  it('opens the one restore it names, on the public URL, until it expires', () => {
    const link = createRestoreLogLink(config, claims, now);
    expect(link.url.startsWith(`${config.publicUrl}/api/v1/forge/restore-logs?token=`)).toBe(true);
    expect(link.expiresAt).toBe(new Date(now.getTime() + LOG_LINK_TTL_MS).toISOString());
    expect(verifyRestoreLogLink(config, tokenOf(link.url), now)).toEqual(claims);
    expect(() => verifyRestoreLogLink(config, tokenOf(link.url), new Date(now.getTime() + LOG_LINK_TTL_MS))).toThrow(
      /invalid or has expired/,
    );
  });

  it('refuses a link whose claims were changed, one signed with another secret, and garbage', () => {
    const token = tokenOf(createRestoreLogLink(config, claims, now).url);
    const [payload, mac] = token.split('.') as [string, string];
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), restoreId: 'restore-2' }),
    ).toString('base64url');
    expect(() => verifyRestoreLogLink(config, `${forged}.${mac}`, now)).toThrow(/invalid/);
    const other = testConfig({ SESSION_SECRET: 'another-session-secret-of-at-least-32-chars' });
    expect(() => verifyRestoreLogLink(other, token, now)).toThrow(/invalid/);
    // the same signature bytes written another way (base64url's last character has spare bits) is refused too
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sameBytes = `${mac.slice(0, -1)}${alphabet[alphabet.indexOf(mac.at(-1) as string) ^ 1]}`;
    expect(sameBytes).not.toBe(mac);
    expect(Buffer.from(sameBytes, 'base64url')).toEqual(Buffer.from(mac, 'base64url'));
    expect(() => verifyRestoreLogLink(config, `${payload}.${sameBytes}`, now)).toThrow(/invalid/);
    for (const bad of ['', 'abc', `${token}.x`, `${payload}.`, '.'])
      expect(() => verifyRestoreLogLink(config, bad, now)).toThrow(/invalid/);
  });
});
