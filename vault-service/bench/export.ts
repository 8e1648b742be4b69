/**
 * bench:export — exporting a completed 100,000-object backup (BENCH_OBJECTS overrides) over real HTTP
 * as XLSX, CSV and JSON: wall time, bytes and the process's peak RSS during each export.
 */
import { startTestApp, testConfig } from '../test/helpers/app.js';
import { createTestSession } from '../test/helpers/login.js';
import { completeBenchBackup, createBenchDatabase, rssSampler, seedBackup, writeSnapshot } from './common.js';

const objects = Number(process.env.BENCH_OBJECTS ?? 100_000);
const bench = await createBenchDatabase();
try {
  const { siteId, userId, backupId } = await seedBackup(bench.db);
  const manifest = await writeSnapshot(bench.db, backupId, objects);
  await completeBenchBackup(bench.db, backupId, manifest);
  const vault = await startTestApp({ db: bench.db, config: testConfig({ VAULT_WORKERS: 'false' }) });
  const cookie = await createTestSession(bench.db, { siteId, trustedUserId: userId, email: 'bench@example.test' });
  for (const format of ['xlsx', 'csv', 'json']) {
    global.gc?.();
    const rss = rssSampler();
    const t = performance.now();
    const res = await fetch(`${vault.baseUrl}/api/v1/backups/${backupId}/export?format=${format}`, { headers: { cookie } });
    if (res.status !== 200 || !res.body) throw new Error(`export ${format}: ${res.status}`);
    let bytes = 0;
    // the client consumes the stream as it comes, never holding the file
    for await (const chunk of res.body) bytes += (chunk as Uint8Array).byteLength;
    const seconds = (performance.now() - t) / 1000;
    console.log(`export ${format.padEnd(4)} ${objects} objects: ${seconds.toFixed(1)} s, ${(bytes / 1024 / 1024).toFixed(1)} MB, peak RSS ${rss.stop()} MB (server and client in one process)`);
  }
  await vault.close();
} finally {
  await bench.drop();
}
