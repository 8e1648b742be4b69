/**
 * Traffic knobs of one site: per-bucket sliding-window rate limits, injected failures drawn from a
 * seeded random sequence, and the counters benchmarks and tests read back.
 */
import {
  DOCUMENTED_LIMITS_PER_MINUTE,
  ENDPOINT_BUCKETS,
  type EmulatorCounters,
  type EmulatorKnobs,
  type EndpointBucket,
} from './types.js';
import { Rng } from './random.js';

/** Sliding window over the last `limit` admitted requests: O(1) per request. */
class SlidingWindow {
  private readonly stamps: Float64Array;
  private head = 0;
  constructor(readonly limit: number) {
    this.stamps = new Float64Array(limit).fill(-Infinity);
  }
  /** Admits the request, or returns how many ms until a slot frees up. */
  tryAdmit(now: number, windowMs: number): number {
    const oldest = this.stamps[this.head] ?? -Infinity;
    if (now - oldest < windowMs) return oldest + windowMs - now;
    this.stamps[this.head] = now;
    this.head = (this.head + 1) % this.limit;
    return 0;
  }
}

export type TrafficDecision =
  { kind: 'pass' } | { kind: 'reset' } | { kind: 'status'; status: 429 | 500 | 503; headers: Record<string, string> };

export function emptyCounters(): EmulatorCounters {
  const zero = () => Object.fromEntries(ENDPOINT_BUCKETS.map((b) => [b, 0])) as Record<EndpointBucket, number>;
  return {
    total: 0,
    byBucket: zero(),
    byRoute: {},
    status401: 0,
    status429: 0,
    status429ByBucket: zero(),
    status500: 0,
    status503: 0,
    resets: 0,
  };
}

export class Traffic {
  knobs: EmulatorKnobs;
  counters: EmulatorCounters = emptyCounters();
  private windows = new Map<EndpointBucket, SlidingWindow>();
  private issueWindows = new Map<string, SlidingWindow>();
  private rng: Rng;

  constructor(
    knobs: EmulatorKnobs,
    private readonly fallbackSeed: string,
  ) {
    this.knobs = { ...knobs };
    this.rng = new Rng(knobs.seed ?? fallbackSeed);
  }

  /** Replaces the knobs; limits start with fresh windows and the random sequence restarts. */
  setKnobs(knobs: EmulatorKnobs): void {
    this.knobs = { ...knobs };
    this.windows.clear();
    this.issueWindows.clear();
    this.rng = new Rng(knobs.seed ?? this.fallbackSeed);
  }

  resetCounters(): void {
    this.counters = emptyCounters();
  }

  count(bucket: EndpointBucket, route: string): void {
    this.counters.total++;
    this.counters.byBucket[bucket]++;
    this.counters.byRoute[route] = (this.counters.byRoute[route] ?? 0) + 1;
  }

  /** One draw per request, in arrival order: the same seed gives the same failure pattern. */
  decide(bucket: EndpointBucket, now = Date.now()): TrafficDecision {
    const k = this.knobs;
    const roll = this.rng.next();
    const resetRate = k.resetRate ?? 0,
      rate503 = k.failure503Rate ?? 0,
      rate500 = k.failure500Rate ?? 0;
    if (roll < resetRate) {
      this.counters.resets++;
      return { kind: 'reset' };
    }
    if (roll < resetRate + rate503) {
      this.counters.status503++;
      return { kind: 'status', status: 503, headers: this.retryHeaders(1000, now) };
    }
    if (roll < resetRate + rate503 + rate500) {
      this.counters.status500++;
      return { kind: 'status', status: 500, headers: {} };
    }
    const limit = this.limitFor(bucket);
    if (limit !== undefined) {
      let w = this.windows.get(bucket);
      if (!w || w.limit !== limit) this.windows.set(bucket, (w = new SlidingWindow(limit)));
      const waitMs = w.tryAdmit(now, this.windowMs());
      if (waitMs > 0) {
        this.counters.status429++;
        this.counters.status429ByBucket[bucket]++;
        const reason: Record<string, string> = bucket.startsWith('jira.')
          ? { 'ratelimit-reason': 'jira-burst-based' }
          : {};
        return {
          kind: 'status',
          status: 429,
          headers: {
            ...this.retryHeaders(waitMs, now),
            'x-ratelimit-limit': String(limit),
            'x-ratelimit-remaining': '0',
            ...reason,
          },
        };
      }
    }
    return { kind: 'pass' };
  }

  /** Jira's per-issue write limit; undefined = admitted, otherwise the 429 headers. */
  issueWrite(issueKey: string, now = Date.now()): Record<string, string> | undefined {
    const limit = this.knobs.perIssueWriteLimitPerMinute;
    if (limit === undefined || limit <= 0) return undefined;
    let w = this.issueWindows.get(issueKey);
    if (!w || w.limit !== limit)
      this.issueWindows.set(issueKey, (w = new SlidingWindow(Math.max(1, Math.floor(limit)))));
    const waitMs = w.tryAdmit(now, this.windowMs());
    if (waitMs === 0) return undefined;
    this.counters.status429++;
    this.counters.status429ByBucket['jira.issue.write']++;
    return { ...this.retryHeaders(waitMs, now), 'ratelimit-reason': 'jira-per-issue-on-write' };
  }

  /** Draw for "created, then the connection dropped" on object create. */
  dropAfterCreate(): boolean {
    const rate = this.knobs.createThenResetRate ?? 0;
    if (rate <= 0 || this.rng.next() >= rate) return false;
    this.counters.resets++;
    return true;
  }

  windowMs(): number {
    return 60_000 / (this.knobs.clockScale ?? 1);
  }

  private limitFor(bucket: EndpointBucket): number | undefined {
    const l = this.knobs.rateLimitPerMinute;
    if (l === undefined) return undefined;
    const n = l === 'documented' ? DOCUMENTED_LIMITS_PER_MINUTE[bucket] : typeof l === 'number' ? l : l[bucket];
    return n !== undefined && n > 0 ? Math.max(1, Math.floor(n)) : undefined;
  }

  private retryHeaders(waitMs: number, now: number): Record<string, string> {
    switch (this.knobs.retryAfter ?? 'seconds') {
      case 'seconds':
        return { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) };
      case 'http-date':
        return { 'retry-after': new Date(now + Math.max(1000, waitMs)).toUTCString() };
      case 'reset-header':
        return { 'x-ratelimit-reset': new Date(now + waitMs).toISOString() };
      case 'none':
        return {};
    }
  }
}
