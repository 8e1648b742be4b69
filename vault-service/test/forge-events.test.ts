/** What each Forge event does (architecture.md "Events"), over real HTTP with real signatures. */
import { ValidationError } from '@assets-vault/shared/errors';
import type { Transaction } from 'kysely';
import { countAllRows, createTestDatabase, type TestDatabase } from './helpers/db.js';
import { captureLogs, startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { forgeEvent, sendEvent } from './helpers/forge.js';
import type { DB } from '../src/db/types.js';
import { normaliseSiteUrl } from '../src/modules/sites/site-url.js';
import { pruneProcessedWebhooks } from '../src/modules/forge-events/repository.js';
import { createHousekeeping, PROCESSED_WEBHOOK_RETENTION_MS } from '../src/jobs/housekeeping.js';

const site = { cloudId: 'cloud-ev-1', siteUrl: 'https://events.atlassian.net' };

describe('Forge events', () => {
  let testDb: TestDatabase;
  let vault: TestApp;
  const backupDeletions: { siteId: string; backupId: string; inTransaction: boolean }[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase();
    vault = await startTestApp({
      db: testDb.db,
      config: testConfig({ VAULT_WORKERS: 'false' }),
      deps: {
        forgeEvents: {
          // Stands in for the backups module: records the call and refuses one id to prove rollback.
          async onBackupDeleted(trx: Transaction<DB>, input) {
            if (input.backupId === 'backup-in-use')
              throw new ValidationError('Backup is being restored', { statusCode: 422, code: 'backup_in_use' });
            const seen = await trx
              .selectFrom('audit_event')
              .select('id')
              .where('target', '=', input.backupId)
              .execute();
            backupDeletions.push({ siteId: input.siteId, backupId: input.backupId, inTransaction: seen.length === 1 });
            return { deleted: true };
          },
        },
      },
    });
  });
  afterAll(async () => {
    await vault?.close();
    await testDb?.drop();
  });

  const siteRow = () =>
    testDb.db.selectFrom('site').selectAll().where('cloud_id', '=', site.cloudId).executeTakeFirstOrThrow();

  it('installation.connected creates the site on first contact and records workspace and version', async () => {
    const res = await sendEvent(
      vault.baseUrl,
      forgeEvent(
        'installation.connected',
        { workspaceId: 'ws-123', appVersion: '1.4.0' },
        { ...site, siteUrl: 'https://Events.atlassian.net/' },
      ),
    );
    expect(res.status).toBe(200);
    const row = await siteRow();
    expect(row).toMatchObject({
      site_url: 'https://events.atlassian.net',
      workspace_id: 'ws-123',
      app_version: '1.4.0',
      installation_state: 'connected',
    });
    expect(res.body).toEqual({
      status: 'processed',
      webhookId: expect.any(String),
      type: 'installation.connected',
      result: { siteId: row.id },
    });
  });

  it('a renamed site keeps its tenant (same cloudId) and gets the new URL', async () => {
    const before = await siteRow();
    const renamed = { cloudId: site.cloudId, siteUrl: 'https://events-renamed.atlassian.net' };
    expect(
      (
        await sendEvent(
          vault.baseUrl,
          forgeEvent('installation.connected', { workspaceId: 'ws-123', appVersion: '1.4.1' }, renamed),
        )
      ).status,
    ).toBe(200);
    const after = await siteRow();
    expect(after.id).toBe(before.id);
    expect(after.site_url).toBe(renamed.siteUrl);
    const audit = await testDb.db
      .selectFrom('audit_event')
      .select(['details'])
      .where('action', '=', 'site.url_changed')
      .executeTakeFirstOrThrow();
    expect(audit.details).toEqual({ previousUrl: 'https://events.atlassian.net' });
    expect(
      (
        await sendEvent(
          vault.baseUrl,
          forgeEvent('installation.connected', { workspaceId: 'ws-123', appVersion: '1.4.1' }, site),
        )
      ).status,
    ).toBe(200);
  });

  it('schema.synced stores the chosen schema; synced=false marks it unsynced; a delayed older event is ignored', async () => {
    const t = Date.now();
    const schemaSynced = (data: Record<string, unknown>, at: number) =>
      sendEvent(vault.baseUrl, forgeEvent('schema.synced', data, site, new Date(at)));
    const synced = await schemaSynced({ schemaId: '42', name: 'IT Assets', key: 'ITA', objectCount: 1234 }, t - 2000);
    expect(synced.body.result).toEqual({ schemaId: '42', isSynced: true, outcome: 'stored' });
    const unsynced = await schemaSynced(
      { schemaId: '42', name: 'IT Assets', key: 'ITA', objectCount: 1300, synced: false },
      t - 1000,
    );
    expect(unsynced.body.result).toEqual({ schemaId: '42', isSynced: false, outcome: 'stored' });
    const stale = await schemaSynced(
      { schemaId: '42', name: 'Old name', key: 'ITA', objectCount: 1, synced: true },
      t - 1500,
    );
    expect(stale.status).toBe(200);
    expect(stale.body.result).toEqual({ schemaId: '42', isSynced: true, outcome: 'stale' });
    const row = await testDb.db
      .selectFrom('synced_schema')
      .select(['name', 'object_count', 'is_synced'])
      .where('schema_id', '=', '42')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ name: 'IT Assets', object_count: 1300, is_synced: false });
  });

  it('trusted_user.removed for an unknown e-mail is accepted and changes nothing', async () => {
    const res = await sendEvent(
      vault.baseUrl,
      forgeEvent(
        'trusted_user.removed',
        { email: 'nobody@example.com', removedBy: { accountId: 'a', displayName: 'A' } },
        site,
      ),
    );
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual({ outcome: 'not_found' });
  });

  it('backup.deleted is audited and handed to the backups extension inside the same transaction', async () => {
    const res = await sendEvent(vault.baseUrl, forgeEvent('backup.deleted', { backupId: 'backup-1' }, site));
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual({ backupId: 'backup-1', deleted: true });
    const { id } = await siteRow();
    expect(backupDeletions).toEqual([{ siteId: id, backupId: 'backup-1', inTransaction: true }]);
  });

  it('an extension that refuses the event rolls everything back, the webhook id included', async () => {
    const before = await countAllRows(testDb.url);
    const refused = await sendEvent(vault.baseUrl, forgeEvent('backup.deleted', { backupId: 'backup-in-use' }, site), {
      id: 'msg_refused_once',
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toBe('backup_in_use');
    expect(await countAllRows(testDb.url)).toEqual(before);
  });
});

