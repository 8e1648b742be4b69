/**
 * The client against the real emulator over a socket (issue 3 acceptance): paging over 10,000
 * objects, 429 storms in every Retry-After style under a configured rate, proactive pacing that
 * never meets a 429, 503s and connection resets, creates that are never made twice, and a 400 that
 * names the attribute. The emulator's clock runs fast (clockScale), so a "minute" lasts a second.
 */
import {
  AmbiguousCreateError,
  AssetsApiError,
  createAssetsClient,
  createFetchTransport,
  createTokenBucketPacer,
  type AssetsClient,
  type AssetsTransport,
  type Pacer,
  type RetryOptions,
} from '../src/assets-client/index.js';
import { seedFixture, startEmulator, type Emulator, type EmulatorSite } from '@assets-vault/emulator';
import type { AssetObject } from '../src/model/index.js';

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
    transport: {
      siteKey: transport.siteKey,
      workspaceId: transport.workspaceId,
      request: (req) => {
        sentAt.push(performance.now());
        return transport.request(req);
      },
    },
  };
}

function clientFor(
  site: EmulatorSite,
  opts: { pacer?: Pacer; retry?: RetryOptions; timeoutMs?: number } = {},
): { client: AssetsClient; sentAt: number[] } {
  const base = createFetchTransport({
    siteUrl: site.info.siteUrl,
    assetsApiBase: site.info.assetsApiBase,
    workspaceId: site.info.workspaceId,
    auth: { type: 'basic', email: site.info.email, apiToken: site.info.apiToken },
    ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
  });
  const { transport, sentAt } = recording(base);
  const client = createAssetsClient({
    transport,
    // a fresh pacer per test (the default one is shared per site for the whole process); generous rates
    pacer:
      opts.pacer ??
      createTokenBucketPacer({
        ratePerMinute: { 'object.get': 600_000, 'object.aql': 600_000, 'object.create': 600_000, default: 600_000 },
      }),
    ...(opts.retry ? { retry: opts.retry } : {}),
  });
  return { client, sentAt };
}

