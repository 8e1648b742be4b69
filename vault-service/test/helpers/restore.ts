/**
 * Restores in tests: a restore row for suites that only need "a restore reads this backup", a backup of
 * an emulated schema uploaded to the vault, and the old → new ids a restore recorded. The comparison of
 * a restored graph with its backup is the restore engine's own test helper (shared/test), reused here.
 */
import { startEmulator, type Emulator, type EmulatorSite } from '@assets-vault/emulator';
import { runBackup, type BackupOptions } from '@assets-vault/shared/backup';
import { snapshotFromChunks, type ObjectOutcome, type RestoreCounts } from '@assets-vault/shared/restore';
import { createMemoryChunkStore, readSnapshot, type SnapshotRecord } from '@assets-vault/shared/snapshot';
import { randomBytes } from 'node:crypto';
import { clientFor, graphDifferences, type Backup, type MappedObject } from '../../../shared/test/restore.helpers.js';
import type { Executor } from '../../src/db/types.js';
import { createRestoreRunners, type RestoreRunnerOptions, type RestoreRunners } from '../../src/jobs/restore-runner.js';
import { insertRestoreJob } from '../../src/modules/restores/repository.js';
import { captureLogs, startTestApp, testConfig, type TestApp } from './app.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { csrfHeaders } from './login.js';
import { uploadSnapshot } from './upload.js';

export function insertTestRestore(db: Executor, siteId: string, backupId: string): Promise<string> {
  return insertRestoreJob(db, siteId, {
    backupId,
    backupCreatedAt: new Date(),
    source: { schemaId: '1', schemaName: 'S', schemaKey: 'S', siteUrl: 'https://s.example.test' },
    destination: { kind: 'current-instance', siteUrl: 'https://s.example.test', schemaName: 'T', schemaKey: 'TT' },
    target: { kind: 'site' },
    options: { objectIcons: false, history: false },
    createdBy: 'test',
    now: new Date(),
  });
}

export interface RestoreVault {
  emulator: Emulator;
  testDb: TestDatabase;
  vault: TestApp;
  runners: RestoreRunners;
  close(): Promise<void>;
}

/**
 * The emulator, the suite's database and the vault on it without its own workers: the test drives the restore
 * runners (`runOnce`). `clockScale` speeds up Atlassian's clock for the restore pacer (ASSETS_CLOCK_SCALE).
 */
export async function startRestoreVault(
  clockScale: number,
  runnerOptions: RestoreRunnerOptions,
): Promise<RestoreVault> {
  const emulator = await startEmulator();
  const testDb = await createTestDatabase();
  const vault = await startTestApp({
    db: testDb.db,
    config: testConfig({ ...emulatorVaultEnv(), VAULT_WORKERS: 'false', ASSETS_CLOCK_SCALE: String(clockScale) }),
  });
  const runners = createRestoreRunners({ ...vault.app.deps, log: captureLogs('warn').logger }, runnerOptions);
  return {
    emulator,
    testDb,
    vault,
    runners,
    async close() {
      await runners.stop();
      await vault.close();
      await testDb.drop();
      await emulator.close();
    },
  };
}

/** A backup made by the real backup engine (pacing opened up), uploaded to the vault as the Forge app does. */
export async function backUpToVault(
  vaultUrl: string,
  site: EmulatorSite,
  schemaId: string,
  kind: 'manual' | 'scheduled' = 'manual',
  options: BackupOptions = { history: true, icons: true, issueRefs: true },
): Promise<{ backupId: string; backup: Backup }> {
  const store = createMemoryChunkStore();
  const result = await runBackup({
    client: clientFor(site),
    schemaId,
    source: { cloudId: site.info.cloudId, siteUrl: site.info.siteUrl },
    options,
    sink: store,
    writer: { maxChunkRecords: 200 },
  });
  if (!result.done) throw new Error('the backup did not finish');
  const records: SnapshotRecord[] = [];
  for await (const r of readSnapshot(result.manifest, store)) records.push(r);
  const backupId = await uploadSnapshot(
    vaultUrl,
    { cloudId: site.info.cloudId, siteUrl: site.info.siteUrl },
    { manifest: result.manifest, chunks: store.chunks },
    kind,
  );
  return {
    backupId,
    backup: { manifest: result.manifest, snapshot: snapshotFromChunks(result.manifest, store), records },
  };
}

