/**
 * Restore throughput against the documented per-endpoint limits: `pnpm bench:restore [--objects 100000]
 * [--clock-scale 10] [--create-factor 0.97] [--concurrency 16] [--history] [--dir <path>]`.
 *
 * The emulator runs in a child process (its CPU and memory are not ours), seeded with `--objects`
 * objects (plus its second schema, which the restored objects reference). The schema is backed up
 * with the pacing opened up (not measured) into a chunk directory, then the emulator gets the
 * documented limits of every endpoint on a clock `--clock-scale` times faster than real time (429
 * with Retry-After when exceeded) and the schema is restored into a new schema on the same site
 * through a pacer at `restoreRatesPerMinute({ clockScale })`. Printed: creates per emulated minute as
 * a share of the documented create limit (2,000/min) during the object phase, the share of 429s,
 * API calls per object (every request the emulator received during the restore, retries included,
 * and the engine's own count), and the peak RSS of this process.
 */
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import {
  DOCUMENTED_LIMITS_PER_MINUTE,
  ENDPOINT_BUCKETS,
  createAssetsClient,
  createFetchTransport,
  createTokenBucketPacer,
  type AssetsClient,
  type TokenBucketPacerOptions,
} from '../src/assets-client/index.js';
import { runBackup } from '../src/backup/index.js';
import type { EmulatorCounters } from '@assets-vault/emulator';
import { startEmulatorChild, type ChildSiteInfo as SiteInfo } from '@assets-vault/emulator/child';
import {
  createMemoryCheckpointStore,
  restorePacerOptions,
  runRestore,
  snapshotFromChunks,
  type ObjectCheckpointRow,
  type ObjectIntent,
  type ObjectOutcome,
  type ReferenceUpdate,
  type RestoreCheckpointStore,
  type RestorePhase,
  type RestoreState,
} from '../src/restore/index.js';
import { createDirectoryChunkStore } from '../src/snapshot/index.js';

const { values: args } = parseArgs({
  options: {
    objects: { type: 'string', default: '100000' },
    'clock-scale': { type: 'string', default: '5' },
    'create-factor': { type: 'string', default: '0.97' },
    concurrency: { type: 'string', default: '32' },
    history: { type: 'boolean', default: false },
    dir: { type: 'string' },
    /** where the checkpoints go: files beside the chunks (like the vault's Postgres, outside the heap) or memory */
    store: { type: 'string', default: 'file' },
    /** internal: the backup step, run in a child process so its memory is not counted */
    'backup-only': { type: 'boolean', default: false },
  },
});
const objects = Number(args.objects);
const clockScale = Number(args['clock-scale']);
const createFactor = Number(args['create-factor']);
const concurrency = Number(args.concurrency);
const CREATE_LIMIT = DOCUMENTED_LIMITS_PER_MINUTE['object.create'];

/**
 * A checkpoint store in append-only NDJSON files, as the vault keeps its rows in Postgres: outside this
 * process's heap. Enough for one fresh run (rows are read back only by objectRows/logRows).
 */
function fileCheckpointStore(dir: string): RestoreCheckpointStore {
  const files = { state: path.join(dir, 'state.json'), rows: path.join(dir, 'rows.ndjson') };
  const append = async (kind: string, rows: unknown[]) =>
    appendFile(files.rows, rows.map((r) => `${JSON.stringify({ kind, r })}\n`).join(''));
  async function* read(): AsyncGenerator<ObjectCheckpointRow> {
    const rows = new Map<string, ObjectCheckpointRow>();
    let text = '';
    try {
      text = await readFile(files.rows, 'utf8');
    } catch {
      return;
    }
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const { kind, r } = JSON.parse(line) as { kind: 'intent' | 'outcome' | 'references'; r: { sourceId: string } };
      const row = rows.get(r.sourceId) ?? { sourceId: r.sourceId };
      if (kind === 'intent') row.intent = r as ObjectIntent;
      else if (kind === 'outcome') row.outcome = r as ObjectOutcome;
      else row.references = r as ReferenceUpdate;
      rows.set(r.sourceId, row);
    }
    yield* rows.values();
  }
  return {
    loadState: async () => {
      try {
        return JSON.parse(await readFile(files.state, 'utf8')) as RestoreState;
      } catch {
        return undefined;
      }
    },
    saveState: (state) => writeFile(files.state, JSON.stringify(state)),
    recordIntents: (rows) => append('intent', rows),
    recordOutcomes: (rows) => append('outcome', rows),
    recordReferenceUpdates: (rows) => append('references', rows),
    recordIssueFieldResults: async () => undefined,
    objectRows: read,
    async *logRows() {
      for await (const row of read()) {
        const o = row.outcome;
        if (o !== undefined) yield { ...o, warnings: o.warnings, errors: o.errors };
      }
    },
    async *issueFieldResults() {},
  };
}

