/**
 * Restore from inside Jira over real sockets: the Forge app's resolvers on the local Forge platform (no jest.mock),
 * the Assets/Jira emulator, and the real vault process on its own Postgres database running the restore.
 *   list the vault's schemas and backups (with filters) → the vault has no credentials of the site: the start is
 *   refused with `no_credentials`, the page's form stores them → preview → start a restore to a new schema →
 *   follow it to completed → the restore history → the log through its link → delete a backup.
 * The restored schema is then read on the emulator: the backup's objects, type by type, label by label.
 */
import type { EmulatorSite, SeedResult } from '@assets-vault/emulator';
import { followRestore } from '../local/follow-restore';
import type { Harness } from '../local/harness';
import type { RestoreRequest } from '../src/contract';
import { ok, startChain, type Chain } from './helpers/chain';
import type { VaultProcess } from './helpers/vault-process';

const OBJECTS = 300;
let chain: Chain;
let vault: VaultProcess;
let site: EmulatorSite;
let seeded: SeedResult;
let harness: Harness;
const backupIds: string[] = [];

/** Type name → sorted labels of a schema's objects on the emulator. */
function labelsByType(schemaId: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const id of site.store.objectIds(schemaId)) {
    const object = site.store.renderObject(id, { includeAttributes: false });
    if (!object) continue;
    (out[object.objectType.name] ??= []).push(object.label);
  }
  for (const labels of Object.values(out)) labels.sort();
  return out;
}

beforeAll(async () => {
  chain = await startChain({ name: 'restore-it', objects: OBJECTS });
  ({ vault, site, seeded, harness } = chain);
  // two backups of the schema, made by the app's own backup jobs
  ok(await harness.invoke('setSyncedSchemas', { schemaIds: [seeded.schemaId] }));
  for (let i = 0; i < 2; i++) {
    ok(await harness.invoke('backupNow', { schemaId: seeded.schemaId }));
    await harness.runQueues({ ignoreDelays: true });
    const schema = ok(await harness.invoke('listSchemas', {})).find((s) => s.id === seeded.schemaId);
    if (schema?.lastBackup?.status !== 'completed' || !schema.lastBackup.backupId)
      throw new Error(`backup ${schema?.lastBackup?.status ?? 'missing'}: ${schema?.lastBackup?.error ?? ''}`);
    backupIds.push(schema.lastBackup.backupId);
  }
}, 240_000);

afterAll(async () => {
  await chain?.close();
});

it('lists the schemas and backups the vault holds, with the grid columns and filters', async () => {
  const schemas = ok(await harness.invoke('listVaultSchemas', {}));
  expect(schemas).toEqual([
    expect.objectContaining({
      schemaId: seeded.schemaId,
      synced: true,
      backupsCount: 2,
      objectCount: expect.any(Number),
    }),
  ]);
  const backups = ok(await harness.invoke('listBackups', { schemaId: seeded.schemaId }));
  expect(backups.map((b) => [b.id, b.n, b.type, b.objects])).toEqual([
    [backupIds[1], 2, 'manual', OBJECTS],
    [backupIds[0], 1, 'manual', OBJECTS],
  ]);
  expect(backups[0]).toMatchObject({ historyStatus: 'included', objectsInIssuesStatus: expect.any(String) });
  expect(ok(await harness.invoke('listBackups', { schemaId: seeded.schemaId, kind: 'scheduled' }))).toEqual([]);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
  expect(ok(await harness.invoke('listBackups', { schemaId: seeded.schemaId, from: tomorrow }))).toEqual([]);
  const reversed = await harness.invoke('listBackups', {
    schemaId: seeded.schemaId,
    from: tomorrow,
    to: new Date().toISOString(),
  });
  expect(reversed).toMatchObject({ ok: false, error: { code: 'invalid_range' } });
  const types = ok(await harness.invoke('backupObjectTypes', { backupId: backupIds[1] as string }));
  expect(types.length).toBeGreaterThan(0);
}, 60_000);

