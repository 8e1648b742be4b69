/**
 * The kill test: a restore of 5,000 objects run by real vault processes (src/server.ts through tsx, with
 * their workers) on one database, SIGKILLed at chosen points (before the first object, then at a random
 * share of the objects in three bands) and restarted; in the last round two processes run side by side,
 * the one holding the restore is killed and the other takes it over after its lease expired. The final
 * schema holds exactly the backup's objects, none twice, each equal to the backup after id mapping.
 * The emulator runs in this process over a socket; the requests already sent when a process dies still
 * land there, which leaves intents without outcomes the next process must look up instead of resending.
 */
import { randomBytes } from 'node:crypto';
import { seedFixture, startEmulator, type Emulator, type EmulatorSite } from '@assets-vault/emulator';
import { graphDifferences, of, type Backup } from '../../shared/test/restore.helpers.js';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { csrfHeaders } from './helpers/login.js';
import { backUpToVault, restoreIdMap } from './helpers/restore.js';
import { createSiteWithSession, type TestSite } from './helpers/site.js';
import { startVaultProcess, type VaultProcess } from './helpers/vault-process.js';

const OBJECTS = 5_000;
const ENCRYPTION_KEYS = `k1:${randomBytes(32).toString('base64')}`;

let emulator: Emulator;
let source: EmulatorSite;
let testDb: TestDatabase;
let vault: TestApp;
let site: TestSite;
let backup: Backup;
let backupId = '';
const processes: VaultProcess[] = [];