/** The most requests sent in any window of `windowMs`. */
function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while ((sorted[i] ?? 0) - (sorted[j] ?? 0) >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

it('pages over 10,000 objects under a lower page-size ceiling and no total, yielding each exactly once', async () => {
  const site = emulator.createSite({ name: 'paging' });
  const seeded = seedFixture(site, {
    objects: 10_000,
    seed: 'paging',
    history: false,
    issues: false,
    secondSchema: false,
  });
  // the client asks for 1,000 per page; the site serves 400 and echoes it, and sends no `total`
  site.setKnobs({ maxResultsCeiling: 400, totalMode: 'absent' });
  const { client } = clientFor(site);
  const truth = site.store.objectIds(seeded.schemaId);
  expect(truth.length).toBeGreaterThanOrEqual(10_000);

  const seen = new Set<string>();
  let yielded = 0;
  for await (const object of client.aqlObjects(`objectSchemaId = ${seeded.schemaId}`, {
    pageSize: 1000,
    includeAttributes: false,
  })) {
    seen.add(object.id);
    yielded++;
  }
  expect(yielded).toBe(truth.length);
  expect(seen.size).toBe(truth.length);
  expect([...seen].sort()).toEqual([...truth].sort());
  expect(site.counters().byRoute['POST /object/aql']).toBe(Math.ceil(truth.length / 400));
  expect(await client.aqlTotalCount(`objectSchemaId = ${seeded.schemaId}`)).toBe(truth.length);
}, 120_000);

describe.each([
  ['Retry-After in seconds', 'seconds' as const],
  ['Retry-After as an HTTP date', 'http-date' as const],
  ['X-RateLimit-Reset', 'reset-header' as const],
  ['no hint at all', 'none' as const],
])('a 429 storm with %s', (_name, retryAfter) => {
  it('ends with every request succeeding, never faster than the configured rate', async () => {
    const site = emulator.createSite({ name: `storm-${retryAfter}` });
    const seeded = seedFixture(site, {
      objects: 100,
      seed: 'storm',
      history: false,
      issues: false,
      secondSchema: false,
    });
    // A "minute" of the emulator lasts one second: it admits 60 GET /object per second. The client is
    // configured for 5,400/min = 90 per second, so it keeps running into the limit.
    site.setKnobs({ clockScale: 60, rateLimitPerMinute: { 'object.get': 60 }, retryAfter });
    const ratePerSecond = 90;
    const pacer = createTokenBucketPacer({ ratePerMinute: { 'object.get': ratePerSecond * 60 }, concurrency: 8 });
    const { client, sentAt } = clientFor(site, {
      pacer,
      retry: { maxAttempts: 30, maxThrottledAttempts: 40, baseDelayMs: 100, maxDelayMs: 1_000 },
    });
    const ids = site.store.objectIds(seeded.schemaId).slice(0, 100);
    const results = await Promise.all(ids.map((id) => client.getObject(id)));

    expect(results.map((o) => o.id)).toEqual(ids);
    const counters = site.counters();
    expect(counters.status429ByBucket['object.get']).toBeGreaterThan(0); // the storm happened
    expect(counters.byBucket['object.get']).toBe(sentAt.length); // every send reached the server, and was counted
    // token bucket: at most one second of burst plus one second of rate in any one-second window
    expect(maxInWindow(sentAt, 1_000)).toBeLessThanOrEqual(2 * ratePerSecond);
    const spanMs = Math.max(...sentAt) - Math.min(...sentAt);
    expect(sentAt.length).toBeLessThanOrEqual(ratePerSecond * (spanMs / 1000) + ratePerSecond);
  }, 60_000);
});

it('paced at 85% of a limit, a burst of requests never meets a 429', async () => {
  const site = emulator.createSite({ name: 'paced' });
  const seeded = seedFixture(site, { objects: 200, seed: 'paced', history: false, issues: false, secondSchema: false });
  // 120 per emulated minute = 120 per real second; the client runs the default 85% of it, with the
  // burst scaled like the clock (1 s of burst per real minute = 1/60 s here)
  site.setKnobs({ clockScale: 60, rateLimitPerMinute: { 'object.get': 120 }, retryAfter: 'seconds' });
  const pacer = createTokenBucketPacer({
    ratePerMinute: { 'object.get': 0.85 * 120 * 60 },
    burstSeconds: 1 / 60,
    concurrency: 8,
  });
  const { client, sentAt } = clientFor(site, { pacer });
  const ids = site.store.objectIds(seeded.schemaId).slice(0, 200);
  const results = await Promise.all(ids.map((id) => client.getObject(id)));
  expect(results).toHaveLength(200);
  expect(site.counters().status429).toBe(0);
  expect(sentAt).toHaveLength(200);
}, 60_000);

it('retries 503s and connection resets, on single reads and while paging, until everything arrives once', async () => {
  const site = emulator.createSite({ name: 'flaky' });
  const seeded = seedFixture(site, { objects: 500, seed: 'flaky', history: false, issues: false, secondSchema: false });
  // 503s without Retry-After, so the client's own backoff (shortened here) decides the waits
  site.setKnobs({ failure503Rate: 0.2, resetRate: 0.1, retryAfter: 'none', seed: 7 });
  const { client } = clientFor(site, { retry: { maxAttempts: 12, baseDelayMs: 20, maxDelayMs: 200 } });
  const ids = site.store.objectIds(seeded.schemaId);
  const objects = await Promise.all(ids.slice(0, 60).map((id) => client.getObject(id)));
  expect(objects.map((o) => o.id)).toEqual(ids.slice(0, 60));

  const paged: string[] = [];
  for await (const o of client.aqlObjects(`objectSchemaId = ${seeded.schemaId}`, { pageSize: 25 })) paged.push(o.id);
  expect(paged.sort()).toEqual([...ids].sort());
  const counters = site.counters();
  expect(counters.status503).toBeGreaterThan(0);
  expect(counters.resets).toBeGreaterThan(0);
}, 60_000);

describe('creates under connection resets', () => {
  async function setUp(name: string) {
    const site = emulator.createSite({ name });
    const { client } = clientFor(site, { retry: { maxAttempts: 10, baseDelayMs: 10, maxDelayMs: 50 } });
    const schema = await client.createObjectSchema({ name: `Restore ${name}`, objectSchemaKey: `R${name.length}X` });
    const type = await client.createObjectType({ name: 'Server', objectSchemaId: schema.id, iconId: '1' });
    const label = (await client.listObjectTypeAttributes(type.id)).find((a) => a.label);
    if (label === undefined) throw new Error('a new type has a label attribute');
    const body = (value: string) => ({
      objectTypeId: type.id,
      attributes: [{ objectTypeAttributeId: label.id, objectAttributeValues: [{ value }] }],
    });
    const findByName = (value: string) => async (): Promise<AssetObject | undefined> => {
      for await (const o of client.aqlObjects(`objectTypeId = ${type.id} AND Name = "${value}"`, {
        includeAttributes: false,
      }))
        return o;
      return undefined;
    };
    return { site, client, schema, body, findByName };
  }

  it('with findExisting, creates every object exactly once', async () => {
    const { site, client, schema, body, findByName } = await setUp('resets');
    // drops after the object was stored (ambiguous, found later) and before it was (ambiguous, not found)
    site.setKnobs({ createThenResetRate: 0.3, resetRate: 0.1, seed: 3 });
    const names = Array.from({ length: 30 }, (_, i) => `srv-${i}`);
    const created: AssetObject[] = [];
    for (const name of names) created.push(await client.createObject(body(name), { findExisting: findByName(name) }));

    expect(created.map((o) => o.label)).toEqual(names);
    const stored = site.store
      .objectIds(schema.id)
      .map((id) => site.store.renderObject(id, { includeAttributes: false })?.label);
    expect(stored.sort()).toEqual([...names].sort()); // 30 objects, none twice
    expect(site.counters().resets).toBeGreaterThan(0);
    expect(site.counters().byRoute['POST /object/create']).toBeGreaterThan(30); // some creates really were resent
  }, 60_000);

  it('without findExisting, stops with AmbiguousCreateError after one attempt', async () => {
    const { site, client, schema, body } = await setUp('nohook');
    site.setKnobs({ createThenResetRate: 1, seed: 1 });
    await expect(client.createObject(body('srv-x'))).rejects.toBeInstanceOf(AmbiguousCreateError);
    expect(site.counters().byRoute['POST /object/create']).toBe(1);
    expect(site.store.objectIds(schema.id)).toHaveLength(1); // it did happen: exactly why blind retries are banned
  }, 30_000);
});

it('a 400 surfaces the attribute-level message', async () => {
  const site = emulator.createSite({ name: 'invalid' });
  const { client } = clientFor(site);
  const schema = await client.createObjectSchema({ name: 'Invalid', objectSchemaKey: 'INV' });
  const type = await client.createObjectType({ name: 'Rack', objectSchemaId: schema.id, iconId: '1' });
  const units = await client.createAttribute(type.id, { name: 'Units', type: 0, defaultTypeId: 1 });
  const label = (await client.listObjectTypeAttributes(type.id)).find((a) => a.label);
  if (label === undefined) throw new Error('a new type has a label attribute');

  const err = await client
    .createObject({
      objectTypeId: type.id,
      attributes: [
        { objectTypeAttributeId: label.id, objectAttributeValues: [{ value: 'rack-1' }] },
        { objectTypeAttributeId: units.id, objectAttributeValues: [{ value: 'forty-two' }] },
      ],
    })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AssetsApiError);
  const apiError = err as AssetsApiError;
  expect(apiError.status).toBe(400);
  expect(Object.keys(apiError.attributeErrors)).toEqual([units.id]);
  expect(apiError.attributeErrors[units.id]).toContain('forty-two');
  expect(apiError.message).toContain(`attribute ${units.id}:`);
  expect(site.counters().byRoute['POST /object/create']).toBe(1); // a 400 is not retried
}, 30_000);
