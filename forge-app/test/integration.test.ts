/**
 * The whole chain over real sockets: the Forge app's handlers on the local Forge platform (no
 * jest.mock at all), the Assets/Jira emulator, and the real vault process on its own Postgres
 * database, delivering its e-mail to an SMTP sink.
 *   1. invite → the vault has the trusted user and sends the invitation e-mail;
 *   2. backup now of a 5,000-object schema → a completed backup in the vault with its hashes
 *      verified and the right counts;
 *   3. a backup whose uploads are cut midway resumes from its cursor to the same content hash.
 */
import type { EmulatorSite, SeedResult } from '@assets-vault/emulator';
import type { Harness } from '../local/harness';
import type { SchemaView } from '../src/contract';
import { ok, startChain, type Chain } from './helpers/chain';
import type { SmtpSink } from './helpers/smtp';
import type { VaultProcess } from './helpers/vault-process';

const OBJECTS = 5_000;
let chain: Chain;
let smtp: SmtpSink;
let vault: VaultProcess;
let site: EmulatorSite;
let seeded: SeedResult;
let harness: Harness;

/** Manifests the app posted to `/complete`, captured at the egress edge (global fetch). */
const completed = new Map<
  string,
  { contentSha256: string; counts: { records: number; byKind: Record<string, number> }; chunks: unknown[] }
>();
/** When > 0, chunk uploads fail like a dropped connection (the network between Forge and the vault). */
let cutChunkUploads = 0;
const realFetch = globalThis.fetch;

beforeAll(async () => {
  globalThis.fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (cutChunkUploads > 0 && init?.method === 'PUT' && /\/chunks\/[1-9]\d*$/.test(url)) {
      cutChunkUploads -= 1;
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      });
    }
    const response = await realFetch(input, init);
    const complete = /\/api\/v1\/forge\/backups\/([^/]+)\/complete$/.exec(url);
    if (complete && response.ok && typeof init?.body === 'string')
      completed.set(complete[1] as string, JSON.parse(init.body));
    return response;
  };
  chain = await startChain({
    name: 'integration',
    objects: OBJECTS,
    // short consumer invocations, so the big backup really spans several of them
    harness: { budgets: { backupMs: 5_000 } },
  });
  ({ smtp, vault, site, seeded, harness } = chain);
}, 180_000);

afterAll(async () => {
  globalThis.fetch = realFetch;
  await chain?.close();
});

function uuid(id: string): string {
  if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error(`not a backup id: ${id}`);
  return id;
}

function storedBackup(backupId: string): Record<string, unknown> {
  const [row] = vault.query(
    `SELECT status, kind, schema_id, object_count, content_sha256 FROM backup WHERE id = '${uuid(backupId)}'`,
  );
  return row ?? {};
}

async function backUp(schemaId: string): Promise<{ backupId: string; invocations: number }> {
  const before = ok(await harness.invoke('listSchemas', {}));
  const synced = before.filter((s) => s.synced).map((s) => s.id);
  if (!synced.includes(schemaId)) ok(await harness.invoke('setSyncedSchemas', { schemaIds: [...synced, schemaId] }));
  const run = ok(await harness.invoke('backupNow', { schemaId }));
  const invocationsBefore = harness.queues.invocations.length;
  await harness.runQueues({ ignoreDelays: true });
  const schema = ok(await harness.invoke('listSchemas', {})).find((s: SchemaView) => s.id === schemaId);
  // a failed job names its cause (e.g. the vault's answer) in the assertion message
  if (schema?.lastBackup?.status !== 'completed')
    throw new Error(`backup ${schema?.lastBackup?.status ?? 'missing'}: ${schema?.lastBackup?.error ?? ''}`);
  expect(schema.lastBackup).toMatchObject({ jobId: run.jobId, kind: 'manual', status: 'completed' });
  return {
    backupId: schema?.lastBackup?.backupId as string,
    invocations: harness.queues.invocations.length - invocationsBefore,
  };
}

it('invite: the vault records the trusted user and e-mails the invitation', async () => {
  const user = ok(await harness.invoke('addTrustedUser', { email: 'Ana.Lima@Example.com' }));
  expect(user).toMatchObject({ email: 'ana.lima@example.com', status: 'invited' });

  const rows = vault.query<{ email: string }>("SELECT email FROM trusted_user WHERE email = 'ana.lima@example.com'");
  expect(rows).toHaveLength(1);
  const [mail] = await smtp.waitForMail(1);
  expect(mail?.to).toEqual(['ana.lima@example.com']);
  // the vault names the site the app announced (from the Forge context) and the inviting admin
  expect(mail?.subject).toBe(
    `You have been invited to the Assets Backup Vault of ${site.info.siteUrl.replace(/^http:\/\//, '')}`,
  );
  expect(mail?.raw).toContain('Site Admin');
  const status = ok(await harness.invoke('getVaultStatus', {}));
  expect(status).toMatchObject({ configured: true, deliveries: [] });
  expect(status.lastError).toBeUndefined();
}, 60_000);

it(`backup now of a ${OBJECTS}-object schema: a completed backup with verified hashes and right counts`, async () => {
  const { backupId, invocations } = await backUp(seeded.schemaId);
  expect(invocations).toBeGreaterThan(1);
  const manifest = completed.get(backupId);
  expect(manifest?.counts.byKind.object).toBe(OBJECTS);

  // What the vault stored after re-reading every chunk against the manifest on /complete.
  const backup = storedBackup(backupId);
  expect(backup).toMatchObject({
    status: 'completed',
    kind: 'manual',
    schema_id: seeded.schemaId,
    object_count: OBJECTS,
    content_sha256: manifest?.contentSha256,
  });
  const chunks = vault.query<{ seq: number; sha256: string }>(
    `SELECT seq, sha256 FROM backup_chunk WHERE backup_id = '${uuid(backupId)}' ORDER BY seq`,
  );
  expect(chunks).toEqual(
    (manifest?.chunks as Array<{ seq: number; sha256: string }>).map(({ seq, sha256 }) => ({ seq, sha256 })),
  );
}, 300_000);

it('a backup cut off midway resumes from its cursor and produces the same content hash', async () => {
  const schemaId = seeded.secondSchemaId as string;
  const reference = await backUp(schemaId);
  // Short slices, and three uploads after the first chunk fail like a dropped connection, which
  // outlasts the client's own retries, so the slice fails and the job resumes from its cursor.
  harness.budgets.backupMs = 1_500;
  cutChunkUploads = 3;
  const resumed = await backUp(schemaId);
  expect(cutChunkUploads).toBe(0);
  expect(resumed.invocations).toBeGreaterThan(1);
  expect(harness.queues.invocations.some((i) => i.outcome === 'done')).toBe(true);
  const [a, b] = [completed.get(reference.backupId), completed.get(resumed.backupId)];
  expect(b?.contentSha256).toBe(a?.contentSha256);
  expect(b?.counts).toEqual(a?.counts);
  // the vault re-read the resumed upload's chunks and holds the same verified content
  expect(storedBackup(resumed.backupId)).toMatchObject({
    status: 'completed',
    content_sha256: storedBackup(reference.backupId).content_sha256,
  });
}, 300_000);
