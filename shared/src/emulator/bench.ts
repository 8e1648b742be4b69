/**
 * Emulator benchmark (not a test): seeding time and memory of a large site, AQL page latency over
 * HTTP, equality lookups and object-create throughput.
 *   node --expose-gc --import tsx src/emulator/bench.ts [--objects 100000] [--pages 20]
 */
import { parseArgs } from 'node:util';
import { startEmulator } from './index.js';
import { seedFixture } from './fixtures.js';

const { values } = parseArgs({
  options: { objects: { type: 'string', default: '100000' }, pages: { type: 'string', default: '20' } },
});
const objects = Number(values.objects),
  pages = Number(values.pages);
const gc = (globalThis as { gc?: () => void }).gc;
const mb = (n: number) => Math.round(n / 1e6);
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;

const emu = await startEmulator();
try {
  const site = emu.createSite();
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let t = performance.now();
  const seeded = seedFixture(site, { objects, seed: 'bench' });
  const seedMs = performance.now() - t;
  gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  console.log(
    `seed ${objects} objects (+${seeded.secondSchemaObjectCount} HR, ${seeded.historyEntries} history, ${seeded.issueKeys.length} issues): ${Math.round(seedMs)} ms, heap +${mb(heapAfter - heapBefore)} MB, rss ${mb(process.memoryUsage().rss)} MB`,
  );

  const base = `${site.info.assetsApiBase}/jsm/assets/workspace/${site.info.workspaceId}/v1`;
  const headers = {
    authorization: `Basic ${Buffer.from(`${site.info.email}:${site.info.apiToken}`).toString('base64')}`,
    accept: 'application/json',
    'content-type': 'application/json',
  };
  const aqlPage = async (startAt: number, include: boolean) => {
    const t0 = performance.now();
    const res = await fetch(`${base}/object/aql?startAt=${startAt}&maxResults=1000&includeAttributes=${include}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ qlQuery: `objectSchemaId = ${seeded.schemaId}` }),
    });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`AQL ${res.status}`);
    return { ms: performance.now() - t0, bytes: body.length };
  };
  for (const include of [true, false]) {
    await aqlPage(0, include); // warm-up and query cache
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < pages; i++) {
      const r = await aqlPage(Math.floor((i * objects) / pages), include);
      times.push(r.ms);
      bytes += r.bytes;
    }
    console.log(
      `AQL page of 1000 (includeAttributes=${include}): p50 ${Math.round(pct(times, 0.5))} ms, p95 ${Math.round(pct(times, 0.95))} ms, ${mb(bytes / pages)} MB per page`,
    );
  }

  const lookups: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now();
    const res = await fetch(`${base}/object/aql?maxResults=10`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ qlQuery: `"Serial Number" = "SN-LAP-bench-${i * 13 + 1}"` }),
    });
    await res.text();
    lookups.push(performance.now() - t0);
  }
  console.log(
    `equality lookup by attribute: p50 ${pct(lookups, 0.5).toFixed(1)} ms, p95 ${pct(lookups, 0.95).toFixed(1)} ms`,
  );

  const typeId = seeded.objectTypeIds.Location,
    nameId = seeded.attributeIds['Location.Name'];
  t = performance.now();
  const creates = 2000;
  const batch = 8;
  for (let i = 0; i < creates; i += batch) {
    await Promise.all(
      Array.from({ length: batch }, (_, j) =>
        fetch(`${base}/object/create`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            objectTypeId: typeId,
            attributes: [{ objectTypeAttributeId: nameId, objectAttributeValues: [{ value: `Bench ${i + j}` }] }],
          }),
        }).then((r) => r.text()),
      ),
    );
  }
  console.log(
    `object create over HTTP (${batch} in flight): ${Math.round(creates / ((performance.now() - t) / 1000))} objects/s`,
  );
} finally {
  await emu.close();
}
