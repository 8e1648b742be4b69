/**
 * Proactive pacing: a token bucket per endpoint bucket plus a concurrency limit, per site. Staying
 * below Atlassian's per-minute limits (assets-cloud-api.md §7.2) is cheaper than eating 429s, and
 * a 429 storm hurts every job on the same site. The Pacer is an interface so the vault can plug a
 * Postgres-backed implementation shared by all replicas; the in-process one here is shared by
 * every client of the same site within one process.
 */
import { DOCUMENTED_LIMITS_PER_MINUTE, ENDPOINT_BUCKETS, type EndpointBucket } from '../model/index.js';
import { abortReason, defaultSleep, type Sleep } from './retry.js';
import { ConcurrencyLimit, WaitQueue } from './wait-queue.js';

/** Endpoint buckets and their documented limits live in the model, shared with the emulator. */
export { DOCUMENTED_LIMITS_PER_MINUTE, ENDPOINT_BUCKETS, type EndpointBucket } from '../model/index.js';

/** We aim at 85% of the documented limit: clock drift and other API users on the site eat the rest. */
export const DEFAULT_RATE_FACTOR = 0.85;
export const DEFAULT_CONCURRENCY = 8;

/** Default paced rates: 85% of each documented limit. */
export function defaultRatesPerMinute(factor = DEFAULT_RATE_FACTOR): Record<EndpointBucket, number> {
  const out = {} as Record<EndpointBucket, number>;
  for (const bucket of ENDPOINT_BUCKETS)
    out[bucket] = Math.max(1, Math.floor(DOCUMENTED_LIMITS_PER_MINUTE[bucket] * factor));
  return out;
}

/** The default rates with `overrides` applied; a rate that is not a positive number is a RangeError. */
export function resolveRatesPerMinute(
  overrides: Partial<Record<EndpointBucket, number>> = {},
): Record<EndpointBucket, number> {
  const rates = defaultRatesPerMinute();
  for (const [bucket, rate] of Object.entries(overrides) as [EndpointBucket, number | undefined][]) {
    if (rate === undefined) continue;
    if (!(rate > 0) || !Number.isFinite(rate))
      throw new RangeError(`ratePerMinute for ${bucket} must be a positive number`);
    rates[bucket] = rate;
  }
  return rates;
}

/** The most tokens a bucket holds: `burstSeconds` of its rate, at least one. */
export function bucketCapacity(ratePerMinute: number, burstSeconds: number): number {
  return Math.max(1, Math.floor((ratePerMinute / 60) * burstSeconds));
}

/** Permission to send one request; `release()` after the response body was read (frees the concurrency slot). */
export interface PacerPermit {
  release(): void;
}

export interface Pacer {
  /** Waits until one request of `bucket` may be sent. Rejects with the signal's reason when aborted. */
  acquire(bucket: EndpointBucket, signal?: AbortSignal): Promise<PacerPermit>;
  /** The server throttled us on `bucket`: hold every request of it for `delayMs`. Optional. */
  penalize?(bucket: EndpointBucket, delayMs: number): void;
}

export interface TokenBucketPacerOptions {
  /** per-bucket rate overrides (requests per minute); others default to 85% of the documented limit */
  ratePerMinute?: Partial<Record<EndpointBucket, number>>;
  /** max requests in flight for the whole site (all buckets); default 8 */
  concurrency?: number;
  /** bucket capacity in seconds of rate: a burst after idling never exceeds this; default 1 s (min 1 token) */
  burstSeconds?: number;
  now?: () => number;
  sleep?: Sleep;
}

class Bucket {
  tokens: number;
  lastRefillMs: number;
  pausedUntilMs = 0;
  readonly queue = new WaitQueue();
  pumping = false;
  pumpAbort: AbortController | undefined;

  constructor(
    readonly ratePerMs: number,
    readonly capacity: number,
    nowMs: number,
  ) {
    this.tokens = capacity;
    this.lastRefillMs = nowMs;
  }

  /** Tokens accrue with time, but not while the bucket is paused by a penalty. */
  refill(nowMs: number): void {
    const from = Math.max(this.lastRefillMs, this.pausedUntilMs);
    const elapsed = Math.max(0, nowMs - from);
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.ratePerMs);
    this.lastRefillMs = nowMs;
  }
}

