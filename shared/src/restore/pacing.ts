/**
 * Request rates for a restore. A restore is one long burst of `POST /object/create`, so its pacer
 * aims much closer to the documented limit than the client's default 85% (which leaves room for
 * the other jobs of a site and costs a restore 15% of its speed).
 */
import {
  DEFAULT_RATE_FACTOR,
  defaultRatesPerMinute,
  type EndpointBucket,
  type TokenBucketPacerOptions,
} from '../assets-client/index.js';

/**
 * Share of the documented create limit a restore paces at. Why 0.97: the pacer is a token bucket
 * holding at most one second of rate, so over any 60 s window it sends at most 0.97 L + 0.97 L / 60
 * ≈ 0.986 L requests, 1.4% below what a sliding-window limiter of L per minute admits (28 requests
 * at 2,000/min), which absorbs the send-time jitter of concurrent requests. Higher leaves no margin
 * for that jitter; lower gives away throughput for nothing (restore.bench.ts measures both).
 */
export const RESTORE_CREATE_RATE_FACTOR = 0.97;

/** Buckets a restore leans on; the others keep the client's default share. */
const RESTORE_BUCKETS: readonly EndpointBucket[] = ['object.create', 'object.update'];

export interface RestoreRateOptions {
  /** share of the documented limit for object creates and updates; default RESTORE_CREATE_RATE_FACTOR */
  createRateFactor?: number;
  /** share for every other bucket; default the client's DEFAULT_RATE_FACTOR (0.85) */
  rateFactor?: number;
  /** the emulator's `clockScale` (60 = a minute lasts a second); 1 against Atlassian */
  clockScale?: number;
}

/** Per-bucket requests per (real) minute for the pacer of a site that runs a restore. */
export function restoreRatesPerMinute(opts: RestoreRateOptions = {}): Record<EndpointBucket, number> {
  const createFactor = opts.createRateFactor ?? RESTORE_CREATE_RATE_FACTOR;
  const factor = opts.rateFactor ?? DEFAULT_RATE_FACTOR;
  const scale = opts.clockScale ?? 1;
  for (const [name, v] of [
    ['createRateFactor', createFactor],
    ['rateFactor', factor],
  ] as const) {
    if (!(v > 0 && v <= 1)) throw new RangeError(`${name} must be in (0, 1]`);
  }
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError('clockScale must be a positive number');
  const base = defaultRatesPerMinute(factor);
  const create = defaultRatesPerMinute(createFactor);
  const out = {} as Record<EndpointBucket, number>;
  for (const bucket of Object.keys(base) as EndpointBucket[]) {
    out[bucket] = (RESTORE_BUCKETS.includes(bucket) ? create[bucket] : base[bucket]) * scale;
  }
  return out;
}

/** Requests of a restore in flight: 2,000 creates/min at ~300 ms need ~10; 32 rides out latency spikes (restore.bench.ts: 16 gave 85% of the limit on a loaded machine, 32 gave 93%). */
export const RESTORE_CONCURRENCY = 32;

/**
 * Options of the in-process pacer for a site that runs a restore: rates of `restoreRatesPerMinute`,
 * and a burst of one second of rate on Atlassian's clock (1/60 of its one-minute window). On a clock
 * `clockScale` times faster the burst shrinks with it: a full real second would be a sixth of a
 * 6-second window at scale 10 and overrun the limit after every pause.
 */
export function restorePacerOptions(opts: RestoreRateOptions & { concurrency?: number } = {}): TokenBucketPacerOptions {
  return {
    ratePerMinute: restoreRatesPerMinute(opts),
    burstSeconds: 1 / (opts.clockScale ?? 1),
    concurrency: opts.concurrency ?? RESTORE_CONCURRENCY,
  };
}
