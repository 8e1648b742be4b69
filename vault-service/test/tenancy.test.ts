/**
 * Tenant isolation (security.md 13) for every table of the core: two sites with look-alike data;
 * each repository and service call made for site A never returns, changes or reveals site B's rows.
 */
import { NotFoundError } from '@assets-vault/shared/errors';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { forgeEvent, sendEvent } from './helpers/forge.js';
import { createTestSession } from './helpers/login.js';
import { listAuditEvents } from '../src/modules/audit/repository.js';
import { listOutboxEmails } from '../src/modules/email/outbox-repository.js';
import { findSiteByUrl } from '../src/modules/sites/repository.js';
import { findSyncedSchema, listSyncedSchemas, upsertSyncedSchema } from '../src/modules/synced-schemas/repository.js';
import {
  findTrustedUserByEmail,
  findTrustedUserById,
  findTrustedUserForLogin,
  listTrustedUsers,
  markTrustedUserRemoved,
  recordTrustedUserLogin,
  reinviteTrustedUser,
} from '../src/modules/trusted-users/repository.js';
import { getTrustedUser } from '../src/modules/trusted-users/service.js';

const siteA = { cloudId: 'cloud-tenant-a', siteUrl: 'https://tenant-a.atlassian.net' };
const siteB = { cloudId: 'cloud-tenant-b', siteUrl: 'https://tenant-b.atlassian.net' };
const admin = { accountId: 'acc-1', displayName: 'Admin' };
const shared = 'same.person@example.com';

