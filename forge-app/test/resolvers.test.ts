/**
 * The resolvers run as the Forge runtime calls them (`handler({ call, context }, backendPayload)`),
 * with only @forge/api, @forge/kvs and @forge/events replaced at the edge (test/helpers/forge-edge).
 * Jira and Assets are the shared emulator over HTTP; the vault is a local HTTP stand-in that
 * verifies every event with the `standardwebhooks` package.
 */
import { randomBytes } from 'node:crypto';
import { startEmulator, seedFixture, type Emulator, type EmulatorSite } from '@assets-vault/emulator';
import { handler, vaultDeliveryConsumer } from '../src/index';
import type { ResolverResult } from '../src/contract';
import { edge } from './helpers/forge-edge';
import { startVaultStandIn, type VaultStandIn } from './helpers/servers';

jest.mock('@forge/api', () => jest.requireActual('./helpers/forge-edge').forgeApiModule());
jest.mock('@forge/kvs', () => jest.requireActual('./helpers/forge-edge').forgeKvsModule());
jest.mock('@forge/events', () => jest.requireActual('./helpers/forge-edge').forgeEventsModule());

const secret = `whsec_${randomBytes(32).toString('base64')}`;
let emulator: Emulator;
let site: EmulatorSite;
let vault: VaultStandIn;
let schemaId: string;
let secondSchemaId: string;