/** A permit whose `release` frees its slot once, however often it is called. */
export function permitOf(slots: ConcurrencyLimit): PacerPermit {
  let released = false;
  return {
    release: () => {
      if (!released) {
        released = true;
        slots.release();
      }
    },
  };
}

/**
 * In-process token buckets (FIFO per bucket) behind a site-wide concurrency semaphore. A request
 * first takes a concurrency slot, then a token, and is sent right away, so send times follow the
 * token times: over any window W a bucket sends at most capacity + rate × W requests.
 */
export class TokenBucketPacer implements Pacer {
  readonly rates: Readonly<Record<EndpointBucket, number>>;
  readonly concurrency: number;
  private readonly burstSeconds: number;
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly buckets = new Map<EndpointBucket, Bucket>();
  private readonly slots: ConcurrencyLimit;

  constructor(opts: TokenBucketPacerOptions = {}) {
    this.rates = Object.freeze(resolveRatesPerMinute(opts.ratePerMinute));
    this.concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
    this.slots = new ConcurrencyLimit(this.concurrency);
    this.burstSeconds = opts.burstSeconds ?? 1;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? defaultSleep;
  }

  async acquire(bucket: EndpointBucket, signal?: AbortSignal): Promise<PacerPermit> {
    await this.slots.acquire(signal);
    try {
      await this.takeToken(bucket, signal);
    } catch (err) {
      this.slots.release();
      throw err;
    }
    return permitOf(this.slots);
  }

  penalize(bucket: EndpointBucket, delayMs: number): void {
    if (!(delayMs > 0)) return;
    const state = this.bucket(bucket);
    const until = this.now() + delayMs;
    if (until > state.pausedUntilMs) state.pausedUntilMs = until;
    // the server says the budget is spent: restart from an empty bucket instead of bursting after the pause
    state.refill(this.now());
    state.tokens = 0;
  }

  private bucket(name: EndpointBucket): Bucket {
    let state = this.buckets.get(name);
    if (state === undefined) {
      const ratePerMinute = this.rates[name];
      state = new Bucket(ratePerMinute / 60_000, bucketCapacity(ratePerMinute, this.burstSeconds), this.now());
      this.buckets.set(name, state);
    }
    return state;
  }

  private takeToken(name: EndpointBucket, signal: AbortSignal | undefined): Promise<void> {
    const state = this.bucket(name);
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const now = this.now();
    state.refill(now);
    if (state.queue.length === 0 && now >= state.pausedUntilMs && state.tokens >= 1) {
      state.tokens -= 1;
      return Promise.resolve();
    }
    return state.queue.wait(signal, {
      onQueued: () => void this.pump(state),
      onRemoved: () => {
        if (state.queue.length === 0) state.pumpAbort?.abort();
      },
    });
  }

  /** One pump per bucket hands out tokens to waiters in FIFO order, sleeping until the next token is due. */
  private async pump(state: Bucket): Promise<void> {
    if (state.pumping) return;
    state.pumping = true;
    try {
      while (state.queue.length > 0) {
        const now = this.now();
        state.refill(now);
        let waitMs: number;
        if (now < state.pausedUntilMs) waitMs = state.pausedUntilMs - now;
        else if (state.tokens >= 1) {
          if (!state.queue.wakeOne()) break;
          state.tokens -= 1;
          continue;
        } else waitMs = (1 - state.tokens) / state.ratePerMs;
        const controller = new AbortController();
        state.pumpAbort = controller;
        try {
          await this.sleep(Math.max(1, Math.ceil(waitMs)), controller.signal);
        } catch {
          // the queue emptied (every waiter aborted) and the pump was told to stop waiting
        } finally {
          state.pumpAbort = undefined;
        }
      }
    } finally {
      state.pumping = false;
    }
  }
}

/** A fresh in-process pacer (not shared). */
export const createTokenBucketPacer = (opts?: TokenBucketPacerOptions): TokenBucketPacer => new TokenBucketPacer(opts);

const sitePacers = new Map<string, TokenBucketPacer>();

/**
 * The in-process pacer of a site, created on first use with `opts` and shared afterwards by every
 * client whose transport has the same siteKey (later `opts` are ignored: one site, one budget).
 */
export function sitePacer(siteKey: string, opts?: TokenBucketPacerOptions): TokenBucketPacer {
  let pacer = sitePacers.get(siteKey);
  if (pacer === undefined) {
    pacer = new TokenBucketPacer(opts);
    sitePacers.set(siteKey, pacer);
  }
  return pacer;
}