/** source id → target id/key of the objects a restore created or left in place, from its checkpoint rows. */
export async function restoreIdMap(db: Executor, restoreId: string): Promise<Map<string, MappedObject>> {
  const rows = await db
    .selectFrom('restore_object')
    .select(['source_id', 'outcome'])
    .where('restore_id', '=', restoreId)
    .execute();
  const out = new Map<string, MappedObject>();
  for (const r of rows) {
    const o = r.outcome as ObjectOutcome | null;
    if (o?.targetId === undefined || (o.action !== 'created' && o.action !== 'skipped')) continue;
    out.set(r.source_id, { targetId: o.targetId, targetKey: o.targetKey ?? '', action: o.action });
  }
  return out;
}

/** What a vault restoring to emulated sites needs: an encryption key, http site URLs on 127.0.0.1. */
export function emulatorVaultEnv(encryptionKeys = `k1:${randomBytes(32).toString('base64')}`): Record<string, string> {
  return { ENCRYPTION_KEYS: encryptionKeys, ALLOW_INSECURE_SITE_URLS: 'true', ALLOWED_SITE_HOSTS: '*' };
}

/** Stores the emulated site's credentials as the vault site's own (`PUT /api/v1/site-credentials`). */
export async function saveSiteCredentials(
  vault: { baseUrl: string; config: { publicUrl: string } },
  session: { cookie: string },
  site: EmulatorSite,
): Promise<void> {
  const res = await fetch(`${vault.baseUrl}/api/v1/site-credentials`, {
    method: 'PUT',
    headers: { cookie: session.cookie, 'content-type': 'application/json', ...csrfHeaders(vault.config.publicUrl) },
    body: JSON.stringify({
      email: site.info.email,
      apiToken: site.info.apiToken,
      assetsApiBaseUrl: site.info.assetsApiBase,
      vaultBackupsEnabled: true,
    }),
  });
  if (res.status !== 204) throw new Error(`site credentials not saved: ${res.status} ${await res.text()}`);
}

/**
 * After interruptions or faults: one schema with the key, holding exactly the backup's objects, each
 * source object mapped to its own target object and equal to the backup (same site). Empty = all good.
 */
export async function restoredOnceDifferences(
  db: Executor,
  restoreId: string,
  x: { backup: Backup; target: EmulatorSite; schemaKey: string; history: boolean },
): Promise<string[]> {
  const schemas = x.target.store.schemas().filter((s) => s.objectSchemaKey === x.schemaKey);
  const targetSchemaId = schemas[0]?.id ?? '';
  const objects = x.backup.records.filter((r) => r.kind === 'object').length;
  const ids = await restoreIdMap(db, restoreId);
  const diffs: string[] = [];
  if (schemas.length !== 1) diffs.push(`${schemas.length} schemas with the key ${x.schemaKey}`);
  if (x.target.store.objectCount(targetSchemaId) !== objects)
    diffs.push(`${x.target.store.objectCount(targetSchemaId)} objects in the target schema, ${objects} expected`);
  if (ids.size !== objects) diffs.push(`${ids.size} objects mapped, ${objects} expected`);
  if (new Set([...ids.values()].map((m) => m.targetId)).size !== ids.size)
    diffs.push('a target object is mapped twice');
  return [
    ...diffs,
    ...graphDifferences({
      backup: x.backup,
      target: x.target,
      targetSchemaId,
      idMap: ids,
      foreign: (id) => id,
      history: x.history,
      avatars: true,
    }),
  ];
}

/** The engine's counts in the restore's saved state (lookups of creates whose answer was lost, …). */
export async function engineCounts(db: Executor, restoreId: string): Promise<RestoreCounts> {
  const row = await db
    .selectFrom('restore_job')
    .select((eb) => eb.ref('state').$castTo<{ counts: RestoreCounts }>().as('state'))
    .where('id', '=', restoreId)
    .executeTakeFirstOrThrow();
  return row.state.counts;
}

/** GET /api/v1/restores/:id, expecting a completed restore of `created` objects equal to the backup. */
export async function expectCompleted(
  vault: { baseUrl: string },
  session: { cookie: string },
  restoreId: string,
  created: number,
): Promise<void> {
  const res = await fetch(`${vault.baseUrl}/api/v1/restores/${restoreId}`, { headers: { cookie: session.cookie } });
  expect(await res.json()).toMatchObject({
    status: 'completed',
    resultMessage: 'Operation success',
    counts: { created },
    verification: { ok: true },
  });
}
