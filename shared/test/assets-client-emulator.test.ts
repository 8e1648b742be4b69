/**
 * The client against the real emulator over a socket (issue 3 acceptance): paging over 10,000 objects,
 * 429 storms with and without Retry-After under a configured rate, 503s and connection resets, and a
 * 400 that names the attribute. Time runs fast on the emulator (clockScale), never in the assertions.
 */
import { createAssetsClient, createFetchTransport, createTokenBucketPacer, AssetsApiError, type AssetsTransport } from '../src/assets-client/index.js';
import { seedFixture, startEmulator, type Emulator, type EmulatorSite } from '../src/emulator/index.js';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.close();
});

/** Wraps a transport to record when each request left, so the pacing can be checked from the outside. */
function recording(transport: AssetsTransport): { transport: AssetsTransport; sentAt: number[] } {
  const sentAt: number[] = [];
  return {
    sentAt,
    transport: { ...transport, siteKey: transport.siteKey, request: (req) => { sentAt.push(Date.now()); return transport.request(req); } },
  };
}

function clientFor(site: EmulatorSite, opts: { ratePerMinute?: number; retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number } } = {}) {
  const base = createFetchTransport({ siteUrl: site.info.siteUrl, assetsApiBase: site.info.assetsApiBase, auth: { type: 'basic', email: site.info.email, apiToken: site.info.apiToken } });
  const { transport, sentAt } = recording(base);
  const pacer = opts.ratePerMinute === undefined ? undefined : createTokenBucketPacer({ ratePerMinute: { 'object.get': opts.ratePerMinute }, concurrency: 8 });
  const client = createAssetsClient({ transport, workspaceId: site.info.workspaceId, ...(pacer ? { pacer } : {}), ...(opts.retry ? { retry: opts.retry } : {}) });
  return { client, sentAt };
}

/** The most requests sent in any window of `windowMs`. */
function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

it('pages over 10,000 objects and yields each exactly once', async () => {
  const site = emulator.createSite({ name: 'paging' });
  const seeded = seedFixture(site, { objects: 10_000, seed: 'paging', history: false, issues: false });
  const { client } = clientFor(site);
  const seen = new Set<string>();
  let yielded = 0;
  for await (const object of client.aqlObjects(`objectSchemaId = ${seeded.schemaId}`, { pageSize: 1000, includeAttributes: false })) {
    seen.add(object.id);
    yielded++;
  }
  const truth = site.store.objectIds(seeded.schemaId);
  expect(yielded).toBe(truth.length);
  expect(seen.size).toBe(truth.length);
  expect([...seen].sort()).toEqual([...truth].map(String).sort());
  expect(truth.length).toBeGreaterThanOrEqual(10_000);
}, 120_000);

describe.each([
  ['with Retry-After', 'seconds' as const],
  ['without Retry-After', 'none' as const],
])('a 429 storm %s', (_name, retryAfter) => {
  it('ends with every request succeeding, never faster than the configured rate', async () => {
    const site = emulator.createSite({ name: `storm-${retryAfter}` });
    const seeded = seedFixture(site, { objects: 150, seed: 'storm', history: false, issues: false });
    // A "minute" of the emulator lasts one second: it allows 20 GET /object per second. The client is
    // configured for 1,800/min = 30 per second, so it keeps running into the limit.
    site.setKnobs({ clockScale: 60, rateLimitPerMinute: { 'object.get': 20 }, retryAfter });
    const ratePerMinute = 1_800;
    const { client, sentAt } = clientFor(site, { ratePerMinute, retry: { maxAttempts: 30, baseDelayMs: 200, maxDelayMs: 2_000 } });
    // far more requests than one second of burst, so an unpaced client would show in the windows
    const ids = site.store.objectIds(seeded.schemaId).slice(0, 120).map(String);
    const results = await Promise.all(ids.map((id) => client.getObject(id)));

    expect(results.map((o) => o.id)).toEqual(ids);
    const counters = site.counters();
    expect(counters.status429ByBucket['object.get']).toBeGreaterThan(0);
    // token bucket: at most one second of burst (30) plus 30 per second in any one-second window
    expect(maxInWindow(sentAt, 1_000)).toBeLessThanOrEqual(2 * (ratePerMinute / 60));
    const spanMs = Math.max(1, Math.max(...sentAt) - Math.min(...sentAt));
    expect(sentAt.length).toBeLessThanOrEqual(ratePerMinute / 60 * (spanMs / 1000) + ratePerMinute / 60);
  }, 120_000);
});