it('restores a backup to a new schema: credentials asked once, then pending → completed, in the history', async () => {
  const backupId = backupIds[1] as string;
  const request: RestoreRequest = {
    backupId,
    destination: { kind: 'current-instance', schemaName: 'Restored from Jira', schemaKey: 'RFJ' },
    options: { objectIcons: false, history: true },
  };
  // no credentials of the site in the vault yet: the vault says so, and the page asks for them
  expect(ok(await harness.invoke('getSiteCredentials', {}))).toEqual({ stored: false, email: null });
  expect(await harness.invoke('startRestore', request)).toMatchObject({ ok: false, error: { code: 'no_credentials' } });
  expect(
    ok(
      await harness.invoke('saveSiteCredentials', {
        email: site.info.email,
        apiToken: site.info.apiToken,
        assetsApiBaseUrl: site.info.assetsApiBase,
      }),
    ),
  ).toEqual({ stored: true, email: site.info.email });
  // the token went to the vault encrypted, nowhere into the app's storage
  expect(JSON.stringify(harness.kvs.snapshot())).not.toContain(site.info.apiToken);

  // a key that is not an Assets key is refused by the resolver before the vault is asked
  const badKey = await harness.invoke('startRestore', {
    ...request,
    destination: { kind: 'current-instance', schemaName: 'Restored from Jira', schemaKey: 'r-1' },
  });
  expect(badKey).toMatchObject({ ok: false, error: { code: 'invalid_restore' } });

  const preview = ok(await harness.invoke('previewRestore', request));
  expect(preview.objectCount).toBe(OBJECTS);
  const accepted = ok(await harness.invoke('startRestore', request));
  expect(accepted).toEqual({ id: expect.any(String), status: 'pending' });

  const seen = new Set<string>();
  const done = await followRestore(harness, accepted.id, {
    pollMs: 500,
    timeoutMs: 240_000,
    onProgress: (r) => seen.add(r.status),
  });
  expect(done).toMatchObject({
    status: 'completed',
    resultMessage: 'Operation success',
    counts: { created: OBJECTS, failed: 0 },
    destination: { kind: 'current-instance', schemaName: 'Restored from Jira', schemaKey: 'RFJ' },
    options: { history: true, objectIcons: false, objectTypeIds: null },
    createdBy: `forge:${harness.accountId}`,
  });
  expect([...seen].every((s) => ['pending', 'in_progress', 'completed'].includes(s))).toBe(true);

  // the schema exists on the site, with the backup's objects
  const restored = site.store.schemas().find((s) => s.objectSchemaKey === 'RFJ');
  expect(restored?.name).toBe('Restored from Jira');
  expect(site.store.objectCount(restored?.id as string)).toBe(OBJECTS);
  expect(labelsByType(restored?.id as string)).toEqual(labelsByType(seeded.schemaId));

  // the restore history of the schema
  const history = ok(await harness.invoke('listRestores', { schemaId: seeded.schemaId }));
  expect(history.items.map((r) => [r.id, r.backupId, r.status])).toEqual([[accepted.id, backupId, 'completed']]);

  // the same key again: the vault checks it live and refuses, nothing started
  expect(await harness.invoke('startRestore', request)).toMatchObject({
    ok: false,
    error: { code: 'schema_key_taken' },
  });

  // the full log opens through the vault's short-lived link, without any session or signature
  const link = ok(await harness.invoke('restoreLogLink', { restoreId: accepted.id }));
  const linked = new URL(link.url);
  expect(`${linked.origin}${linked.pathname}`).toBe('http://127.0.0.1:8080/api/v1/forge/restore-logs');
  const token = linked.searchParams.get('token') ?? '';
  const log = await fetch(`${vault.url}${linked.pathname}?token=${encodeURIComponent(token)}`);
  expect(log.status).toBe(200);
  expect(log.headers.get('content-type')).toContain('spreadsheetml');
  expect(
    Buffer.from(await log.arrayBuffer())
      .subarray(0, 2)
      .toString(),
  ).toBe('PK');
  const forged = await fetch(
    `${vault.url}${linked.pathname}?token=${encodeURIComponent(token.replace(/\.(.)/, (_m, c: string) => `.${c === 'A' ? 'B' : 'A'}`))}`,
  );
  expect(forged.status).toBe(404);
}, 300_000);

it('deletes a backup with its confirmation: it leaves the grid and goes to the trash', async () => {
  const deleted = ok(await harness.invoke('deleteBackup', { backupId: backupIds[0] as string }));
  expect(deleted.backupId).toBe(backupIds[0]);
  const backups = ok(await harness.invoke('listBackups', { schemaId: seeded.schemaId }));
  expect(backups.map((b) => b.id)).toEqual([backupIds[1]]);
  const [row] = vault.query<{ trashed_by: string }>(
    `SELECT trashed_by FROM backup WHERE id = '${(backupIds[0] as string).replace(/[^0-9a-f-]/g, '')}'`,
  );
  expect(row?.trashed_by).toBe(`forge:${harness.accountId}`);
  expect(await harness.invoke('deleteBackup', { backupId: backupIds[0] as string })).toMatchObject({
    ok: false,
    error: { code: 'not_found' },
  });
}, 60_000);
