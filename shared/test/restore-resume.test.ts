/**
 * Exactly once across interruptions: a restore is stopped at random points (any phase) and resumed
 * from the same checkpoint store until it completes. Some stops are graceful (the engine writes its
 * checkpoints); others behave like a killed process: from the moment of the stop nothing more reaches
 * the store, while requests already sent still land on the emulator, which leaves intents without
 * outcomes and objects the next run must find by lookup instead of creating them again. At the end
 * the target schema holds exactly the backup's objects, each once, equal to the backup.
 */
import { startEmulator, seedFixture, type Emulator, type EmulatorSite } from '@assets-vault/emulator';
import type { AssetsClient } from '../src/assets-client/index.js';
import {
  createMemoryCheckpointStore,
  runRestore,
  type MemoryCheckpointStore,
  type RestoreCheckpointStore,
  type RestoreResult,
} from '../src/restore/index.js';
import { backUp, clientFor, exactlyOnceDifferences, of, random, type Backup } from './restore.helpers.js';

let emu: Emulator;
let site: EmulatorSite;
let backup: Backup;

beforeAll(async () => {
  emu = await startEmulator();
  site = emu.createSite({ seed: 'restore-resume' });
  backup = await backUp(site, seedFixture(site, { objects: 500, seed: 'resume' }).schemaId);
});

afterAll(async () => {
  await emu?.close();
});

/** The client, calling `onCall` before each request method (the requests themselves are real). */
function counting(client: AssetsClient, onCall: () => void): AssetsClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'getWorkspaceId') return value;
      return (...args: unknown[]) => {
        onCall();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** The store as a killed process sees it: writes after `dead()` never arrive. */
function mortal(store: RestoreCheckpointStore, dead: () => boolean): RestoreCheckpointStore {
  const unless =
    <A extends unknown[]>(write: (...args: A) => Promise<void>) =>
    async (...args: A) => {
      if (!dead()) await write(...args);
    };
  return {
    ...store,
    loadState: () => store.loadState(),
    objectRows: () => store.objectRows(),
    logRows: () => store.logRows(),
    issueFieldResults: () => store.issueFieldResults(),
    saveState: unless((s) => store.saveState(s)),
    recordIntents: unless((r) => store.recordIntents(r)),
    recordOutcomes: unless((r) => store.recordOutcomes(r)),
    recordReferenceUpdates: unless((r) => store.recordReferenceUpdates(r)),
    recordIssueFieldResults: unless((r) => store.recordIssueFieldResults(r)),
  };
}

test('stopped at random points, gracefully or killed, and resumed until done: every object exactly once', async () => {
  const rnd = random(20261207);
  const checkpoints: MemoryCheckpointStore = createMemoryCheckpointStore();
  const results: { status: RestoreResult['status']; killed: boolean; phase?: string }[] = [];

  let result: RestoreResult | undefined;
  for (let run = 0; run < 25 && result?.status !== 'completed'; run++) {
    const controller = new AbortController();
    // the first runs stop early (structure, first objects), later ones get further
    const stopAfter = run < 12 ? 1 + Math.floor(rnd() * (40 + run * 30)) : Number.POSITIVE_INFINITY;
    const killed = rnd() < 0.5;
    let calls = 0;
    const client = counting(clientFor(site), () => {
      if (++calls === stopAfter) controller.abort(new Error('stopped by the test'));
    });
    let phase: string | undefined;
    result = await runRestore({
      snapshot: backup.snapshot,
      client,
      destination: { kind: 'new-schema', name: 'Resumed', key: 'RSM' },
      options: { objectIcons: true, history: true },
      checkpoints: killed ? mortal(checkpoints, () => controller.signal.aborted) : checkpoints,
      signal: controller.signal,
      tuning: { lookupSettleMs: 20, abortGraceMs: 300, outcomeFlushMs: 50, intentBatchSize: 8 },
      onProgress: (p) => {
        phase = p.phase;
      },
    });
    results.push({ status: result.status, killed, ...(phase === undefined ? {} : { phase }) });
    expect(['aborted', 'completed']).toContain(result.status);
  }
  expect(result?.status).toBe('completed');
  // the stops happened in several phases and some of them were kills
  expect(results.filter((r) => r.status === 'aborted').length).toBeGreaterThanOrEqual(8);
  expect(results.some((r) => r.killed && r.status === 'aborted')).toBe(true);
  expect(new Set(results.map((r) => r.phase)).size).toBeGreaterThanOrEqual(3);
  // killed runs left intents without outcomes: creates that had happened were found (not repeated),
  // intents written ahead for creates never sent were looked up, found missing, and created then
  expect(result?.counts.lookupsFound).toBeGreaterThan(0);
  expect(result?.counts.lookups).toBeGreaterThan(result?.counts.lookupsFound ?? 0);

  expect(exactlyOnceDifferences(backup, site, result?.target?.schemaId ?? '', checkpoints)).toEqual([]);
  const objects = of(backup.records, 'object');
  // the log has one row per object, none failed
  const rows = [];
  for await (const r of checkpoints.logRows()) rows.push(r);
  expect(rows).toHaveLength(objects.length);
  expect(rows.filter((r) => r.action !== 'created')).toEqual([]);
  // only one schema was created for the restore
  expect(site.store.schemas().filter((s) => s.objectSchemaKey === 'RSM')).toHaveLength(1);
});