const mb = (bytes: number) => Number((bytes / 1024 / 1024).toFixed(1));

function clientFor(info: SiteInfo, pacer: TokenBucketPacerOptions): AssetsClient {
  return createAssetsClient({
    transport: createFetchTransport({
      siteUrl: info.siteUrl,
      assetsApiBase: info.assetsApiBase,
      workspaceId: info.workspaceId,
      auth: { type: 'basic', email: info.email, apiToken: info.apiToken },
    }),
    pacer: createTokenBucketPacer(pacer),
  });
}

async function backUpOnly(): Promise<void> {
  const info = JSON.parse(process.env.RESTORE_BENCH_SITE ?? '{}') as SiteInfo;
  const client = clientFor(info, {
    ratePerMinute: Object.fromEntries(ENDPOINT_BUCKETS.map((b) => [b, 10_000_000])),
    concurrency: 16,
  });
  let schemaId = '';
  for await (const s of client.listObjectSchemas()) if (s.objectSchemaKey === 'ITI') schemaId = s.id;
  const store = createDirectoryChunkStore(args.dir ?? '');
  const backup = await runBackup({
    client,
    schemaId,
    source: { cloudId: info.cloudId, siteUrl: info.siteUrl },
    options: { history: args.history, icons: true, issueRefs: false },
    sink: store,
  });
  if (!backup.done) throw new Error('the backup did not finish');
  await store.writeManifest(backup.manifest);
}

