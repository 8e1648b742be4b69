/**
 * bench:browse — a completed 100,000-object backup (BENCH_OBJECTS overrides) browsed and searched over
 * real HTTP with a real session: p50/p95 per request kind (target p95 < 100 ms). Search is measured
 * twice: right after completion (no trigram index yet) and once the search indexer has built it.
 */
import { sql } from 'kysely';
import pino from 'pino';
import { systemClock } from '../src/clock.js';
import { createSearchIndexer } from '../src/jobs/search-indexer.js';
import { startTestApp, testConfig } from '../test/helpers/app.js';
import { createTestSession } from '../test/helpers/login.js';
import { completeBenchBackup, createBenchDatabase, percentile, seedBackup, writeSnapshot } from './common.js';

const objects = Number(process.env.BENCH_OBJECTS ?? 100_000);
const ROUNDS = 40;
const bench = await createBenchDatabase();
try {
  const { siteId, userId, backupId } = await seedBackup(bench.db);
  const manifest = await writeSnapshot(bench.db, backupId, objects);
  await completeBenchBackup(bench.db, backupId, manifest);
  await sql`analyze`.execute(bench.db);
  const vault = await startTestApp({ db: bench.db, config: testConfig({ VAULT_WORKERS: 'false' }) });
  const cookie = await createTestSession(bench.db, { siteId, trustedUserId: userId, email: 'bench@example.test' });
  const get = async (path: string) => {
    const t = performance.now();
    const res = await fetch(`${vault.baseUrl}/api/v1/backups/${backupId}${path}`, { headers: { cookie } });
    const body = (await res.json()) as { nextCursor?: string | null; items?: unknown[] };
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    return { ms: performance.now() - t, body };
  };
  const words = ['alpha', 'kilo-bravo', 'BEN-77', 'room 9', 'user 42', 'sn12', 'oscar-papa 9999', 'zzz-not-there'];
  const cases: Record<string, (i: number) => string> = {
    'object-types tree': () => '/object-types',
    'first page (50)': () => '/objects?limit=50',
    'page of one type': (i) => `/objects?limit=50&objectTypeId=${(i % 20) + 1}`,
    'search (q)': (i) => `/objects?limit=50&q=${encodeURIComponent(words[i % words.length]!)}`,
    'object detail': (i) => `/objects/${((i * 2477) % objects) + 1}`,
  };
  const measure = async (name: string, path: (i: number) => string) => {
    await get(path(0)); // warm-up
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) times.push((await get(path(i))).ms);
    console.log(
      `${name.padEnd(28)} p50 ${percentile(times, 50).toFixed(1)} ms  p95 ${percentile(times, 95).toFixed(1)} ms`,
    );
  };
  await measure('search, index not built yet', cases['search (q)']!);
  const t = performance.now();
  await createSearchIndexer({ db: bench.db, log: pino({ level: 'warn' }), clock: systemClock }).runOnce();
  console.log(`(search index built in ${((performance.now() - t) / 1000).toFixed(1)} s)`);
  for (const [name, path] of Object.entries(cases)) await measure(name, path);
  // deep keyset paging: 20 pages from the middle of the backup
  let cursor: string | null | undefined;
  const deep: number[] = [];
  let { body } = await get('/objects?limit=200');
  for (let i = 0; i < 20 && body.nextCursor; i++) {
    cursor = body.nextCursor;
    const r = await get(`/objects?limit=200&cursor=${cursor}`);
    deep.push(r.ms);
    body = r.body;
  }
  console.log(
    `${'next page (200)'.padEnd(28)} p50 ${percentile(deep, 50).toFixed(1)} ms  p95 ${percentile(deep, 95).toFixed(1)} ms`,
  );
  console.log(`(${objects} objects, ${ROUNDS} requests per kind, sequential, real HTTP + session)`);
  await vault.close();
} finally {
  await bench.drop();
}