it('retries 503s and connection resets until every request succeeds', async () => {
  const site = emulator.createSite({ name: 'flaky' });
  const seeded = seedFixture(site, { objects: 60, seed: 'flaky', history: false, issues: false });
  // 503s without Retry-After, so the client's own backoff (shortened here) decides the waits
  site.setKnobs({ failure503Rate: 0.25, resetRate: 0.15, retryAfter: 'none', seed: 7 });
  const { client } = clientFor(site, { retry: { maxAttempts: 12, baseDelayMs: 20, maxDelayMs: 200 } });
  const ids = site.store.objectIds(seeded.schemaId).slice(0, 60).map(String);
  const objects = await Promise.all(ids.map((id) => client.getObject(id)));
  expect(objects.map((o) => o.id)).toEqual(ids);
  const counters = site.counters();
  expect(counters.status503).toBeGreaterThan(0);
  expect(counters.resets).toBeGreaterThan(0);
}, 60_000);

it('a create whose connection drops after the server stored it is found, not created twice', async () => {
  const site = emulator.createSite({ name: 'ambiguous' });
  const seeded = seedFixture(site, { objects: 10, seed: 'ambiguous', history: false, issues: false });
  const { client } = clientFor(site, { retry: { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 50 } });
  const typeId = site.store.objectTypes(seeded.schemaId).find((t) => !t.abstractObjectType)!.id;
  const nameAttr = site.store.attributes(typeId).find((a) => a.label)!;
  const before = site.store.objectIds(seeded.schemaId).length;
  site.setKnobs({ createThenResetRate: 1, seed: 1 });
  let lookups = 0;
  const created = await client.createObject(
    { objectTypeId: typeId, attributes: [{ objectTypeAttributeId: nameAttr.id, objectAttributeValues: [{ value: 'restored-1' }] }] },
    {
      findExisting: async () => {
        lookups++;
        site.setKnobs({});
        for await (const o of client.aqlObjects(`objectSchemaId = ${seeded.schemaId} AND Name = "restored-1"`)) return o;
        return undefined;
      },
    },
  );
  expect(lookups).toBe(1);
  expect(created.label).toBe('restored-1');
  expect(site.store.objectIds(seeded.schemaId).length).toBe(before + 1);
}, 30_000);

it('a 400 surfaces the attribute-level message', async () => {
  const site = emulator.createSite({ name: 'invalid' });
  const seeded = seedFixture(site, { objects: 5, seed: 'invalid', history: false, issues: false });
  const { client } = clientFor(site);
  const type = site.store.objectTypes(seeded.schemaId).find((t) => !t.abstractObjectType)!;
  const integer = site.store.attributes(type.id).find((a) => a.defaultType?.id === 1 && a.editable !== false);
  const label = site.store.attributes(type.id).find((a) => a.label)!;
  const attributes = [{ objectTypeAttributeId: label.id, objectAttributeValues: [{ value: 'x' }] }];
  const target = integer ?? label;
  if (integer) attributes.push({ objectTypeAttributeId: integer.id, objectAttributeValues: [{ value: 'not-a-number' }] });
  else attributes[0] = { objectTypeAttributeId: label.id, objectAttributeValues: [] };
  const err = await client.createObject({ objectTypeId: type.id, attributes }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AssetsApiError);
  const apiError = err as AssetsApiError;
  expect(apiError.status).toBe(400);
  expect(Object.keys(apiError.attributeErrors)).toEqual([target.id]);
  expect(apiError.attributeErrors[target.id]).toMatch(/\S/);
}, 30_000);
