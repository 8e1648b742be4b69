/**
 * The Postgres-backed pacer: pacers on independent connection pools of one database (as replicas are)
 * share one budget per site and endpoint bucket. Time is virtual (the pacers' `now` and `sleep` are
 * injected, as in production they are Date.now and setTimeout): the test moves it to the next wake-up
 * only when every pump sleeps, so the assertions count grants per window of virtual time, never
 * measure real time.
 */
import type { Kysely } from 'kysely';
import type { EndpointBucket } from '@assets-vault/shared/assets-client';
import { createKysely } from '../src/db/index.js';
import type { DB } from '../src/db/types.js';
import { createPostgresPacer, deleteIdleBuckets, type PostgresPacer } from '../src/modules/pacing/index.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';

const BUCKET: EndpointBucket = 'object.create';
const RATE = 600; // per minute: 10 per second
const CAPACITY = 10; // one second of rate
const START = 1_700_000_000_000;

interface Timer {
  at: number;
  resolve(): void;
}

/** Virtual time: `sleep` parks until `advance` moves the clock past its deadline. */
function virtualClock() {
  let t = START;
  const timers: Timer[] = [];
  return {
    now: () => t,
    sleep: (ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const timer: Timer = { at: t + ms, resolve };
        signal?.addEventListener(
          'abort',
          () => {
            const i = timers.indexOf(timer);
            if (i >= 0) timers.splice(i, 1);
            reject(signal.reason);
          },
          { once: true },
        );
        timers.push(timer);
      }),
    sleeping: () => timers.length,
    /** Jumps to the earliest deadline and wakes every sleeper due by then. */
    advance() {
      t = Math.min(...timers.map((x) => x.at));
      for (const due of timers.filter((x) => x.at <= t)) {
        timers.splice(timers.indexOf(due), 1);
        due.resolve();
      }
    },
  };
}
type VirtualClock = ReturnType<typeof virtualClock>;

/** Real-time wait (event-loop turns, no timers) until `done`; the pumps' queries run meanwhile. */
async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * `workers[i]` callers loop on pacer i (acquire, note the virtual time, release) while virtual time
 * runs to `endMs`; `at` runs a step once time reaches it. Returns the grant times per pacer.
 */
async function drive(
  clock: VirtualClock,
  pacers: PostgresPacer[],
  workers: number[],
  endMs: number,
  at?: { ms: number; step: () => Promise<void> },
): Promise<number[][]> {
  const grants: number[][] = pacers.map(() => []);
  const stop = new AbortController();
  const loops = pacers.flatMap((pacer, i) =>
    Array.from({ length: workers[i] ?? 0 }, async () => {
      for (;;) {
        const permit = await pacer.acquire(BUCKET, stop.signal).catch(() => undefined);
        if (!permit) return;
        grants[i]!.push(clock.now());
        permit.release();
      }
    }),
  );
  const pumping = pacers.filter((_, i) => (workers[i] ?? 0) > 0).length;
  let step = at;
  while (clock.now() < endMs) {
    await until('every pump asleep', () => clock.sleeping() === pumping);
    if (step && clock.now() >= step.ms) {
      await step.step();
      step = undefined;
    }
    clock.advance();
  }
  stop.abort();
  await Promise.all(loops);
  return grants.map((g) => g.filter((t) => t < endMs));
}

/** The most grants in any window [t, t + windowMs] (inclusive) starting at a grant. */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let j = 0;
  for (let i = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j]! <= sorted[i]! + windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