/** Runs this script again with `extra` arguments and waits for it. */
async function runChild(extra: string[], env: Record<string, string>): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--conditions=@assets-vault/source', '--import', 'tsx', fileURLToPath(import.meta.url), ...extra],
    {
      stdio: 'inherit',
      env: { ...process.env, ...env },
    },
  );
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the backup step exited with ${String(code)}`);
}

if (args['backup-only']) await backUpOnly();
else await main();

async function main(): Promise<void> {
  const emulator = await startEmulatorChild({ objects, site: 'bench' });
  const dir = args.dir ?? (await mkdtemp(path.join(tmpdir(), 'restore-bench-')));
  try {
    const { info, control } = emulator;
    const counters = async (): Promise<EmulatorCounters> =>
      (await (await fetch(`${control}/counters?site=bench`)).json()) as EmulatorCounters;
    // 1. the backup, in a child process (not measured, and its memory is not ours)
    let t = performance.now();
    await runChild(['--backup-only', '--dir', dir, ...(args.history ? ['--history'] : [])], {
      RESTORE_BENCH_SITE: JSON.stringify(info),
    });
    const store = createDirectoryChunkStore(dir);
    const manifest = await store.readManifest();
    console.log(
      `backup of ${manifest.counts.byKind.object ?? 0} objects in ${((performance.now() - t) / 1000).toFixed(1)} s (chunks in ${dir})`,
    );

    // 2. the documented limits on a scaled clock
    const knobs = { rateLimitPerMinute: { ...DOCUMENTED_LIMITS_PER_MINUTE }, clockScale, retryAfter: 'seconds' };
    await fetch(`${control}/sites/bench/knobs`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(knobs),
    });
    await fetch(`${control}/counters/reset?site=bench`, { method: 'POST' });

    // 3. the restore, sampling RSS and timing the object phase
    const client = clientFor(info, restorePacerOptions({ clockScale, createRateFactor: createFactor, concurrency }));
    const checkpoints = args.store === 'memory' ? createMemoryCheckpointStore() : fileCheckpointStore(dir);
    const rssAtStart = process.memoryUsage().rss;
    let peakRss = rssAtStart;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    const phaseAt = new Map<RestorePhase, number>();
    let createsAtObjectsEnd = 0;
    let lastLog = performance.now();
    t = performance.now();
    const result = await runRestore({
      snapshot: snapshotFromChunks(manifest, store),
      client,
      destination: { kind: 'new-schema', name: 'IT Inventory (bench restore)', key: 'BENCH' },
      options: { objectIcons: true, history: args.history },
      checkpoints,
      tuning: { concurrency },
      onEvent: (e) => {
        if (e.type !== 'phase') return;
        phaseAt.set(e.phase, performance.now());
        if (e.phase === 'references') void counters().then((c) => (createsAtObjectsEnd = c.byBucket['object.create']));
      },
      onProgress: (p) => {
        const now = performance.now();
        if (now - lastLog < 10_000) return;
        lastLog = now;
        console.log(
          `  ${p.phase}: ${p.objectsDone}/${p.objectsTotal} objects, ${p.objectsPerMinute}/min real, eta ${p.etaSeconds ?? '?'} s, rss ${mb(process.memoryUsage().rss)} MB`,
        );
      },
    });
    const seconds = (performance.now() - t) / 1000;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const c = await counters();
    if (result.status !== 'completed') throw new Error(`restore ${result.status}: ${result.message}`);

    const objectsStart = phaseAt.get('objects') ?? t;
    const objectsEnd = phaseAt.get('references') ?? performance.now();
    const objectSeconds = (objectsEnd - objectsStart) / 1000;
    const emulatedMinutes = (objectSeconds * clockScale) / 60;
    const createsPerEmulatedMinute = result.apiCalls.objectCreates / emulatedMinutes;
    const created = result.counts.created;
    const figures = {
      objects: created,
      history: args.history,
      clockScale,
      createRateFactor: createFactor,
      concurrency,
      seconds: Number(seconds.toFixed(1)),
      objectPhaseSeconds: Number(objectSeconds.toFixed(1)),
      createsPerEmulatedMinute: Math.round(createsPerEmulatedMinute),
      shareOfCreateLimit: Number((createsPerEmulatedMinute / CREATE_LIMIT).toFixed(3)),
      requests: c.total,
      status429: c.status429,
      share429: Number((c.status429 / Math.max(1, c.total)).toFixed(6)),
      create429: c.status429ByBucket['object.create'],
      createRequestsAtObjectsEnd: createsAtObjectsEnd,
      requestsPerObject: Number((c.total / created).toFixed(3)),
      engineCallsPerObject: Number(
        (
          (result.apiCalls.objectCreates +
            result.apiCalls.objectUpdates +
            result.apiCalls.lookups +
            result.apiCalls.reads +
            result.apiCalls.structureWrites) /
          created
        ).toFixed(3),
      ),
      apiCalls: result.apiCalls,
      passes: result.passes,
      referencesSet: result.counts.referencesSet,
      verification: { checked: result.verification?.objectsChecked, matching: result.verification?.objectsMatching },
      peakRssMb: mb(peakRss),
      rssAtStartMb: mb(rssAtStart),
      maxRssMb: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)),
    };
    console.log(
      `restore: ${created} objects in ${figures.seconds} s (object phase ${figures.objectPhaseSeconds} s); ` +
        `${figures.createsPerEmulatedMinute} creates per emulated minute = ${(figures.shareOfCreateLimit * 100).toFixed(1)}% of the ${CREATE_LIMIT}/min limit`,
    );
    console.log(
      `429s: ${figures.status429} of ${figures.requests} requests (${(figures.share429 * 100).toFixed(2)}%); ` +
        `${figures.requestsPerObject} requests per object (engine: ${figures.engineCallsPerObject}); peak RSS ${figures.peakRssMb} MB (maxRSS ${figures.maxRssMb} MB)`,
    );
    console.log(JSON.stringify(figures));
  } finally {
    await emulator.stop();
    if (args.dir === undefined) await rm(dir, { recursive: true, force: true });
  }
}