describe('tenant isolation', () => {
  let testDb: TestDatabase;
  let vault: TestApp;
  let a: { siteId: string; userId: string };
  let b: { siteId: string; userId: string };

  beforeAll(async () => {
    testDb = await createTestDatabase();
    vault = await startTestApp({ db: testDb.db, config: testConfig({ VAULT_WORKERS: 'false' }) });
    // The same person is invited to both sites; each site also syncs a schema with the same Assets id.
    for (const site of [siteA, siteB]) {
      for (const event of [
        forgeEvent('trusted_user.invited', { email: shared, invitedBy: admin }, site),
        forgeEvent('trusted_user.invited', { email: `only.${site.cloudId}@example.com`, invitedBy: admin }, site),
        forgeEvent(
          'schema.synced',
          { schemaId: '1', name: `Schema of ${site.cloudId}`, key: 'CMDB', objectCount: 10 },
          site,
        ),
      ]) {
        expect((await sendEvent(vault.baseUrl, event)).status).toBe(200);
      }
    }
    const ids = async (site: typeof siteA) => {
      const s = await findSiteByUrl(testDb.db, site.siteUrl);
      const u = s && (await findTrustedUserByEmail(testDb.db, s.id, shared));
      if (!s || !u) throw new Error('fixture missing');
      return { siteId: s.id, userId: u.id };
    };
    a = await ids(siteA);
    b = await ids(siteB);
  });
  afterAll(async () => {
    await vault?.close();
    await testDb?.drop();
  });

  it('trusted_user: reads by id, e-mail and list stay within the site', async () => {
    expect(a.userId).not.toBe(b.userId);
    expect(await findTrustedUserById(testDb.db, a.siteId, b.userId)).toBeUndefined();
    expect((await findTrustedUserById(testDb.db, a.siteId, a.userId))?.siteId).toBe(a.siteId);
    expect((await findTrustedUserByEmail(testDb.db, a.siteId, shared))?.id).toBe(a.userId);
    expect((await findTrustedUserForLogin(testDb.db, b.siteId, shared))?.id).toBe(b.userId);
    expect(await findTrustedUserByEmail(testDb.db, a.siteId, `only.${siteB.cloudId}@example.com`)).toBeUndefined();
    const listed = await listTrustedUsers(testDb.db, a.siteId);
    expect(listed.map((u) => u.email).sort()).toEqual([`only.${siteA.cloudId}@example.com`, shared]);
    await expect(getTrustedUser({ db: testDb.db }, a.siteId, b.userId)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('trusted_user: writes with another site id change nothing', async () => {
    expect(
      await markTrustedUserRemoved(
        testDb.db,
        a.siteId,
        b.userId,
        { removedByName: 'x', removedAt: new Date() },
        new Date(),
      ),
    ).toBeUndefined();
    expect(await recordTrustedUserLogin(testDb.db, a.siteId, b.userId, new Date())).toBeUndefined();
    await expect(
      reinviteTrustedUser(
        testDb.db,
        a.siteId,
        b.userId,
        { status: 'invited', invitedByAccountId: 'x', invitedByName: 'x', invitedAt: new Date() },
        new Date(),
      ),
    ).rejects.toThrow();
    const untouched = await findTrustedUserById(testDb.db, b.siteId, b.userId);
    expect(untouched).toMatchObject({ status: 'invited', invitedByName: 'Admin', lastLoginAt: null });
  });

  it('a removal event for site A leaves the same e-mail at site B alone', async () => {
    const res = await sendEvent(
      vault.baseUrl,
      forgeEvent('trusted_user.removed', { email: shared, removedBy: admin }, siteA),
    );
    expect(res.status).toBe(200);
    expect((await findTrustedUserById(testDb.db, a.siteId, a.userId))?.status).toBe('removed');
    expect((await findTrustedUserById(testDb.db, b.siteId, b.userId))?.status).toBe('invited');
    expect(await findTrustedUserForLogin(testDb.db, a.siteId, shared)).toBeUndefined();
    expect(await findTrustedUserForLogin(testDb.db, b.siteId, shared)).toBeDefined();
  });

  it('synced_schema: the same Assets schema id is a separate row per site', async () => {
    expect((await findSyncedSchema(testDb.db, a.siteId, '1'))?.name).toBe(`Schema of ${siteA.cloudId}`);
    expect((await findSyncedSchema(testDb.db, b.siteId, '1'))?.name).toBe(`Schema of ${siteB.cloudId}`);
    await upsertSyncedSchema(
      testDb.db,
      a.siteId,
      { schemaId: '1', name: 'Renamed', key: 'CMDB', objectCount: 11, isSynced: true },
      new Date(),
    );
    expect((await findSyncedSchema(testDb.db, b.siteId, '1'))?.name).toBe(`Schema of ${siteB.cloudId}`);
    expect((await listSyncedSchemas(testDb.db, b.siteId)).map((s) => s.siteId)).toEqual([b.siteId]);
  });

  it('audit_event and email_outbox: listed per site only', async () => {
    const auditA = await listAuditEvents(testDb.db, a.siteId);
    expect(auditA.length).toBeGreaterThan(0);
    expect(auditA.every((e) => e.siteId === a.siteId)).toBe(true);
    expect(auditA.some((e) => e.action === 'trusted_user.removed')).toBe(true);
    expect((await listAuditEvents(testDb.db, b.siteId)).some((e) => e.action === 'trusted_user.removed')).toBe(false);
    const mailA = await listOutboxEmails(testDb.db, a.siteId);
    const mailB = await listOutboxEmails(testDb.db, b.siteId);
    expect(mailA.map((m) => m.toAddress).sort()).toEqual([`only.${siteA.cloudId}@example.com`, shared]);
    expect(mailB.every((m) => m.siteId === b.siteId)).toBe(true);
    expect(mailA.find((m) => m.toAddress === shared)?.textBody).toContain(siteA.siteUrl);
    expect(mailB.find((m) => m.toAddress === shared)?.textBody).toContain(siteB.siteUrl);
  });

  it('processed_webhook: a message id of site A replayed with a body for site B is refused', async () => {
    const id = 'msg_tenant_replay';
    expect(
      (
        await sendEvent(
          vault.baseUrl,
          forgeEvent('installation.connected', { workspaceId: 'ws-a', appVersion: '1' }, siteA),
          { id },
        )
      ).status,
    ).toBe(200);
    const replay = await sendEvent(
      vault.baseUrl,
      forgeEvent('installation.connected', { workspaceId: 'ws-b', appVersion: '1' }, siteB),
      { id },
    );
    expect(replay.status).toBe(409);
    const siteBRow = await findSiteByUrl(testDb.db, siteB.siteUrl);
    expect(siteBRow?.workspaceId).toBeNull();
  });

  it('HTTP: a session of site B sees only site B trusted users; site A ids answer 404', async () => {
    await recordTrustedUserLogin(testDb.db, b.siteId, b.userId, new Date());
    const cookie = await createTestSession(testDb.db, { siteId: b.siteId, trustedUserId: b.userId, email: shared });
    const list = await fetch(`${vault.baseUrl}/api/v1/trusted-users`, { headers: { cookie } });
    expect(list.status).toBe(200);
    const body = (await list.json()) as { items: { id: string; email: string }[] };
    expect(body.items.map((u) => u.email).sort()).toEqual([`only.${siteB.cloudId}@example.com`, shared]);
    expect(body.items.some((u) => u.id === a.userId)).toBe(false);

    const own = await fetch(`${vault.baseUrl}/api/v1/trusted-users/${b.userId}`, { headers: { cookie } });
    expect(own.status).toBe(200);
    expect(((await own.json()) as { email: string }).email).toBe(shared);
    const foreign = await fetch(`${vault.baseUrl}/api/v1/trusted-users/${a.userId}`, { headers: { cookie } });
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual({ error: 'not_found', message: 'Trusted user not found' });

    const anonymous = await fetch(`${vault.baseUrl}/api/v1/trusted-users`);
    expect(anonymous.status).toBe(401);
  });
});
