/**
 * The kill test: a restore of 5,000 objects run by real vault processes (src/server.ts through tsx, with
 * their workers) on one database, SIGKILLed at chosen points (before the first object, then at random
 * shares of the objects in rising bands) and restarted, once stopped gracefully (SIGTERM) instead; in the
 * last round two processes run side by side, the one holding the restore is killed and the other takes
 * it over after its lease expired. The final
 * schema holds exactly the backup's objects, none twice, each equal to the backup after id mapping.
 * The emulator runs in this process over a socket; the requests already sent when a process dies still
 * land there, which leaves intents without outcomes the next process must look up instead of resending.
 */
import { seedFixture, startEmulator, type Emulator, type EmulatorSite } from '@assets-vault/emulator';
import { of, random, type Backup } from '../../shared/test/restore.helpers.js';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { csrfHeaders } from './helpers/login.js';
import {
  backUpToVault,
  emulatorVaultEnv,
  engineCounts,
  expectCompleted,
  restoredOnceDifferences,
  saveSiteCredentials,
} from './helpers/restore.js';
import { createSiteWithSession, type TestSite } from './helpers/site.js';
import { startVaultProcess, type VaultProcess } from './helpers/vault-process.js';

const OBJECTS = 5_000;
const ENV = emulatorVaultEnv();

let emulator: Emulator;
let source: EmulatorSite;
let testDb: TestDatabase;
let vault: TestApp;
let site: TestSite;
let backup: Backup;
let backupId = '';
const processes: VaultProcess[] = [];

const worker = () => {
  const p = startVaultProcess(testDb.url, {
    ...ENV,
    VAULT_WORKERS: 'true',
    VAULT_MIGRATE_ON_START: 'false',
    // a killed runner's restore is taken over 3 s later; Atlassian's clock 30 times faster (1,000 creates/s)
    RESTORE_LEASE_SECONDS: '3',
    ASSETS_CLOCK_SCALE: '30',
  });
  processes.push(p);
  return p;
};

interface Progress {
  phase: string;
  done: number;
  total: number;
  objectsPerMinute: number | null;
  etaSeconds: number | null;
}
interface Row {
  status: string;
  attempts: number;
  progress: Progress | null;
  locked_by: string | null;
}
/** every progress the polls saw */
const progressSeen: Progress[] = [];
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
    if (r.progress) progressSeen.push(r.progress);
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
    config: testConfig({ ...ENV, VAULT_WORKERS: 'false' }),
  });
  site = await createSiteWithSession(testDb.db, {
    cloudId: source.info.cloudId,
    siteUrl: source.info.siteUrl,
    email: 'admin@kill.test',
  });
  await saveSiteCredentials(vault, site, source);
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

  // before the first object (analysis or structure), then at random shares of the objects in rising bands;
  // one stop is graceful (SIGTERM: the restore goes back to the queue at once and the process exits 0)
  const band = (lo: number, hi: number) => lo + rand() * (hi - lo);
  const stops: { signal: 'SIGKILL' | 'SIGTERM'; share: number }[] = [
    { signal: 'SIGKILL', share: 0 },
    { signal: 'SIGKILL', share: band(0.05, 0.2) },
    { signal: 'SIGKILL', share: band(0.2, 0.4) },
    { signal: 'SIGTERM', share: band(0.4, 0.5) },
    { signal: 'SIGKILL', share: band(0.5, 0.65) },
  ];
  let last = { attempts: 0, done: 0 };
  /** a new attempt (a new claim) that got past the last stop and past `share` of the objects */
  const reached = (share: number) => (r: Row) =>
    r.attempts > last.attempts &&
    r.locked_by !== null &&
    (share === 0
      ? r.progress === null || r.progress.done === 0
      : r.progress?.phase === 'objects' && r.progress.done >= Math.max(share * OBJECTS, last.done + 100));
  for (const [round, stop] of stops.entries()) {
    const p = worker();
    const at = await watch(id, reached(stop.share), 240_000);
    // a random moment after the point: a create may be in flight, an outcome batch half written
    await new Promise((resolve) => setTimeout(resolve, rand() * 150));
    if (stop.signal === 'SIGKILL') await kill(p);
    else {
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      expect(await row(id)).toMatchObject({ status: 'pending', locked_by: null });
    }
    const after = await row(id);
    last = { attempts: after.attempts, done: after.progress?.done ?? 0 };
    log(
      `round ${round + 1}: ${stop.signal} at ${after.progress?.phase ?? 'start'} ${last.done} (seen ${at.progress?.done ?? 0}), attempt ${after.attempts}`,
    );
    if (stop.signal === 'SIGKILL') expect(after.status).toBe('in_progress');
  }

  // two processes on the same database: the one running the restore dies, the other takes it over
  const pair = [worker(), worker()];
  await watch(id, reached(0.7), 240_000);
  const runner = pair.find((p) => p.lines.some((l) => l.msg === 'restore started' && l.restoreId === id));
  expect(runner).toBeDefined();
  const other = pair.find((p) => p !== runner);
  await kill(runner!);
  log(`killed the runner at ${(await row(id)).progress?.done}; the second process takes over`);
  const end = await watch(id, (r) => r.status === 'completed' || r.status === 'error', 300_000);
  expect(other!.lines.some((l) => l.msg === 'restore started' && l.restoreId === id)).toBe(true);
  expect(other!.lines.some((l) => l.msg === 'restore completed' && l.restoreId === id)).toBe(true);
  expect(end.attempts).toBe(stops.length + 2);
  // while objects were created, the restore told its rate and the time left
  expect(progressSeen.some((p) => p.objectsPerMinute !== null && p.etaSeconds !== null && p.done < p.total)).toBe(true);
  // creates in flight when a process died were found by lookup, not sent again
  const counts = await engineCounts(testDb.db, id);
  log(`lookups after the kills: ${counts.lookups} (${counts.lookupsFound} had happened)`);
  expect(counts.lookups).toBeGreaterThan(0);

  await expectCompleted(vault, site, id, OBJECTS);
  // exactly the backup's objects, none twice, each equal to the backup
  expect(
    await restoredOnceDifferences(testDb.db, id, { backup, target: source, schemaKey: 'KILL', history: false }),
  ).toEqual([]);

  // the survivor shuts down cleanly
  other!.child.kill('SIGTERM');
  expect(await other!.exited).toBe(0);
}, 900_000);
