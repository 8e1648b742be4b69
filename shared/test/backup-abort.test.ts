/**
 * The backup engine when a request of a concurrent batch fails for good, or the caller aborts:
 * runBackup rejects with that failure only after every sibling request and chunk upload has
 * settled, so once it has rejected no request reaches the emulator and no chunk reaches the sink.
 * Real HTTP to the emulator; one object's history is made to fail with the `historyErrors` knob.
 * Jest fails a test on an unhandled rejection, and each test waits QUIET_MS after the rejection.
 */
import { AssetsApiError } from '../src/assets-client/index.js';
import { runBackup, type RunBackupInput } from '../src/backup/index.js';
import {
  startEmulator,
  seedFixture,
  type Emulator,
  type EmulatorCounters,
  type EmulatorSite,
  type SeedResult,
} from '@assets-vault/emulator';
import { createMemoryChunkStore, type ChunkSink } from '../src/snapshot/index.js';
import { clientFor } from './backup.helpers.js';

/** every history request but the failing one takes this long */
const LATENCY_MS = 150;
const RETRY = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 200 };
/** a chunk upload takes this long, so one is still in flight when the history batch fails */
const SINK_DELAY_MS = 200;
/** longer than a sibling's latency plus its retry backoffs and a chunk upload: what runs on shows by then */
const QUIET_MS = 2 * (LATENCY_MS + RETRY.maxDelayMs + SINK_DELAY_MS);
const HISTORY_CONCURRENCY = 4;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A sink as slow as an upload over a network, counting chunks handed to it and chunks stored. */
function slowSink(): ChunkSink & { started: number; stored: number } {
  const store = createMemoryChunkStore();
  return {
    started: 0,
    stored: 0,
    async putChunk(chunk) {
      this.started += 1;
      await sleep(SINK_DELAY_MS);
      await store.putChunk(chunk);
      this.stored += 1;
    },
  };
}

let emu: Emulator;
let site: EmulatorSite;
let seed: SeedResult;
/** object ids in the engine's order (Key order), so the failing one is in the first history batch */
let objectIds: string[];

beforeAll(async () => {
  emu = await startEmulator();
  site = emu.createSite({ seed: 'backup-abort' });
  seed = seedFixture(site, { objects: 40, seed: 'backup-abort', issues: false, secondSchema: false });
  objectIds = [];
  for await (const o of clientFor(site, RETRY).aqlObjects(`objectSchemaId = ${seed.schemaId} ORDER BY Key ASC`, {
    includeAttributes: false,
  }))
    objectIds.push(o.id);
});

afterAll(async () => {
  await emu?.close();
});

beforeEach(() => {
  site.setKnobs({});
  site.resetCounters();
});

function backupInput(sink: ChunkSink, extra: Partial<RunBackupInput> = {}): RunBackupInput {
  return {
    client: clientFor(site, RETRY),
    schemaId: seed.schemaId,
    source: { cloudId: site.info.cloudId, siteUrl: site.info.siteUrl },
    options: { history: true, icons: false, issueRefs: false },
    sink,
    historyConcurrency: HISTORY_CONCURRENCY,
    writer: { maxChunkRecords: 15 },
    ...extra,
  };
}

/**
 * Requests the emulator has served, read through its control endpoint: the emulator runs in this
 * process, so a request the engine sent just before rejecting is only read once the event loop gets
 * to it; answering this request over HTTP gives it that turn.
 */
async function served(): Promise<{ requests: number; history: number }> {
  const res = await fetch(`${emu.url}/__emulator/counters?site=${site.info.name}`);
  const counters = (await res.json()) as EmulatorCounters;
  return { requests: counters.total, history: counters.byBucket['object.history'] };
}

/** Runs the backup to its rejection and reports what the emulator and the sink saw then and a while later. */
async function rejectionAndAfter(input: RunBackupInput, sink: ReturnType<typeof slowSink>) {
  const failure: unknown = await runBackup(input).then(
    () => undefined,
    (err: unknown) => err,
  );
  const sinkAtRejection = { started: sink.started, stored: sink.stored };
  const atRejection = await served();
  await sleep(QUIET_MS);
  return {
    failure,
    atRejection,
    sinkAtRejection,
    later: await served(),
    sinkLater: { started: sink.started, stored: sink.stored },
  };
}

describe('a history request of a batch fails for good while its siblings are slow', () => {
  test.each([
    { status: 401 as const, why: 'not retried' },
    { status: 500 as const, why: 'retries exhausted' },
  ])(
    '$status ($why): runBackup rejects with it, and afterwards no request reaches the emulator and no chunk the sink',
    async ({ status }) => {
      const failing = objectIds[1] ?? '';
      site.setKnobs({ latencyMs: LATENCY_MS, historyErrors: { [failing]: status } });
      const sink = slowSink();

      const r = await rejectionAndAfter(backupInput(sink), sink);

      expect(r.failure).toBeInstanceOf(AssetsApiError);
      expect(r.failure).toMatchObject({
        status,
        path: `/object/${failing}/history`,
        attempts: status === 500 ? RETRY.maxAttempts : 1,
      });
      // the batch was cut short: not every object's history was asked for
      expect(r.atRejection.history).toBeLessThan(objectIds.length);
      expect(r.later).toEqual(r.atRejection);
      expect(r.sinkLater).toEqual(r.sinkAtRejection);
    },
  );
});

describe('the caller aborts during a history batch', () => {
  test("runBackup rejects with the caller's reason, and afterwards no request reaches the emulator and no chunk the sink", async () => {
    site.setKnobs({ latencyMs: LATENCY_MS });
    const sink = slowSink();
    const controller = new AbortController();
    const reason = new Error('the caller gave up');
    const watcher = (async () => {
      while (site.counters().byBucket['object.history'] < HISTORY_CONCURRENCY) await sleep(5);
      controller.abort(reason);
    })();

    const r = await rejectionAndAfter(backupInput(sink, { signal: controller.signal }), sink);
    await watcher;

    expect(r.failure).toBe(reason);
    expect(r.later).toEqual(r.atRejection);
    expect(r.sinkLater).toEqual(r.sinkAtRejection);
  });
});
