/**
 * Assets client benchmarks: (1) parsing AQL pages, canonical bodies (fast path: one compiled check)
 * vs. bodies that need coercion (numbers for ids, "true" strings); (2) when the emulator is
 * available, paging a seeded site end to end over HTTP with the default pacer switched high.
 * Run: cd shared && node --conditions=@assets-vault/source --import tsx bench/assets-client.bench.ts [objects]
 */
import { performance } from 'node:perf_hooks';
import { AqlPageSchema } from '../src/model/index.js';
import { coerce, normaliseAssetsShapes } from '../src/assets-client/index.js';

const WS = '5d1e7a3c-0b2f-4e8a-9c61-3f0a2b7d9e11';
const ts = '2024-05-02T09:14:07.311Z';
const icon = { id: '57', name: 'Laptop', url16: 'u', url48: 'u' };
const type = {
  workspaceId: WS,
  globalId: `${WS}:31`,
  id: '31',
  name: 'Laptop',
  icon,
  position: 0,
  created: ts,
  updated: ts,
  objectCount: 0,
  objectSchemaId: '4',
  inherited: false,
  abstractObjectType: false,
  parentObjectTypeInherited: false,
};

function page(n: number, lenient: boolean): string {
  const values = Array.from({ length: n }, (_, i) => {
    const id = 1000 + i;
    return {
      workspaceId: WS,
      globalId: `${WS}:${id}`,
      id: lenient ? id : String(id),
      label: `obj-${id}`,
      objectKey: `ITI-${id}`,
      avatar: { workspaceId: WS, url16: 'a', url48: 'a', url72: 'a', url144: 'a', url288: 'a', objectId: String(id) },
      objectType: lenient ? { ...type, parentObjectTypeId: 30 } : type,
      created: ts,
      updated: ts,
      hasAvatar: lenient ? 'false' : false,
      timestamp: 1714641247311,
      _links: { self: 'x' },
      attributes: Array.from({ length: 10 }, (_, a) => ({
        workspaceId: WS,
        objectTypeAttributeId: lenient ? 500 + a : String(500 + a),
        objectAttributeValues: [{ value: `v${a}-${id}`, displayValue: `v${a}-${id}` }],
      })),
    };
  });
  return JSON.stringify({
    startAt: 0,
    maxResults: n,
    isLast: lenient ? 'false' : false,
    values,
    objectTypeAttributes: [],
  });
}

function benchParse(label: string, body: string, rounds: number): void {
  const what = { method: 'POST', path: '/object/aql' };
  coerce(AqlPageSchema, JSON.parse(body), what); // warm-up (compiles the checker)
  const start = performance.now();
  let objects = 0;
  for (let r = 0; r < rounds; r++) {
    const value: unknown = JSON.parse(body);
    normaliseAssetsShapes(value);
    objects += coerce(AqlPageSchema, value, what).values.length;
  }
  const ms = performance.now() - start;
  console.log(
    `${label}: ${(ms / rounds).toFixed(1)} ms per 1,000-object page (JSON.parse included), ${Math.round(objects / (ms / 1000)).toLocaleString('en')} objects/s`,
  );
}

benchParse('parse canonical page ', page(1000, false), 30);
benchParse('parse lenient page   ', page(1000, true), 30);

// ---- (2) end to end over HTTP against the emulator
const { startEmulator, seedFixture } = await import('@assets-vault/emulator');
const { createAssetsClient, createFetchTransport, createTokenBucketPacer } =
  await import('../src/assets-client/index.js');
const objects = Number(process.argv[2] ?? 10_000);
const emulator = await startEmulator();
try {
  const site = emulator.createSite({ name: 'bench' });
  const seeded = seedFixture(site, { objects, seed: 'bench', history: false, issues: false, secondSchema: false });
  const client = createAssetsClient({
    transport: createFetchTransport({
      siteUrl: site.info.siteUrl,
      assetsApiBase: site.info.assetsApiBase,
      workspaceId: site.info.workspaceId,
      auth: { type: 'basic', email: site.info.email, apiToken: site.info.apiToken },
    }),
    pacer: createTokenBucketPacer({ ratePerMinute: { 'object.aql': 1_000_000 } }),
  });
  for (const includeAttributes of [false, true]) {
    const start = performance.now();
    let n = 0;
    for await (const _o of client.aqlObjects(`objectSchemaId = ${seeded.schemaId}`, {
      pageSize: 1000,
      includeAttributes,
    }))
      n++;
    const ms = performance.now() - start;
    console.log(
      `page ${n.toLocaleString('en')} objects over HTTP (pages of 1,000, attributes ${includeAttributes ? 'on' : 'off'}): ${Math.round(ms)} ms, ${Math.round(n / (ms / 1000)).toLocaleString('en')} objects/s, RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`,
    );
  }
} finally {
  await emulator.close();
}
