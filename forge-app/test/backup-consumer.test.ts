/**
 * Backup jobs end to end inside the app: "Backup now" queues a job, the real consumer runs the
 * shared engine against the emulated site with small invocation budgets (so the job spans several
 * invocations through its KVS cursor), and uploads to a vault stand-in that checks signatures,
 * chunk ids and the manifest. A network cut mid-upload must resume to the same content hash.
 */
import { randomBytes } from 'node:crypto';
import { startEmulator, seedFixture, type Emulator, type EmulatorSite } from '@assets-vault/emulator';
import { backupConsumer, handler } from '../src/index';
import type { ResolverResult, SchemaView } from '../src/contract';
import { jobStore } from '../src/store';
import { installInvocationContext, runInvocation } from '../local/forge-runtime';
import { edge } from './helpers/forge-edge';
import { startVaultStandIn, type VaultStandIn } from './helpers/servers';

jest.mock('@forge/api', () => jest.requireActual('./helpers/forge-edge').forgeApiModule());
jest.mock('@forge/kvs', () => jest.requireActual('./helpers/forge-edge').forgeKvsModule());
jest.mock('@forge/events', () => jest.requireActual('./helpers/forge-edge').forgeEventsModule());

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const OBJECTS = 300;
let emulator: Emulator;
let site: EmulatorSite;
let vault: VaultStandIn;
let schemaId: string;
let uninstallContext: () => void;

beforeAll(async () => {
  emulator = await startEmulator();
  site = emulator.createSite({ name: 'backup' });
  schemaId = seedFixture(site, { objects: OBJECTS, seed: 'consumer', issues: true }).schemaId;
  edge.jira.siteUrl = site.info.siteUrl;
  edge.jira.authorization = `Basic ${Buffer.from(`${site.info.email}:${site.info.apiToken}`).toString('base64')}`;
  edge.accountId = site.actorAccountId;
  // The emulator enforces no rate limit; the pacer would otherwise hold 2,500 history reads to
  // Atlassian's documented 1,000 per minute.
  process.env.ASSETS_RATE_FACTOR = '100';
  process.env.VAULT_WEBHOOK_SECRET = secret;
  uninstallContext = installInvocationContext();
});

afterAll(async () => {
  uninstallContext();
  await emulator.close();
});

beforeEach(async () => {
  edge.reset();
  vault = await startVaultStandIn(secret);
  process.env.VAULT_URL = vault.url;
});

afterEach(async () => {
  await vault.close();
  // every request the app sent is one the vault accepts (shared/src/contract)
  expect(vault.contractViolations).toEqual([]);
});

async function ok<T>(functionKey: string, payload: Record<string, unknown> = {}): Promise<T> {
  const context = { cloudId: site.info.cloudId, siteUrl: site.info.siteUrl, accountId: site.actorAccountId };
  const result = (await runInvocation(
    'resolver',
    25_000,
    async () =>
      await handler(
        { call: { functionKey, payload }, context },
        { principal: { accountId: site.actorAccountId }, installContext: `ari:cloud:jira::site/${site.info.cloudId}` },
      ),
  )) as ResolverResult<T>;
  if (!result.ok) throw new Error(`${functionKey}: ${result.error.message}`);
  return result.data;
}

/** Runs queued backup events as consumer invocations with `budgetMs` each; retry delays are skipped. */
function drainBackups(budgetMs: number): Promise<number> {
  return edge.queues.drain(
    {
      'backup-jobs': (event) => runInvocation('backup-consumer-fn', budgetMs, () => backupConsumer(event)),
      'vault-deliveries': async () => undefined,
    },
    { ignoreDelays: true },
  );
}

async function backUp(budgetMs: number): Promise<{ jobId: string; invocations: number; backupId: string }> {
  await ok('setSyncedSchemas', { schemaIds: [schemaId] });
  const run = await ok<{ jobId: string }>('backupNow', { schemaId });
  const invocations = await drainBackups(budgetMs);
  const job = await jobStore.get(run.jobId);
  expect(job).toMatchObject({ status: 'completed' });
  return { jobId: run.jobId, invocations, backupId: job?.backupId as string };
}

type Manifest = {
  schema: { id: string };
  source: { cloudId: string; siteUrl: string };
  counts: { byKind: Record<string, number> };
  chunks: Array<{ seq: number; sha256: string }>;
  contentSha256: string;
};

it('backs up a schema across several invocations and completes it in the vault', async () => {
  // A 10 ms invocation leaves a 5 ms slice: every invocation yields at its first chance, so the
  // job needs many of them whatever the machine speed.
  const { jobId, invocations, backupId } = await backUp(10);
  expect(invocations).toBeGreaterThan(1);
  expect(vault.rejected).toEqual([]);

  const backup = vault.backups.get(backupId)!;
  expect(backup.create).toMatchObject({
    cloudId: site.info.cloudId,
    siteUrl: site.info.siteUrl,
    kind: 'manual',
    schema: {
      id: schemaId,
      name: site.store.schema(schemaId)!.name,
      key: site.store.schema(schemaId)!.objectSchemaKey,
      objectCount: OBJECTS,
    },
    options: { history: true, icons: true, issueRefs: true },
  });
  const manifest = backup.manifest as unknown as Manifest;
  expect(manifest.source).toMatchObject({ cloudId: site.info.cloudId, siteUrl: site.info.siteUrl });
  expect(manifest.counts.byKind.object).toBe(OBJECTS);
  expect(manifest.counts.byKind.history).toBeGreaterThan(0);
  expect(manifest.chunks.map((c) => c.seq)).toEqual([...backup.chunks.keys()].sort((a, b) => a - b));
  // every chunk upload was bound to its backup, seq and hash by its webhook-id
  const puts = vault.calls.filter((c) => c.method === 'PUT');
  expect(puts.every((c) => /^chunk_bk_\d+_\d+_[0-9a-f]{64}$/.test(c.webhookId))).toBe(true);
  const completes = vault.calls.filter((c) => c.path.endsWith('/complete'));
  expect(completes.map((c) => c.webhookId)).toEqual([`complete_${backupId}`]);

  const schemas = await ok<SchemaView[]>('listSchemas');
  expect(schemas.find((s) => s.id === schemaId)?.lastBackup).toMatchObject({
    jobId,
    kind: 'manual',
    status: 'completed',
    backupId,
    chunks: manifest.chunks.length,
    invocations,
  });
});

it('resumes after a network cut mid-upload and produces the same content hash', async () => {
  const reference = await backUp(60_000);
  const referenceManifest = vault.backups.get(reference.backupId)!.manifest as unknown as Manifest;

  // Second backup: three chunk uploads after the first chunk lose their connection, which
  // outlasts the client's own retries, so the slice fails and the job resumes from its cursor.
  vault.cutChunkPuts = 3;
  vault.cutFromSeq = 1;
  const run = await ok<{ jobId: string }>('backupNow', { schemaId });
  await drainBackups(60_000);
  const job = await jobStore.get(run.jobId);
  expect(job).toMatchObject({ status: 'completed', failures: 0 });
  expect(vault.cutChunkPuts).toBe(0);
  expect(edge.queues.invocations.some((i) => i.outcome === 'done')).toBe(true);
  const manifest = vault.backups.get(job?.backupId as string)!.manifest as unknown as Manifest;
  expect(manifest.contentSha256).toBe(referenceManifest.contentSha256);
  expect(manifest.counts.byKind).toEqual(referenceManifest.counts.byKind);
});
