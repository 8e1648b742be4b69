/**
 * Emulator benchmark (not a test): seeding time and memory of a large site, AQL page latency over
 * HTTP, equality lookups, the cost of `POST /object/create` with validation, uniqueness and
 * references, and creates paced at the documented limit on a scaled clock (what a restore
 * benchmark does: it must be limited by the 429s, not by the emulator's CPU).
 *   pnpm --filter @assets-vault/emulator bench [--objects 100000] [--pages 20] [--creates 10000]
 *     [--clock-scale 15]
 */
import { parseArgs } from 'node:util';
import { DOCUMENTED_LIMITS_PER_MINUTE } from '@assets-vault/shared/model';
import { startEmulator } from '../src/index.js';
import { seedFixture, type SeedResult } from '../src/fixtures.js';
import type { EmulatorSite } from '../src/site.js';

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '100000' },
    pages: { type: 'string', default: '20' },
    creates: { type: 'string', default: '10000' },
    'clock-scale': { type: 'string', default: '15' },
  },
});
const objects = Number(values.objects),
  pages = Number(values.pages),
  creates = Number(values.creates),
  clockScale = Number(values['clock-scale']);
const gc = (globalThis as { gc?: () => void }).gc;
const mb = (n: number) => Math.round(n / 1e6);
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;
const cpuMs = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A Laptop as a restore writes it: 12 attributes, two references (one cross-schema), a status, a unique serial. */
function laptopBodies(site: EmulatorSite, seeded: SeedResult, count: number, tag: string) {
  const attr = (key: string) => seeded.attributeIds[key] ?? '';
  const locations = site.store.raw.aqlIds('objectType = Location').slice(0, 50);
  const employees = site.store.raw.aqlIds('objectType = Employee').slice(0, 50);
  const status = site.store.attributes(seeded.objectTypeIds.Laptop ?? '').find((a) => a.name === 'Status')
    ?.typeValueMulti?.[0];
  return Array.from({ length: count }, (_, i) => ({
    objectTypeId: seeded.objectTypeIds.Laptop,
    attributes: (
      [
        ['Hardware.Name', `${tag}-${i}`],
        ['Hardware.Serial Number', `SN-${tag}-${i}`],
        ['Hardware.Purchase date', '2024-01-02'],
        ['Hardware.Price', '1234.50'],
        ['Hardware.Warranty months', '24'],
        ['Hardware.In stock', 'false'],
        ['Hardware.Status', status ?? ''],
        ['Hardware.Location', String(locations[i % locations.length])],
        ['Hardware.Owner', String(employees[i % employees.length])],
        ['Hardware.Notes', 'Restored\nfrom a backup'],
        ['Laptop.RAM', '16'],
        ['Laptop.Operating system', 'macOS'],
      ] as const
    ).map(([key, value]) => ({ objectTypeAttributeId: attr(key), objectAttributeValues: [{ value }] })),
  }));
}

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
  const simpleCreates = 2000;
  const batch = 8;
  for (let i = 0; i < simpleCreates; i += batch) {
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
    `object create over HTTP (${batch} in flight): ${Math.round(simpleCreates / ((performance.now() - t) / 1000))} objects/s`,
  );

  // ---- the create path of a restore: the store alone, then over HTTP (this process is client and server)
  const storeBodies = laptopBodies(site, seeded, creates, 'STORE');
  let cpu = process.cpuUsage();
  for (const body of storeBodies) site.data.createObject(body, site.actorAccountId);
  const storeCpuMs = cpuMs(cpu) / creates;

  const httpBodies = laptopBodies(site, seeded, creates, 'HTTP').map((b) => JSON.stringify(b));
  const create = async (body: string) => {
    for (;;) {
      const res = await fetch(`${base}/object/create`, { method: 'POST', headers, body });
      await res.text();
      if (res.status === 201) return;
      if (res.status !== 429) throw new Error(`create answered ${res.status}`);
      await sleep(Number(res.headers.get('retry-after') ?? '1') * 1000);
    }
  };
  const inFlight = 16;
  let next = 0;
  cpu = process.cpuUsage();
  t = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < creates) await create(httpBodies[next++] ?? '');
    }),
  );
  const httpSeconds = (performance.now() - t) / 1000;
  console.log(
    `restore-shaped create (12 attributes, references, unique serial): store ${storeCpuMs.toFixed(3)} ms CPU per create; over HTTP, unlimited, ${inFlight} in flight: ${Math.round(creates / httpSeconds)} creates/s, ${(cpuMs(cpu) / creates).toFixed(3)} ms CPU per create (client and server)`,
  );

  // ---- paced at the documented create limit on a scaled clock, as the restore benchmark runs it
  site.setKnobs({ rateLimitPerMinute: 'documented', clockScale });
  site.resetCounters();
  const limitPerSecond = (DOCUMENTED_LIMITS_PER_MINUTE['object.create'] * clockScale) / 60;
  const intervalMs = 1000 / (limitPerSecond * 0.98);
  const pacedBodies = laptopBodies(site, seeded, creates, 'PACED').map((b) => JSON.stringify(b));
  next = 0;
  cpu = process.cpuUsage();
  t = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < creates) {
        const i = next++;
        const due = t + i * intervalMs - performance.now();
        if (due > 0) await sleep(due);
        await create(pacedBodies[i] ?? '');
      }
    }),
  );
  const pacedSeconds = (performance.now() - t) / 1000;
  const counters = site.counters();
  console.log(
    `paced at the documented create limit (clockScale ${clockScale}: ${Math.round(limitPerSecond)}/s): ${Math.round(creates / pacedSeconds)} creates/s = ${(creates / pacedSeconds / limitPerSecond).toFixed(3)} of the limit, ${counters.status429ByBucket['object.create']} × 429, this process at ${Math.round((cpuMs(cpu) / 1000 / pacedSeconds) * 100)}% of one core`,
  );
} finally {
  await emu.close();
}