describe('Postgres-backed pacer', () => {
  let testDb: TestDatabase;
  const pools: Kysely<DB>[] = [];

  /** A pool of its own, as another replica would have. */
  const pool = () => {
    const db = createKysely(testDb.url);
    pools.push(db);
    return db;
  };
  const pacerOn = (clock: VirtualClock, key: string) =>
    createPostgresPacer(pool(), {
      key,
      ratePerMinute: { [BUCKET]: RATE },
      concurrency: 8,
      now: clock.now,
      sleep: clock.sleep,
    });

  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(pools.map((db) => db.destroy()));
    await testDb?.drop();
  });

  it('keeps two pacers on separate pools together within capacity + rate × window, and uses the rate', async () => {
    const clock = virtualClock();
    const a = pacerOn(clock, 'https://shared.example.test');
    const b = pacerOn(clock, 'https://shared.example.test');
    const durationMs = 60_000;
    const [ga, gb] = await drive(clock, [a, b], [6, 6], START + durationMs);
    const all = [...ga!, ...gb!];
    for (const windowMs of [1_000, 10_000, 60_000])
      expect(busiestWindow(all, windowMs)).toBeLessThanOrEqual(CAPACITY + (RATE / 60_000) * windowMs);
    // the budget is used, not just respected: the whole burst and rate less at most one batch per pacer
    const ceiling = CAPACITY + (RATE / 60_000) * durationMs;
    expect(all.length).toBeGreaterThanOrEqual(ceiling - 4);
    // and shared: neither pacer starves (they are served in the order they reserved)
    expect(Math.min(ga!.length, gb!.length)).toBeGreaterThan(all.length / 3);
    // one round trip per batch of 2 (10 per second × 200 ms), however the two pacers interleave
    const stats = [a.stats(), b.stats()];
    expect(stats[0]!.permits + stats[1]!.permits).toBe(all.length);
    expect(stats[0]!.roundTrips + stats[1]!.roundTrips).toBeLessThanOrEqual(Math.ceil(all.length / 2) + 2);
  }, 60_000);

  it('keeps buckets of other sites and other endpoints apart', async () => {
    const clock = virtualClock();
    const one = pacerOn(clock, 'https://one.example.test');
    const two = pacerOn(clock, 'https://two.example.test');
    const [g1, g2] = await drive(clock, [one, two], [4, 4], START + 10_000);
    // each has the whole budget of its own site
    for (const g of [g1!, g2!]) {
      expect(g.length).toBeGreaterThanOrEqual(CAPACITY + 100 - 2);
      expect(busiestWindow(g, 10_000)).toBeLessThanOrEqual(CAPACITY + 100);
    }
    // the create bucket is spent; another endpoint of the same site has its own
    (await one.acquire('object.aql')).release();
    const rows = await testDb.db
      .selectFrom('pacing_bucket')
      .select(['key', 'bucket'])
      .where('key', 'in', ['https://one.example.test', 'https://two.example.test'])
      .orderBy('key')
      .orderBy('bucket')
      .execute();
    expect(rows).toEqual([
      { key: 'https://one.example.test', bucket: 'object.aql' },
      { key: 'https://one.example.test', bucket: BUCKET },
      { key: 'https://two.example.test', bucket: BUCKET },
    ]);
  }, 60_000);

  it("holds every pacer of the site back for another pacer's penalty, then resumes from an empty bucket", async () => {
    const clock = virtualClock();
    const key = 'https://throttled.example.test';
    const throttled = pacerOn(clock, key); // the one that saw the 429
    const worker = pacerOn(clock, key);
    const penaltyMs = 3_000;
    const endMs = START + 15_000;
    let penalizedAt = 0;
    const [own, grants] = await drive(clock, [throttled, worker], [2, 4], endMs, {
      ms: START + 5_000,
      step: async () => {
        penalizedAt = clock.now();
        throttled.penalize(BUCKET, penaltyMs);
        await throttled.flush();
      },
    });
    // the pacer that saw it stops at once, dropping what it had reserved
    expect(own!.filter((t) => t > penalizedAt && t < penalizedAt + penaltyMs)).toEqual([]);
    // the other had reserved one batch (2 tokens) before the penalty, due behind the first pacer's
    // batch (400 ms of rate at most): only those go out
    const during = grants!.filter((t) => t > penalizedAt && t < penalizedAt + penaltyMs);
    expect(during.length).toBeLessThanOrEqual(2);
    for (const t of during) expect(t).toBeLessThanOrEqual(penalizedAt + 400);
    // then nothing until the pause ends, and no burst after it: the bucket refills from empty
    const resumed = [...own!, ...grants!].filter((t) => t >= penalizedAt + penaltyMs);
    expect(Math.min(...resumed)).toBeGreaterThanOrEqual(penalizedAt + penaltyMs + 100);
    expect(resumed.length).toBeLessThanOrEqual(((endMs - penalizedAt - penaltyMs) * RATE) / 60_000);
    expect(resumed.length).toBeGreaterThan(60);
    expect(own!.filter((t) => t >= penalizedAt + penaltyMs).length).toBeGreaterThan(10);
  }, 60_000);

  it('limits requests in flight per process, gives a slot back on abort, and fails callers when Postgres does', async () => {
    const pacer = createPostgresPacer(pool(), {
      key: 'https://slots.example.test',
      ratePerMinute: { [BUCKET]: 60_000 },
      concurrency: 2,
    });
    const first = await pacer.acquire(BUCKET);
    await pacer.acquire(BUCKET);
    let third = false;
    const waiting = pacer.acquire(BUCKET).then((p) => {
      third = true;
      return p;
    });
    const aborted = new AbortController();
    const fourth = pacer.acquire(BUCKET, aborted.signal);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(third).toBe(false);
    aborted.abort(new Error('caller gave up'));
    await expect(fourth).rejects.toThrow('caller gave up');
    first.release();
    first.release(); // a second release frees nothing more
    (await waiting).release();
    expect(third).toBe(true);

    const broken = createKysely('postgres://postgres@127.0.0.1:1/nothing_listens_here');
    pools.push(broken);
    const orphan = createPostgresPacer(broken, { key: 'https://down.example.test', concurrency: 1 });
    await expect(orphan.acquire(BUCKET)).rejects.toThrow();
    // the slot came back: the next caller fails the same way instead of waiting forever
    await expect(orphan.acquire(BUCKET)).rejects.toThrow();
  });

  it('lets housekeeping drop buckets idle for a day', async () => {
    const before = await testDb.db.selectFrom('pacing_bucket').select('key').execute();
    expect(before.length).toBeGreaterThan(0);
    expect(await deleteIdleBuckets(testDb.db, START - 1)).toBe(0);
    expect(await deleteIdleBuckets(testDb.db, Date.now() + 86_400_000)).toBe(before.length);
  });
});