/** A deterministic sequence in [0, 1) (mulberry32), seeded per run and printed so a failure can be replayed. */
function random(seedValue: number): () => number {
  let a = seedValue;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const worker = () => {
  const p = startVaultProcess(testDb.url, {
    VAULT_WORKERS: 'true',
    ENCRYPTION_KEYS,
    ALLOW_INSECURE_SITE_URLS: 'true',
    ALLOWED_SITE_HOSTS: '*',
    VAULT_MIGRATE_ON_START: 'false',
    // a killed runner's restore is taken over 3 s later; Atlassian's clock 30 times faster (1,000 creates/s)
    RESTORE_LEASE_SECONDS: '3',
    ASSETS_CLOCK_SCALE: '30',
  });
  processes.push(p);
  return p;
};

interface Row {
  status: string;
  attempts: number;
  progress: { phase: string; done: number; total: number } | null;
  locked_by: string | null;
}
const row = (id: string): Promise<Row> =>
  testDb.db
    .selectFrom('restore_job')
    .select(['status', 'attempts', 'progress', 'locked_by'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow() as Promise<Row>;

/** Polls the restore until `until` holds; fails after `timeoutMs`. */
async function watch(id: string, until: (r: Row) => boolean, timeoutMs: number): Promise<Row> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await row(id);
    if (until(r)) return r;
    if (Date.now() > deadline) throw new Error(`timed out; the restore is at ${JSON.stringify(r)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const kill = async (p: VaultProcess) => {
  p.child.kill('SIGKILL');
  await p.exited;
};

beforeAll(async () => {
  emulator = await startEmulator();
  source = emulator.createSite({ seed: 'vault-restore-kill' });
  const seeded = seedFixture(source, { objects: OBJECTS, seed: 'kill', issues: false, secondSchema: false });
  testDb = await createTestDatabase();
  vault = await startTestApp({
    db: testDb.db,
    config: testConfig({
      ENCRYPTION_KEYS,
      ALLOW_INSECURE_SITE_URLS: 'true',
      ALLOWED_SITE_HOSTS: '*',
      VAULT_WORKERS: 'false',
    }),
  });
  site = await createSiteWithSession(testDb.db, {
    cloudId: source.info.cloudId,
    siteUrl: source.info.siteUrl,
    email: 'admin@kill.test',
  });
  const saved = await fetch(`${vault.baseUrl}/api/v1/site-credentials`, {
    method: 'PUT',
    headers: { cookie: site.cookie, 'content-type': 'application/json', ...csrfHeaders(vault.config.publicUrl) },
    body: JSON.stringify({
      email: source.info.email,
      apiToken: source.info.apiToken,
      assetsApiBaseUrl: source.info.assetsApiBase,
      vaultBackupsEnabled: true,
    }),
  });
  expect(saved.status).toBe(204);
  ({ backupId, backup } = await backUpToVault(vault.baseUrl, source, seeded.schemaId, 'manual', {
    history: false,
    icons: true,
    issueRefs: false,
  }));
}, 300_000);

afterAll(async () => {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await vault?.close();
  await testDb?.drop();
  await emulator?.close();
});

test('killed at random points and restarted, or taken over by a second process: every object exactly once', async () => {
  const seedValue = Number(process.env.KILL_SEED ?? Date.now() % 1_000_000);
  const rand = random(seedValue);
  const log = (msg: string) => process.stdout.write(`[kill test, seed ${seedValue}] ${msg}\n`);
  expect(of(backup.records, 'object')).toHaveLength(OBJECTS);

  const res = await fetch(`${vault.baseUrl}/api/v1/restores`, {
    method: 'POST',
    headers: { cookie: site.cookie, 'content-type': 'application/json', ...csrfHeaders(vault.config.publicUrl) },
    body: JSON.stringify({
      backupId,
      destination: { kind: 'current-instance', schemaName: 'Killed and back', schemaKey: 'KILL' },
      options: { objectIcons: true, history: false },
    }),
  });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };

  // before the first object (analysis or structure), then at a random share of the objects in three bands
  const killAt: ((r: Row) => boolean)[] = [
    (r) => r.status === 'in_progress' && r.locked_by !== null && (r.progress === null || r.progress.done === 0),
    ...[
      [0.05, 0.3],
      [0.3, 0.6],
      [0.6, 0.8],
    ].map(([lo = 0, hi = 1]) => {
      const share = lo + rand() * (hi - lo);
      return (r: Row) => r.progress?.phase === 'objects' && r.progress.done >= share * OBJECTS;
    }),
  ];
  const killedAt: string[] = [];
  for (const [round, until] of killAt.entries()) {
    const p = worker();
    const at = await watch(id, until, 240_000);
    // a random moment after the point: a create may be in flight, an outcome batch half written
    await new Promise((resolve) => setTimeout(resolve, rand() * 150));
    await kill(p);
    const after = await row(id);
    killedAt.push(`${after.progress?.phase ?? 'start'} ${after.progress?.done ?? 0}`);
    log(`round ${round + 1}: killed at ${killedAt.at(-1)} (seen ${at.progress?.done ?? 0}), attempt ${after.attempts}`);
    expect(after.status).toBe('in_progress');
  }

  // two processes on the same database: the one running the restore dies, the other takes it over
  const pair = [worker(), worker()];
  await watch(id, (r) => r.progress?.phase === 'objects' && r.progress.done >= 0.85 * OBJECTS, 240_000);
  const runner = pair.find((p) => p.lines.some((l) => l.msg === 'restore started' && l.restoreId === id));
  expect(runner).toBeDefined();
  const other = pair.find((p) => p !== runner);
  await kill(runner!);
  log(`killed the runner at ${(await row(id)).progress?.done}; the second process takes over`);
  const end = await watch(id, (r) => r.status === 'completed' || r.status === 'error', 300_000);
  expect(other!.lines.some((l) => l.msg === 'restore started' && l.restoreId === id)).toBe(true);
  expect(other!.lines.some((l) => l.msg === 'restore completed' && l.restoreId === id)).toBe(true);
  expect(end.attempts).toBeGreaterThanOrEqual(5);
  // creates in flight when a process died were found by lookup, not sent again
  const state = await testDb.db
    .selectFrom('restore_job')
    .select((eb) => eb.ref('state').$castTo<{ counts: { lookups: number; lookupsFound: number } }>().as('state'))
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  log(`lookups after the kills: ${state.state.counts.lookups} (${state.state.counts.lookupsFound} had happened)`);
  expect(state.state.counts.lookups).toBeGreaterThan(0);

  const detail = (await (
    await fetch(`${vault.baseUrl}/api/v1/restores/${id}`, { headers: { cookie: site.cookie } })
  ).json()) as { status: string; resultMessage: string; counts: { created: number }; verification: { ok: boolean } };
  expect(detail).toMatchObject({
    status: 'completed',
    resultMessage: 'Operation success',
    counts: { created: OBJECTS },
    verification: { ok: true },
  });
  // exactly the backup's objects, none twice, each equal to the backup
  const targetSchemaId = source.store.schemas().find((s) => s.objectSchemaKey === 'KILL')?.id ?? '';
  expect(source.store.objectCount(targetSchemaId)).toBe(OBJECTS);
  const ids = await restoreIdMap(testDb.db, id);
  expect(ids.size).toBe(OBJECTS);
  expect(new Set([...ids.values()].map((m) => m.targetId)).size).toBe(OBJECTS);
  expect(
    graphDifferences({
      backup,
      target: source,
      targetSchemaId,
      idMap: ids,
      foreign: (x) => x,
      history: false,
      avatars: true,
    }),
  ).toEqual([]);

  // the survivor shuts down cleanly
  other!.child.kill('SIGTERM');
  expect(await other!.exited).toBe(0);
}, 900_000);
