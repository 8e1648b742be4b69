/**
 * bench:export — exporting a completed 100,000-object backup (BENCH_OBJECTS overrides) over real HTTP
 * as XLSX, CSV and JSON: wall time, bytes and the process's peak RSS during each export. The XLSX file is
 * then opened by an independent reader (SheetJS) and its rows counted.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import XLSX from 'xlsx';
import { startTestApp, testConfig } from '../test/helpers/app.js';
import { createTestSession } from '../test/helpers/login.js';
import { completeBenchBackup, createBenchDatabase, rssSampler, seedBackup, writeSnapshot } from './common.js';

const objects = Number(process.env.BENCH_OBJECTS ?? 100_000);
const bench = await createBenchDatabase();
const dir = await mkdtemp(path.join(tmpdir(), 'bench-export-'));
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
    const res = await fetch(`${vault.baseUrl}/api/v1/backups/${backupId}/export?format=${format}`, {
      headers: { cookie },
    });
    if (res.status !== 200 || !res.body) throw new Error(`export ${format}: ${res.status}`);
    const file = path.join(dir, `export.${format}`);
    // the client writes the stream to disk as it comes, never holding the file
    const out = createWriteStream(file);
    await pipeline(Readable.fromWeb(res.body), out);
    const seconds = (performance.now() - t) / 1000;
    console.log(
      `export ${format.padEnd(4)} ${objects} objects: ${seconds.toFixed(1)} s, ${(out.bytesWritten / 1024 / 1024).toFixed(1)} MB, peak RSS ${rss.stop()} MB (server and client in one process)`,
    );
  }
  // after the measurements: SheetJS reads the whole workbook into memory
  const sheets = XLSX.readFile(path.join(dir, 'export.xlsx'), { dense: true }).Sheets;
  const rows = XLSX.utils.sheet_to_json(Object.values(sheets)[0]!, { header: 1 }).length;
  if (rows !== objects + 1) throw new Error(`xlsx read back with ${rows} rows, expected ${objects + 1}`);
  console.log(`xlsx opened by SheetJS: header + ${rows - 1} object rows`);
  await vault.close();
} finally {
  await rm(dir, { recursive: true, force: true });
  await bench.drop();
}
