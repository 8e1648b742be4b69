/**
 * The in-process token-bucket pacer, on a virtual clock (its `now`/`sleep` are injected, as in
 * production they are Date.now/setTimeout): rate ceiling, FIFO order, concurrency, abort, penalty.
 */
import {
  DOCUMENTED_LIMITS_PER_MINUTE,
  ENDPOINT_BUCKETS,
  TokenBucketPacer,
  defaultRatesPerMinute,
  sitePacer,
  type PacerPermit,
} from '../src/assets-client/index.js';

function virtualClock() {
  const clock = { t: 0, sleeps: 0 };
  return {
    clock,
    now: () => clock.t,
    sleep: (ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        clock.sleeps++;
        clock.t += ms;
        setImmediate(resolve);
      }),
  };
}

describe('TokenBucketPacer', () => {
  it('defaults to 85% of every documented limit', () => {
    const rates = defaultRatesPerMinute();
    for (const bucket of ENDPOINT_BUCKETS)
      expect(rates[bucket]).toBe(Math.floor(DOCUMENTED_LIMITS_PER_MINUTE[bucket] * 0.85));
    expect(rates['object.aql']).toBe(850);
    expect(rates['object.aql.totalcount']).toBe(425);
    expect(rates['object.get']).toBe(1700);
  });

  it('never grants faster than the rate after the burst, in FIFO order', async () => {
    const { clock, now, sleep } = virtualClock();
    // 3,000/min = one token per 20 ms; burst 0.1 s = 5 tokens
    const pacer = new TokenBucketPacer({ ratePerMinute: { 'object.aql': 3000 }, burstSeconds: 0.1, now, sleep });
    const grants: { i: number; t: number }[] = [];
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const permit = await pacer.acquire('object.aql');
        grants.push({ i, t: clock.t });
        permit.release();
      }),
    );
    expect(grants.map((g) => g.i)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    for (const g of grants) expect(g.t).toBeGreaterThanOrEqual(Math.max(0, g.i - 4) * 20);
    // and it does not dawdle either: the last grant is due at 35 × 20 ms
    expect(grants.at(-1)?.t).toBeLessThanOrEqual(36 * 20);
    // any 1 s window holds at most burst + rate × 1 s grants
    for (const g of grants)
      expect(grants.filter((h) => h.t >= g.t && h.t < g.t + 1000).length).toBeLessThanOrEqual(5 + 50);
  });

  it('keeps buckets independent', async () => {
    const { clock, now, sleep } = virtualClock();
    const pacer = new TokenBucketPacer({ ratePerMinute: { 'object.get': 60, 'object.aql': 60 }, now, sleep });
    (await pacer.acquire('object.get')).release();
    (await pacer.acquire('object.aql')).release();
    expect(clock.t).toBe(0);
    (await pacer.acquire('object.get')).release();
    expect(clock.t).toBe(1000);
  });

  it('limits requests in flight across buckets and hands the slot to the next waiter on release', async () => {
    const pacer = new TokenBucketPacer({ concurrency: 2 });
    const a = await pacer.acquire('object.get');
    const b = await pacer.acquire('object.aql');
    let third: PacerPermit | undefined;
    const pending = pacer.acquire('default').then((p) => {
      third = p;
      return p;
    });
    await new Promise((r) => setImmediate(r));
    expect(third).toBeUndefined();
    a.release();
    a.release(); // a second release of the same permit must not free another slot
    await pending;
    expect(third).toBeDefined();
    let fourth: PacerPermit | undefined;
    const pendingFourth = pacer.acquire('default').then((p) => {
      fourth = p;
      return p;
    });
    await new Promise((r) => setImmediate(r));
    expect(fourth).toBeUndefined();
    b.release();
    (await pendingFourth).release();
    third?.release();
  });

  it('an aborted waiter leaves the queue without using a token or a slot', async () => {
    const { clock, now, sleep } = virtualClock();
    const pacer = new TokenBucketPacer({ ratePerMinute: { 'object.create': 60 }, concurrency: 10, now, sleep });
    (await pacer.acquire('object.create')).release(); // the only token of the burst
    const controller = new AbortController();
    const aborted = pacer.acquire('object.create', controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(aborted).rejects.toThrow('cancelled');
    const start = clock.t;
    (await pacer.acquire('object.create')).release();
    expect(clock.t - start).toBeLessThanOrEqual(1000);
    await expect(pacer.acquire('object.create', AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
  });

  it('penalize holds the bucket for the given time and restarts from an empty bucket', async () => {
    const { clock, now, sleep } = virtualClock();
    const pacer = new TokenBucketPacer({ ratePerMinute: { 'object.aql': 600 }, burstSeconds: 1, now, sleep });
    pacer.penalize('object.aql', 5000);
    (await pacer.acquire('object.aql')).release();
    expect(clock.t).toBeGreaterThanOrEqual(5000);
    const t1 = clock.t;
    (await pacer.acquire('object.aql')).release();
    expect(clock.t - t1).toBeGreaterThanOrEqual(100); // no burst right after the pause: 600/min = 1 per 100 ms
  });

  it('shares one pacer per site key', () => {
    expect(sitePacer('https://a.example.test')).toBe(sitePacer('https://a.example.test'));
    expect(sitePacer('https://a.example.test')).not.toBe(sitePacer('https://b.example.test'));
  });

  it('rejects nonsense settings', () => {
    expect(() => new TokenBucketPacer({ ratePerMinute: { default: 0 } })).toThrow(RangeError);
    expect(() => new TokenBucketPacer({ concurrency: 0 })).toThrow(RangeError);
  });
});
