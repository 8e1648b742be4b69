/**
 * The wire contract from the Forge side: the app's real vault client against the stand-in vault,
 * which checks each request with `@assets-vault/shared/contract` the way the vault does. Every other
 * suite that talks to the stand-in fails on a violation (their afterEach); this one shows the checks
 * refuse what the vault would refuse, so a passing suite means something.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createEvent } from '../src/outbox';
import { createVaultClient, VaultRequestError } from '../src/vault-client';
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

function subject() {
  return { kind: 'trusted_user' as const, email: 'ana@example.com' };
}
