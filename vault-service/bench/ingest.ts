/**
 * bench:ingest — completing a generated snapshot (default 1,000,000 objects; BENCH_OBJECTS overrides):
 * the real completion path re-reads and verifies every chunk and materialises the browse tables.
 * Prints wall time and peak RSS of the completion (targets: ≤ 30 s, ≤ 512 MB).
 */
import { completeBenchBackup, createBenchDatabase, rssSampler, seedBackup, writeSnapshot } from './common.js';

const objects = Number(process.env.BENCH_OBJECTS ?? 1_000_000);
const bench = await createBenchDatabase();
try {
  const { backupId } = await seedBackup(bench.db);
  let t = performance.now();
  const manifest = await writeSnapshot(bench.db, backupId, objects);
  console.log(`generated ${objects} objects in ${manifest.chunks.length} chunks (${((performance.now() - t) / 1000).toFixed(1)} s, not part of the figure)`);
  global.gc?.();
  const rss = rssSampler();
  t = performance.now();
  await completeBenchBackup(bench.db, backupId, manifest);
  const seconds = (performance.now() - t) / 1000;
  console.log(`ingest (verify + materialise) of ${objects} objects: ${seconds.toFixed(1)} s, ${Math.round(objects / seconds)} objects/s, peak RSS ${rss.stop()} MB`);
} finally {
  await bench.drop();
}
