/**
 * Backup throughput and memory: `pnpm bench:backup [--objects 100000] [--history] [--dir <path>]
 * [--page-size 500] [--probe-pages 10]`.
 *
 * The emulator runs in a child process (its memory and CPU are not ours), seeded with `--objects`
 * objects. We run the real backup (default client and pacer, as in production) into a hashing
 * null sink (or a directory with `--dir`), sampling this process's RSS, then measure the emulator's
 * own AQL page rate with bare fetches (no client, no engine) for comparison. Printed: objects/s,
 * pages/s, the emulator's page rate, peak RSS (sampled and getrusage maxRSS), and the AQL request
 * rate as a share of the documented limit (1,000 requests/min).
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { startEmulatorChild } from '@assets-vault/emulator/child';
import { createAssetsClient, createFetchTransport } from '../src/assets-client/index.js';
import { runBackup } from '../src/backup/index.js';
import { createDirectoryChunkStore, type ChunkSink, type SnapshotChunk } from '../src/snapshot/index.js';

const AQL_LIMIT_PER_MINUTE = 1000;

const { values: args } = parseArgs({
  options: {
    objects: { type: 'string', default: '100000' },
    history: { type: 'boolean', default: false },
    dir: { type: 'string' },
    'page-size': { type: 'string', default: '500' },
    'probe-pages': { type: 'string', default: '10' },
  },
});
const objects = Number(args.objects);
const pageSize = Number(args['page-size']);
const probePages = Number(args['probe-pages']);

/** Verifies and counts what a real sink would store, keeping nothing. */
function hashingNullSink(): ChunkSink & { bytes: number; chunks: number } {
  const sink = {
    bytes: 0,
    chunks: 0,
    async putChunk(chunk: SnapshotChunk) {
      if (createHash('sha256').update(chunk.bytes).digest('hex') !== chunk.sha256)
        throw new Error(`chunk ${chunk.seq} hash mismatch`);
      sink.bytes += chunk.bytes.byteLength;
      sink.chunks += 1;
    },
  };
  return sink;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const emulator = await startEmulatorChild({ objects });
try {
  const { info } = emulator;
  console.log(`emulator child ready with ${objects} objects in ${(emulator.startMs / 1000).toFixed(1)} s`);
  const transport = createFetchTransport({
    siteUrl: info.siteUrl,
    assetsApiBase: info.assetsApiBase,
    workspaceId: info.workspaceId,
    auth: { type: 'basic', email: info.email, apiToken: info.apiToken },
  });
  const client = createAssetsClient({ transport });
  let schemaId = '';
  for await (const s of client.listObjectSchemas()) if (s.objectSchemaKey === 'ITI') schemaId = s.id;
  if (schemaId === '') throw new Error('the seeded IT Inventory schema was not found');

  // 1. the backup, sampling RSS
  const rssAtStart = process.memoryUsage().rss;
  let peakRss = rssAtStart;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  const sink = args.dir ? createDirectoryChunkStore(args.dir) : hashingNullSink();
  const started = performance.now();
  let lastLog = started;
  const result = await runBackup({
    client,
    schemaId,
    source: { cloudId: info.cloudId, siteUrl: info.siteUrl },
    options: { history: args.history, icons: true, issueRefs: true },
    sink,
    pageSize,
    onProgress: (p) => {
      const now = performance.now();
      if (now - lastLog > 5000) {
        lastLog = now;
        console.log(
          `  ${p.phase}: ${p.objects}/${p.objectsExpected} objects, ${p.pages} pages, ${p.chunks} chunks, rss ${mb(process.memoryUsage().rss)}`,
        );
      }
    },
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  if (!result.done) throw new Error('the backup did not finish');
  if (args.dir) await createDirectoryChunkStore(args.dir).writeManifest(result.manifest);

  // 2. the emulator alone (after the backup, so its garbage is not in the RSS figures): sequential
  //    AQL pages read as text, nothing parsed
  const authorization = `Basic ${Buffer.from(`${info.email}:${info.apiToken}`).toString('base64')}`;
  const aqlUrl = `${info.assetsApiBase}/jsm/assets/workspace/${info.workspaceId}/v1/object/aql`;
  let probeBytes = 0;
  const probeStart = performance.now();
  // pages spread over the whole schema: object types (and page sizes in bytes) differ along it
  const stride = Math.max(pageSize, Math.floor(result.stats.objects / probePages));
  for (let i = 0; i < probePages; i++) {
    const res = await fetch(`${aqlUrl}?startAt=${i * stride}&maxResults=${pageSize}&includeAttributes=true`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ qlQuery: `objectSchemaId = ${schemaId} ORDER BY Key ASC` }),
    });
    probeBytes += (await res.text()).length;
  }
  const emulatorPagesPerSec = probePages / ((performance.now() - probeStart) / 1000);
  console.log(
    `emulator alone: ${emulatorPagesPerSec.toFixed(2)} pages/s (${mb(probeBytes / probePages)} of JSON per ${pageSize}-object page on average)`,
  );

  const { stats, manifest } = result;
  const pagesPerSec = stats.pages / seconds;
  const storedBytes = manifest.chunks.reduce((n, c) => n + c.bytes, 0);
  const rawBytes = manifest.chunks.reduce((n, c) => n + (c.uncompressedBytes ?? 0), 0);
  const figures = {
    objects: stats.objects,
    history: args.history,
    seconds: Number(seconds.toFixed(1)),
    objectsPerSec: Math.round(stats.objects / seconds),
    pagesPerSec: Number(pagesPerSec.toFixed(2)),
    emulatorPagesPerSec: Number(emulatorPagesPerSec.toFixed(2)),
    shareOfEmulatorPageRate: Number((pagesPerSec / emulatorPagesPerSec).toFixed(2)),
    aqlRequestsPerMin: Math.round(pagesPerSec * 60),
    shareOfDocumentedAqlLimit: Number(((pagesPerSec * 60) / AQL_LIMIT_PER_MINUTE).toFixed(2)),
    historyRequests: stats.historyRequests,
    chunks: manifest.chunks.length,
    snapshotBytes: storedBytes,
    ndjsonBytes: rawBytes,
    peakRssMb: Number((peakRss / 1024 / 1024).toFixed(1)),
    rssAtStartMb: Number((rssAtStart / 1024 / 1024).toFixed(1)),
    maxRssMb: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)),
    contentSha256: manifest.contentSha256,
  };
  console.log(
    `backup: ${figures.objectsPerSec} objects/s, ${figures.pagesPerSec} pages/s (${Math.round(figures.shareOfEmulatorPageRate * 100)}% of the emulator's page rate), ` +
      `${figures.aqlRequestsPerMin} AQL requests/min = ${Math.round(figures.shareOfDocumentedAqlLimit * 100)}% of the documented 1,000/min`,
  );
  console.log(
    `memory: peak RSS ${figures.peakRssMb} MB sampled, getrusage maxRSS ${figures.maxRssMb} MB (target < 300 MB)`,
  );
  console.log(`snapshot: ${figures.chunks} chunks, ${mb(storedBytes)} gzip of ${mb(rawBytes)} NDJSON`);
  console.log(JSON.stringify(figures));
} finally {
  await emulator.stop();
}
