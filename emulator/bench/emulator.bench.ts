/**
 * Emulator benchmark (not a test): seeding time and memory of a large site, AQL page latency over
 * HTTP, equality lookups, and the create path of a restore: CPU per `POST /object/create` with
 * validation, uniqueness and references (in the store, and over HTTP in a child emulator process
 * whose CPU is read from /proc), then creates paced at the documented limit on a scaled clock. A
 * restore benchmark must be limited by the 429s, not by the emulator's CPU.
 *   pnpm bench:emulator [--objects 100000] [--pages 20] [--creates 10000] [--clock-scale 15]
 */
import { parseArgs } from 'node:util';
import { DOCUMENTED_LIMITS_PER_MINUTE } from '@assets-vault/shared/model';
import { startEmulatorChild } from '../src/child.js';
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
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface LaptopRefs {
  typeId: string;
  attributeIds: (name: string) => string;
  statusId: string;
  locationIds: string[];
  employeeIds: string[];
}

/** A Laptop as a restore writes it: 12 attributes, two references (one cross-schema), a status, a unique serial. */
function laptopBody(refs: LaptopRefs, i: number, tag: string) {
  return {
    objectTypeId: refs.typeId,
    attributes: (
      [
        ['Name', `${tag}-${i}`],
        ['Serial Number', `SN-${tag}-${i}`],
        ['Purchase date', '2024-01-02'],
        ['Price', '1234.50'],
        ['Warranty months', '24'],
        ['In stock', 'false'],
        ['Status', refs.statusId],
        ['Location', refs.locationIds[i % refs.locationIds.length] ?? ''],
        ['Owner', refs.employeeIds[i % refs.employeeIds.length] ?? ''],
        ['Notes', 'Restored\nfrom a backup'],
        ['RAM', '16'],
        ['Operating system', 'macOS'],
      ] as const
    ).map(([name, value]) => ({ objectTypeAttributeId: refs.attributeIds(name), objectAttributeValues: [{ value }] })),
  };
}

function laptopRefsOf(site: EmulatorSite, seeded: SeedResult): LaptopRefs {
  const typeId = seeded.objectTypeIds.Laptop ?? '';
  const attrs = site.store.attributes(typeId);
  return {
    typeId,
    attributeIds: (name) => attrs.find((a) => a.name === name)?.id ?? '',
    statusId: attrs.find((a) => a.name === 'Status')?.typeValueMulti?.[0] ?? '',
    locationIds: site.store.raw.aqlIds('objectType = Location').slice(0, 50).map(String),
    employeeIds: site.store.raw.aqlIds('objectType = Employee').slice(0, 50).map(String),
  };
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

  // ---- the create path of a restore, in the store alone (no HTTP)
  const refs = laptopRefsOf(site, seeded);
  const cpu = process.cpuUsage();
  for (let i = 0; i < creates; i++) site.data.createObject(laptopBody(refs, i, 'STORE'), site.actorAccountId);
  const storeUsage = process.cpuUsage(cpu);
  console.log(
    `restore-shaped create in the store (12 attributes, references, unique serial): ${((storeUsage.user + storeUsage.system) / 1000 / creates).toFixed(3)} ms CPU per create`,
  );
} finally {
  await emu.close();
}

// ---- the same creates over HTTP against a child emulator: unlimited, then paced at the documented limit
const child = await startEmulatorChild({ objects: 20_000 });
try {
  const base = `${child.info.assetsApiBase}/jsm/assets/workspace/${child.info.workspaceId}/v1`;
  const headers = {
    authorization: `Basic ${Buffer.from(`${child.info.email}:${child.info.apiToken}`).toString('base64')}`,
    accept: 'application/json',
    'content-type': 'application/json',
  };
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}${path}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
    return (await res.json()) as T;
  };
  const schemas = await api<{ values: Array<{ id: string; objectSchemaKey: string }> }>('GET', '/objectschema/list');
  const iti = schemas.values.find((x) => x.objectSchemaKey === 'ITI')?.id ?? '';
  const types = await api<Array<{ id: string; name: string }>>('GET', `/objectschema/${iti}/objecttypes/flat`);
  const typeId = types.find((x) => x.name === 'Laptop')?.id ?? '';
  const attrs = await api<Array<{ id: string; name: string; typeValueMulti?: string[] }>>(
    'GET',
    `/objecttype/${typeId}/attributes`,
  );
  const idsOf = async (qlQuery: string) =>
    (
      await api<{ values: Array<{ id: string }> }>('POST', '/object/aql?maxResults=50&includeAttributes=false', {
        qlQuery,
      })
    ).values.map((o) => o.id);
  const childRefs: LaptopRefs = {
    typeId,
    attributeIds: (name) => attrs.find((a) => a.name === name)?.id ?? '',
    statusId: attrs.find((a) => a.name === 'Status')?.typeValueMulti?.[0] ?? '',
    locationIds: await idsOf('objectType = Location'),
    employeeIds: await idsOf('objectType = Employee'),
  };
  let status429 = 0;
  const create = async (body: string) => {
    for (;;) {
      const res = await fetch(`${base}/object/create`, { method: 'POST', headers, body });
      await res.text();
      if (res.status === 201) return;
      if (res.status !== 429) throw new Error(`create answered ${res.status}`);
      status429++;
      await sleep(Number(res.headers.get('retry-after') ?? '1') * 1000);
    }
  };
  const inFlight = 16;
  const run = async (tag: string, pace: (() => Promise<void>) | undefined) => {
    const bodies = Array.from({ length: creates }, (_, i) => JSON.stringify(laptopBody(childRefs, i, tag)));
    let next = 0;
    const cpu0 = child.cpuMs();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < creates) {
          const body = bodies[next++] ?? '';
          await pace?.();
          await create(body);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    return { perSecond: creates / seconds, emulatorCpuMs: child.cpuMs() - cpu0, seconds };
  };

  const free = await run('HTTP', undefined);
  console.log(
    `restore-shaped create over HTTP, unlimited, ${inFlight} in flight: ${Math.round(free.perSecond)} creates/s, emulator ${(free.emulatorCpuMs / creates).toFixed(3)} ms CPU per create`,
  );

  // the site's knobs through the control endpoint (`/__emulator` is beside `/sites/<name>`)
  const siteUrl = new URL(child.info.siteUrl);
  const knobs = await fetch(`${siteUrl.origin}/__emulator/sites/${siteUrl.pathname.split('/').pop() ?? ''}/knobs`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rateLimitPerMinute: 'documented', clockScale }),
  });
  if (!knobs.ok) throw new Error(`knobs: ${knobs.status}`);
  const limitPerSecond = (DOCUMENTED_LIMITS_PER_MINUTE['object.create'] * clockScale) / 60;
  const intervalMs = 1000 / (limitPerSecond * 0.98);
  // a leaky bucket, like the client's pacer: time lost to a stall is not made up in a burst
  let due = performance.now();
  status429 = 0;
  const paced = await run('PACED', async () => {
    due = Math.max(due + intervalMs, performance.now());
    const waitMs = due - performance.now();
    if (waitMs > 0) await sleep(waitMs);
  });
  console.log(
    `paced at 0.98 of the documented create limit (clockScale ${clockScale}: ${Math.round(limitPerSecond)}/s): ${Math.round(paced.perSecond)} creates/s = ${(paced.perSecond / limitPerSecond).toFixed(3)} of the limit, ${status429} × 429, emulator at ${Math.round((paced.emulatorCpuMs / 1000 / paced.seconds) * 100)}% of one core`,
  );
} finally {
  await child.stop();
}
