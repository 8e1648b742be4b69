/**
 * bench:ingest — completing a generated snapshot (default 1,000,000 objects; BENCH_OBJECTS overrides):
 * the real completion path re-reads and verifies every chunk and loads the browse tables (targets:
 * ≤ 30 s, ≤ 512 MB peak RSS, counting the decode worker threads), then the search indexer builds the
 * trigram index, which completion does not wait for (printed separately).
 */
import { sql } from 'kysely';
import pino from 'pino';
import { systemClock } from '../src/clock.js';
import { createSearchIndexer } from '../src/jobs/search-indexer.js';
import { completeBenchBackup, createBenchDatabase, rssSampler, seedBackup, writeSnapshot } from './common.js';

const objects = Number(process.env.BENCH_OBJECTS ?? 1_000_000);
const bench = await createBenchDatabase();
try {
  const { backupId } = await seedBackup(bench.db);
  let t = performance.now();
  const manifest = await writeSnapshot(bench.db, backupId, objects);
  console.log(
    `generated ${objects} objects in ${manifest.chunks.length} chunks (${((performance.now() - t) / 1000).toFixed(1)} s, not part of the figure)`,
  );
  // the snapshot was written just now (uploads normally trickle in over minutes): flush its WAL first so the
  // figure is the completion's, not a checkpoint of the generated chunks
  await sql`checkpoint`.execute(bench.db);
  global.gc?.();
  const rss = rssSampler();
  t = performance.now();
  await completeBenchBackup(bench.db, backupId, manifest);
  const seconds = (performance.now() - t) / 1000;
  console.log(
    `ingest (verify + load + b-tree indexes) of ${objects} objects: ${seconds.toFixed(1)} s, ${Math.round(objects / seconds)} objects/s, peak RSS ${rss.stop()} MB`,
  );
  t = performance.now();
  const indexer = createSearchIndexer({ db: bench.db, log: pino({ level: 'warn' }), clock: systemClock });
  if (!(await indexer.runOnce())) throw new Error('the search indexer found nothing to index');
  const indexSeconds = (performance.now() - t) / 1000;
  console.log(
    `search index (after completion, in the background): ${indexSeconds.toFixed(1)} s; completion to searchable with the index: ${(seconds + indexSeconds).toFixed(1)} s`,
  );
} finally {
  await bench.drop();
}