describe('processed webhook retention', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it('housekeeping forgets webhook ids older than the retention and keeps recent ones', async () => {
    const now = new Date();
    const hash = Buffer.alloc(32, 1);
    await testDb.db
      .insertInto('processed_webhook')
      .values([
        {
          webhook_id: 'msg_old',
          body_sha256: hash,
          processed_at: new Date(now.getTime() - PROCESSED_WEBHOOK_RETENTION_MS - 60_000),
        },
        { webhook_id: 'msg_recent', body_sha256: hash, processed_at: new Date(now.getTime() - 60_000) },
      ])
      .execute();
    const logs = captureLogs('info');
    const housekeeping = createHousekeeping(
      { log: logs.logger, clock: { now: () => now } },
      {
        intervalMs: 3_600_000,
        tasks: [
          {
            name: 'processed_webhook',
            run: (at) => pruneProcessedWebhooks(testDb.db, new Date(at.getTime() - PROCESSED_WEBHOOK_RETENTION_MS)),
          },
        ],
      },
    );
    await housekeeping.runOnce();
    const left = await testDb.db.selectFrom('processed_webhook').select('webhook_id').execute();
    expect(left.map((r) => r.webhook_id)).toEqual(['msg_recent']);
    expect(logs.entries().map((e) => [e.task, e.removed])).toEqual([['processed_webhook', 1]]);
  });
});

describe('normaliseSiteUrl', () => {
  const strict = { allowInsecureSiteUrls: false, allowedSiteHosts: ['.atlassian.net'] };
  const local = { allowInsecureSiteUrls: true, allowedSiteHosts: ['.atlassian.net'] };

  it('normalises real site URLs to their https origin', () => {
    expect(normaliseSiteUrl(' https://Acme.Atlassian.net/ ', strict)).toBe('https://acme.atlassian.net');
    expect(normaliseSiteUrl('https://acme.atlassian.net:443', strict)).toBe('https://acme.atlassian.net');
  });

  it.each([
    ['http://acme.atlassian.net', 'https://'],
    ['https://atlassian.net', 'not an Atlassian'],
    ['https://acme.atlassian.net.evil.com', 'not an Atlassian'],
    ['https://evil.com/acme.atlassian.net', 'without a path'],
    ['https://user:pw@acme.atlassian.net', 'without a path'],
    ['https://acme.atlassian.net/?x=1', 'without a path'],
    ['javascript:alert(1)', 'https://'],
    ['acme.atlassian.net', 'absolute URL'],
  ])('refuses %s', (input, message) => {
    expect(() => normaliseSiteUrl(input, strict)).toThrow(message);
  });

  it('accepts http and local hosts only with ALLOW_INSECURE_SITE_URLS', () => {
    expect(() => normaliseSiteUrl('http://127.0.0.1:4010', strict)).toThrow('https://');
    expect(normaliseSiteUrl('http://127.0.0.1:4010/', local)).toBe('http://127.0.0.1:4010');
    expect(normaliseSiteUrl('http://127.0.0.1:4000/sites/demo/', local)).toBe('http://127.0.0.1:4000/sites/demo');
    expect(() => normaliseSiteUrl('http://127.0.0.1:4000/sites/demo', strict)).toThrow('https://');
    expect(() => normaliseSiteUrl('https://acme.atlassian.net/sites/demo', local)).toThrow('without a path');
  });
});
