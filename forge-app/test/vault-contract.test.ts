/**
 * The wire contract from the Forge side: the app's real vault client against the stand-in vault,
 * which checks each request with `@assets-vault/shared/contract` the way the vault does. Every other
 * suite that talks to the stand-in fails on a violation (their afterEach); this one shows the checks
 * refuse what the vault would refuse, so a passing suite means something.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createEvent } from '../src/outbox';
import { forgeSiteApiPaths } from '@assets-vault/shared/contract';
import { createVaultClient, VaultRefusedError, VaultRequestError } from '../src/vault-client';
import { vaultSite, VaultUnavailableError } from '../src/vault-site';
import { startVaultStandIn, type VaultStandIn } from './helpers/servers';

jest.mock('@forge/api', () => jest.requireActual('./helpers/forge-edge').forgeApiModule());
jest.mock('@forge/kvs', () => jest.requireActual('./helpers/forge-edge').forgeKvsModule());
jest.mock('@forge/events', () => jest.requireActual('./helpers/forge-edge').forgeEventsModule());

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const tenant = { cloudId: 'c-1', siteUrl: 'https://acme.atlassian.net' };
const actor = { accountId: 'acc-1', displayName: 'Ana Admin' };
let vault: VaultStandIn;
let client: ReturnType<typeof createVaultClient>;

beforeEach(async () => {
  vault = await startVaultStandIn(secret);
  client = createVaultClient({ config: { url: vault.url, secret } });
});
afterEach(() => vault.close());

async function statusOf(call: Promise<unknown>): Promise<number | undefined> {
  try {
    await call;
  } catch (err) {
    if (err instanceof VaultRequestError) return err.status;
    throw err;
  }
  return 200;
}

const openBody = {
  ...tenant,
  schema: { id: '7', name: 'IT assets', key: 'ITA', objectCount: 3 },
  kind: 'manual' as const,
  startedAt: '2026-11-25T10:00:00.000Z',
  options: { history: true, icons: false, issueRefs: false },
};

it('accepts every event type the app sends, and an upload', async () => {
  const events = [
    createEvent(tenant, 'installation.connected', { workspaceId: null, appVersion: '1.0.0' }, { kind: 'installation' }),
    createEvent(tenant, 'trusted_user.invited', { email: 'ana@example.com', invitedBy: actor }, subject()),
    createEvent(tenant, 'trusted_user.removed', { email: 'ana@example.com', removedBy: actor }, subject()),
    createEvent(
      tenant,
      'schema.synced',
      { schemaId: '7', name: 'IT', key: 'ITA', objectCount: 3, synced: false },
      {
        kind: 'schema',
        schemaId: '7',
      },
    ),
  ];
  for (const event of events) await client.sendEvent(event);
  const { backupId } = await client.createBackup(openBody, 'bko_job-1_0');
  const bytes = randomBytes(64);
  await client.putChunk(backupId, 0, bytes, createHash('sha256').update(bytes).digest('hex'));
  expect(vault.events.map((e) => e.body.type)).toEqual(events.map((e) => e.type));
  expect(vault.contractViolations).toEqual([]);
});

it('refuses what the vault refuses: bad event data, a bad open body, a chunk id bound to other content', async () => {
  const badEvent = createEvent(
    tenant,
    'trusted_user.invited',
    { email: 'ana@example.com', invitedBy: { ...actor, accountId: '' } },
    subject(),
  );
  expect(await statusOf(client.sendEvent(badEvent))).toBe(422);
  expect(
    await statusOf(client.createBackup({ ...openBody, schema: { ...openBody.schema, id: 'IT-7' } }, 'bko_2')),
  ).toBe(422);
  expect(await statusOf(client.createBackup({ ...openBody, startedAt: 'yesterday' }, 'bko_3'))).toBe(422);
  const { backupId } = await client.createBackup(openBody, 'bko_4');
  expect(await statusOf(client.putChunk(backupId, 0, randomBytes(64), 'f'.repeat(64)))).toBe(422);
  expect(vault.contractViolations.map((v) => v.reason)).toEqual([
    expect.stringMatching(/Invalid data for trusted_user\.invited/),
    expect.stringMatching(/^open backup body: \/schema\/id must match pattern/),
    expect.stringMatching(/^open backup body: \/startedAt must match format "date-time"/),
    'webhook-id does not name this backup, sequence number and hash',
  ]);
});

describe('the signed site API (restore from Jira)', () => {
  const request = {
    backupId: 'b-1',
    destination: { kind: 'current-instance' as const, schemaName: 'Restored', schemaKey: 'RES' },
    options: { objectIcons: false, history: true, objectTypeIds: ['7'] },
  };
  beforeEach(() => {
    process.env.VAULT_URL = vault.url;
    process.env.VAULT_WEBHOOK_SECRET = secret;
    for (const path of Object.values(forgeSiteApiPaths))
      if (typeof path === 'string') vault.siteAnswers.set(path, { status: 200, body: { items: [] } });
  });

  it('sends every call as the vault validates it, the tenant in each signed body', async () => {
    const site = vaultSite(tenant);
    await site.schemas();
    await site.backups({ schemaId: '7', kind: 'scheduled', from: '2026-11-01T00:00:00.000Z' });
    await site.objectTypes('b-1');
    await site.deleteBackup(actor, 'b-1');
    await site.credentialsStatus();
    await site.storeCredentials(actor, { email: 'ana@example.com', apiToken: 't' });
    await site.targetInstances();
    await site.assetsSchemas();
    await site.assetsSchemas('ti-1');
    await site.restores({ schemaId: '7' });
    await site.restore('r-1');
    await site.previewRestore(request);
    await site.startRestore(actor, {
      ...request,
      destination: {
        kind: 'another-instance',
        newTarget: { name: 'B', url: 'https://b.atlassian.net', email: 'b@example.com', apiToken: 't', save: true },
        schemaName: 'R',
        schemaKey: 'RR',
      },
    });
    await site.issueFields(actor, 'r-1');
    await site.restoreLogLink('r-1');
    expect(vault.contractViolations).toEqual([]);
    expect(vault.calls).toHaveLength(15);
    for (const call of vault.calls) expect(call.json).toMatchObject(tenant);
    // one webhook-id per call: the vault answers each id once
    expect(new Set(vault.calls.map((c) => c.webhookId)).size).toBe(15);
  });

  it("refuses unknown fields as the vault does, and keeps the vault's refusal and an outage apart", async () => {
    const site = vaultSite(tenant);
    await expect(site.restores({ schemaId: '7', sneaky: true } as never)).rejects.toBeInstanceOf(VaultRefusedError);
    expect(vault.contractViolations.map((v) => v.reason)).toEqual([
      expect.stringMatching(/^\/api\/v1\/forge\/site\/restores body: .*must NOT have additional properties/),
    ]);
    vault.siteAnswers.set(forgeSiteApiPaths.startRestore, {
      status: 409,
      body: { error: 'schema_key_taken', message: 'The schema key RES is already used on the target site' },
    });
    await expect(site.startRestore(actor, request)).rejects.toMatchObject({
      name: 'VaultRefusedError',
      code: 'schema_key_taken',
      statusCode: 409,
      message: 'The schema key RES is already used on the target site',
    });
    vault.mode = 'unavailable';
    const outage = site.schemas();
    await expect(outage).rejects.toBeInstanceOf(VaultUnavailableError);
    await expect(outage).rejects.toThrow(/^The vault could not be reached or failed \(Vault answered 503/);
    // nothing listens on port 1: the connection is refused
    process.env.VAULT_URL = 'http://127.0.0.1:1';
    await expect(vaultSite(tenant).schemas()).rejects.toThrow(/could not be reached .*\(Vault unreachable/);
  });
});

function subject() {
  return { kind: 'trusted_user' as const, email: 'ana@example.com' };
}