beforeAll(async () => {
  emulator = await startEmulator();
  site = emulator.createSite({ name: 'acme' });
  const seeded = seedFixture(site, { objects: 30, seed: 'resolvers', history: false, issues: false });
  schemaId = seeded.schemaId;
  secondSchemaId = seeded.secondSchemaId as string;
  edge.jira.siteUrl = site.info.siteUrl;
  edge.jira.authorization = `Basic ${Buffer.from(`${site.info.email}:${site.info.apiToken}`).toString('base64')}`;
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(async () => {
  edge.reset();
  edge.accountId = site.actorAccountId;
  vault = await startVaultStandIn(secret);
  process.env.VAULT_URL = vault.url;
  process.env.VAULT_WEBHOOK_SECRET = secret;
});

afterEach(async () => {
  await vault.close();
  // every request the app sent is one the vault accepts (shared/src/contract)
  expect(vault.contractViolations).toEqual([]);
});

async function call<T = unknown>(
  functionKey: string,
  payload: Record<string, unknown> = {},
  accountId = site.actorAccountId,
): Promise<ResolverResult<T>> {
  // What Jira's UI Kit bridge sends: the product context travels in `context`, the user in principal.
  edge.accountId = accountId;
  const context = {
    cloudId: site.info.cloudId,
    siteUrl: site.info.siteUrl,
    accountId,
    moduleKey: 'assets-backup-vault',
    localId: 'local-1',
    extension: { type: 'jira:globalPage' },
  };
  return (await handler(
    { call: { functionKey, payload }, context },
    { principal: { accountId }, installContext: `ari:cloud:jira::site/${site.info.cloudId}` },
  )) as ResolverResult<T>;
}

async function ok<T>(functionKey: string, payload: Record<string, unknown> = {}): Promise<T> {
  const result = await call<T>(functionKey, payload);
  if (!result.ok) throw new Error(`${functionKey} failed: ${result.error.code} ${result.error.message}`);
  return result.data;
}

describe('access', () => {
  it('refuses callers who are not Jira administrators and stores nothing', async () => {
    site.data.denyPermission('ADMINISTER');
    const result = await call('listTrustedUsers', {}, 'someone-else').finally(() =>
      site.data.allowPermission('ADMINISTER'),
    );
    expect(edge.requests.map((r) => [r.as, r.path])).toEqual([
      ['user', '/rest/api/3/mypermissions?permissions=ADMINISTER'],
    ]);
    expect(result).toEqual({
      ok: false,
      error: { code: 'forbidden', message: 'Only Jira administrators can manage Assets Backup Vault' },
    });
    expect(edge.kvs.snapshot()).toEqual({});
    expect(vault.calls).toHaveLength(0);
  });

  it('takes the tenant from the Forge context and announces the installation once, signed', async () => {
    await ok('listTrustedUsers');
    await ok('listTrustedUsers');
    expect(vault.rejected).toEqual([]);
    expect(vault.events.map((e) => e.body.type)).toEqual(['installation.connected']);
    const body = vault.events[0]!.body;
    expect(body).toMatchObject({
      cloudId: site.info.cloudId,
      siteUrl: site.info.siteUrl,
      data: { workspaceId: site.info.workspaceId, appVersion: 'local' },
    });
    expect(typeof body.occurredAt).toBe('string');
  });
});

describe('trusted users', () => {
  it('validates the email and sends nothing for bad input', async () => {
    for (const email of ['', 'ana', 'ana@', 'ana@@example.com', 'a b@example.com', 42]) {
      const result = await call('addTrustedUser', { email });
      expect(result).toMatchObject({ ok: false, error: { code: 'invalid_email' } });
    }
    expect(vault.events.map((e) => e.body.type)).toEqual(['installation.connected']);
  });

  it('invites: stores the user, sends trusted_user.invited signed, lists it as invited', async () => {
    const user = await ok<{ email: string; status: string; invitedBy: { accountId: string; displayName: string } }>(
      'addTrustedUser',
      { email: ' Ana@Example.COM ', cloudId: 'attacker-cloud' },
    );
    expect(user).toMatchObject({
      email: 'ana@example.com',
      status: 'invited',
      invitedBy: { accountId: site.actorAccountId, displayName: 'Site Admin' },
    });
    const invited = vault.events.find((e) => e.body.type === 'trusted_user.invited')!;
    expect(invited.id).toMatch(/^evt_/);
    expect(invited.body).toMatchObject({
      cloudId: site.info.cloudId,
      siteUrl: site.info.siteUrl,
      data: { email: 'ana@example.com', invitedBy: { accountId: site.actorAccountId, displayName: 'Site Admin' } },
    });
    const list = await ok<Array<{ email: string; status: string }>>('listTrustedUsers');
    expect(list.map((u) => [u.email, u.status])).toEqual([['ana@example.com', 'invited']]);
    expect(await call('addTrustedUser', { email: 'ana@example.com' })).toMatchObject({
      ok: false,
      error: { code: 'already_trusted' },
    });
  });

  it('removes after an invite, in order, and forgets the user once the vault has the removal', async () => {
    await ok('addTrustedUser', { email: 'bo@example.com' });
    expect(await ok('removeTrustedUser', { email: 'BO@example.com' })).toEqual({
      email: 'bo@example.com',
      status: 'removed',
    });
    expect(vault.events.map((e) => e.body.type)).toEqual([
      'installation.connected',
      'trusted_user.invited',
      'trusted_user.removed',
    ]);
    expect(vault.events[2]!.body.data).toEqual({
      email: 'bo@example.com',
      removedBy: { accountId: site.actorAccountId, displayName: 'Site Admin' },
    });
    expect(await ok('listTrustedUsers')).toEqual([]);
    expect(await call('removeTrustedUser', { email: 'bo@example.com' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('keeps changes when the vault is down, retries through the queue with the same webhook-id', async () => {
    vault.mode = 'unavailable';
    const user = await ok<{ status: string }>('addTrustedUser', { email: 'cy@example.com' });
    expect(user.status).toBe('pending');
    await ok('removeTrustedUser', { email: 'cy@example.com' });
    const status = await ok<{
      lastError?: { message: string };
      deliveries: Array<{ type: string; state: string; attempts: number }>;
    }>('getVaultStatus');
    expect(status.lastError?.message).toBe('Vault answered 503: unavailable');
    expect(status.deliveries.map((d) => [d.type, d.state])).toEqual([
      ['installation.connected', 'pending'],
      ['trusted_user.invited', 'pending'],
      ['trusted_user.removed', 'pending'],
    ]);
    expect((await ok<Array<{ status: string }>>('listTrustedUsers')).map((u) => u.status)).toEqual(['removing']);
    // One delayed retry is queued, not one per call.
    const retries = edge.queues.waiting('vault-deliveries');
    expect(retries).toHaveLength(1);
    expect(retries[0]!.dueAt).toBeGreaterThan(Date.now());

    vault.mode = 'ok';
    await edge.queues.drain({ 'vault-deliveries': vaultDeliveryConsumer }, { ignoreDelays: true });
    expect(vault.events.map((e) => e.body.type)).toEqual([
      'installation.connected',
      'trusted_user.invited',
      'trusted_user.removed',
    ]);
    // While the vault was down the oldest event was tried (and refused with 503) on every call and
    // the later ones waited behind it, keeping their order; the retry sent each with its one id.
    const oldest = vault.events[0]!.id;
    expect(vault.attempts.filter((id) => id === oldest).length).toBeGreaterThanOrEqual(3);
    expect(new Set(vault.attempts)).toEqual(new Set(vault.events.map((e) => e.id)));
    expect(await ok('listTrustedUsers')).toEqual([]);
    expect(await ok<{ deliveries: unknown[]; lastError?: unknown }>('getVaultStatus')).toMatchObject({
      deliveries: [],
    });
  });

  it('shows events the vault refuses as failed until an admin retries them', async () => {
    await ok('listTrustedUsers');
    vault.mode = 'refuse';
    const user = await ok<{ status: string }>('addTrustedUser', { email: 'di@example.com' });
    expect(user.status).toBe('failed');
    const status = await ok<{ deliveries: Array<{ type: string; state: string; lastError?: string }> }>(
      'getVaultStatus',
    );
    expect(status.deliveries).toEqual([
      expect.objectContaining({
        type: 'trusted_user.invited',
        state: 'failed',
        lastError: 'Vault answered 422: refused by the test vault',
      }),
    ]);
    expect(edge.queues.waiting('vault-deliveries')).toHaveLength(0);

    vault.mode = 'ok';
    const after = await ok<{ deliveries: unknown[] }>('retryDeliveries');
    expect(after.deliveries).toEqual([]);
    expect((await ok<Array<{ status: string }>>('listTrustedUsers')).map((u) => u.status)).toEqual(['invited']);
  });
});

describe('schemas and backups', () => {
  it('lists the Assets schemas of the site through requestJira', async () => {
    const schemas = await ok<Array<{ id: string; name: string; synced: boolean }>>('listSchemas');
    expect(schemas.map((s) => s.id).sort()).toEqual([schemaId, secondSchemaId].sort());
    expect(schemas.every((s) => !s.synced)).toBe(true);
    const paths = edge.requests.map((r) => r.path);
    expect(paths).toContain('/rest/servicedeskapi/assets/workspace?start=0&limit=50');
    expect(paths.some((p) => p.startsWith(`/jsm/assets/workspace/${site.info.workspaceId}/v1/objectschema/list`))).toBe(
      true,
    );
    expect(edge.requests.filter((r) => r.path.startsWith('/jsm/')).every((r) => r.as === 'app')).toBe(true);
  });

  it('syncs schemas with schema.synced events and stops with synced: false', async () => {
    const schemas = await ok<Array<{ id: string; synced: boolean; syncStatus?: string }>>('setSyncedSchemas', {
      schemaIds: [schemaId],
    });
    expect(schemas.find((s) => s.id === schemaId)).toMatchObject({ synced: true, syncStatus: 'synced' });
    const synced = vault.events.filter((e) => e.body.type === 'schema.synced');
    expect(synced.map((e) => e.body.data)).toEqual([
      {
        schemaId,
        name: site.store.schema(schemaId)!.name,
        key: site.store.schema(schemaId)!.objectSchemaKey,
        objectCount: site.store.objectCount(schemaId),
      },
    ]);

    await ok('setSyncedSchemas', { schemaIds: [secondSchemaId] });
    const later = vault.events
      .filter((e) => e.body.type === 'schema.synced')
      .slice(1)
      .map((e) => e.body.data as { schemaId: string; synced?: boolean });
    expect(later.map((d) => [d.schemaId, d.synced ?? true]).sort()).toEqual(
      [
        [schemaId, false],
        [secondSchemaId, true],
      ].sort(),
    );

    expect(await call('setSyncedSchemas', { schemaIds: ['999999'] })).toMatchObject({
      ok: false,
      error: { code: 'unknown_schema' },
    });
    expect(await call('setSyncedSchemas', { schemaIds: ['1; DROP'] })).toMatchObject({
      ok: false,
      error: { code: 'invalid_schema_ids' },
    });
  });

  it('validates schedules and stores them on synced schemas only', async () => {
    const schedule = { frequency: 'weekly', time: '03:00', dayOfWeek: 5, timezone: 'Europe/Paris' };
    expect(await call('setSchedule', { schemaId, schedule })).toMatchObject({
      ok: false,
      error: { code: 'schema_not_synced' },
    });
    await ok('setSyncedSchemas', { schemaIds: [schemaId] });
    expect(await call('setSchedule', { schemaId, schedule: { ...schedule, time: '03:30' } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_schedule' },
    });
    expect(await call('setSchedule', { schemaId, schedule: { ...schedule, timezone: 'Mars/Olympus' } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_schedule' },
    });
    const saved = await ok<{ schedule: unknown }>('setSchedule', { schemaId, schedule });
    expect(saved.schedule).toEqual(schedule);
    const listed = await ok<Array<{ id: string; schedule: unknown }>>('listSchemas');
    expect(listed.find((s) => s.id === schemaId)?.schedule).toEqual(schedule);
  });

  it('queues a manual backup job once per schema', async () => {
    expect(await call('backupNow', { schemaId })).toMatchObject({ ok: false, error: { code: 'schema_not_synced' } });
    await ok('setSyncedSchemas', { schemaIds: [schemaId] });
    const run = await ok<{ jobId: string; kind: string; status: string }>('backupNow', { schemaId });
    expect(run).toMatchObject({ kind: 'manual', status: 'queued' });
    expect(edge.queues.waiting('backup-jobs').map((e) => e.body)).toEqual([{ jobId: run.jobId }]);
    expect(await call('backupNow', { schemaId })).toMatchObject({ ok: false, error: { code: 'backup_in_progress' } });
    const listed = await ok<Array<{ id: string; lastBackup?: { jobId: string; status: string } }>>('listSchemas');
    expect(listed.find((s) => s.id === schemaId)?.lastBackup).toMatchObject({ jobId: run.jobId, status: 'queued' });
  });

  it('reports a missing vault configuration instead of queueing work that cannot finish', async () => {
    await ok('setSyncedSchemas', { schemaIds: [schemaId] });
    delete process.env.VAULT_WEBHOOK_SECRET;
    const result = await call('backupNow', { schemaId });
    expect(result).toMatchObject({ ok: false, error: { code: 'configuration_error' } });
    expect((result as { error: { message: string } }).error.message).toContain('VAULT_WEBHOOK_SECRET is not set');
    expect(edge.queues.waiting('backup-jobs')).toHaveLength(0);
    const status = await ok<{ configured: boolean; vaultUrl?: string }>('getVaultStatus');
    expect(status).toMatchObject({ configured: false, vaultUrl: vault.url });
  });
});

describe('restore resolvers', () => {
  const siteCalls = () => vault.calls.filter((c) => c.path.startsWith('/api/v1/forge/site/'));
  const restoreKeys = [
    'listVaultSchemas',
    'listBackups',
    'backupObjectTypes',
    'deleteBackup',
    'getSiteCredentials',
    'saveSiteCredentials',
    'listTargetInstances',
    'listAssetsSchemas',
    'listRestores',
    'getRestore',
    'previewRestore',
    'startRestore',
    'restoreIssueFields',
    'restoreLogLink',
  ];

  it('refuses every restore resolver to callers who are not Jira administrators', async () => {
    site.data.denyPermission('ADMINISTER');
    try {
      for (const key of restoreKeys)
        expect(await call(key, { schemaId, backupId: 'b-1', restoreId: 'r-1' }, 'someone-else')).toMatchObject({
          ok: false,
          error: { code: 'forbidden' },
        });
    } finally {
      site.data.allowPermission('ADMINISTER');
    }
    expect(siteCalls()).toEqual([]);
  });

  it("asks the vault for the Forge context's site, whatever the payload says, and names the admin on writes", async () => {
    vault.siteAnswers.set('/api/v1/forge/site/schemas', { status: 200, body: { items: [] } });
    vault.siteAnswers.set('/api/v1/forge/site/backups/delete', {
      status: 200,
      body: { backupId: 'b-1', purgeAfter: '2026-12-10T00:00:00.000Z' },
    });
    await ok('listVaultSchemas', { cloudId: 'another-cloud', siteUrl: 'https://evil.atlassian.net' });
    await ok('deleteBackup', { backupId: 'b-1', cloudId: 'another-cloud' });
    const me = site.store.users().find((u) => u.accountId === site.actorAccountId);
    expect(siteCalls().map((c) => c.json)).toEqual([
      { cloudId: site.info.cloudId, siteUrl: site.info.siteUrl },
      {
        cloudId: site.info.cloudId,
        siteUrl: site.info.siteUrl,
        backupId: 'b-1',
        actor: { accountId: site.actorAccountId, displayName: me?.displayName },
      },
    ]);
  });

  it('validates every payload and sends nothing to the vault for bad input', async () => {
    const restore = {
      backupId: 'b-1',
      destination: { kind: 'current-instance', schemaName: 'Restored', schemaKey: 'RES' },
      options: { objectIcons: false, history: false },
    };
    const bad: Array<[string, Record<string, unknown>, string]> = [
      ['listBackups', { schemaId: 'IT-1' }, 'invalid_schema_id'],
      ['listBackups', { schemaId, kind: 'weekly' }, 'invalid_kind'],
      ['listBackups', { schemaId, from: 'yesterday' }, 'invalid_date'],
      ['listBackups', { schemaId, from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' }, 'invalid_range'],
      ['backupObjectTypes', { backupId: '../../x' }, 'invalid_id'],
      ['deleteBackup', {}, 'invalid_id'],
      ['getRestore', { restoreId: 'r 1' }, 'invalid_id'],
      ['listRestores', { schemaId: 'x' }, 'invalid_schema_id'],
      ['listAssetsSchemas', { targetInstanceId: 'a/b' }, 'invalid_id'],
      ['saveSiteCredentials', { email: 'nope', apiToken: 't' }, 'invalid_email'],
      ['saveSiteCredentials', { email: 'ana@example.com', apiToken: '  ' }, 'invalid_token'],
      ['saveSiteCredentials', { email: 'ana@example.com', apiToken: 't', assetsApiBaseUrl: 'ftp://x' }, 'invalid_url'],
      ['startRestore', { ...restore, extra: 1 }, 'invalid_restore'],
      ['startRestore', { ...restore, destination: { ...restore.destination, schemaKey: 'R' } }, 'invalid_restore'],
      ['startRestore', { ...restore, destination: { ...restore.destination, schemaName: '  ' } }, 'invalid_restore'],
      [
        'startRestore',
        { ...restore, destination: { kind: 'another-instance', schemaName: 'A', schemaKey: 'AA' } },
        'invalid_restore',
      ],
      [
        'previewRestore',
        { ...restore, destination: { kind: 'existing-schema', schemaId: '', createDuplicates: false } },
        'invalid_restore',
      ],
      [
        'previewRestore',
        { ...restore, options: { objectIcons: false, history: false, objectTypeIds: [] } },
        'invalid_restore',
      ],
    ];
    for (const [key, payload, code] of bad)
      expect({ key, result: await call(key, payload) }).toMatchObject({ key, result: { ok: false, error: { code } } });
    expect(siteCalls()).toEqual([]);
  });
});
