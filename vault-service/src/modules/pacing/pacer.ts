/**
 * A `Pacer` (shared/src/assets-client/pacer.ts) whose token buckets live in Postgres, so the per-site,
 * per-endpoint rate is shared by every worker of every replica. Concurrency stays per process.
 *
 * Cheap by construction: requests wait in a FIFO per bucket, and one pump per bucket reserves tokens
 * for a batch of them (`batchMs` of rate, at most the waiting count) in one atomic upsert that returns
 * when those tokens are due (GCRA: the row holds one time, the bucket's "empty again" moment). The pump
 * hands each token to the oldest waiter at its due time and then reserves the next batch, so a
 * saturated pacer costs one round trip per batch, pacers never poll each other's tokens away, and they
 * are served in the order they reserved. A token is used at its due time or never, so over any window
 * W every pacer of a key together sends at most capacity + rate × W.
 * A penalty (429/503 with a server wait) pauses this process at once (its reserved tokens are dropped)
 * and is stored in the row: every other pacer's next reservation is due after it, from an empty bucket;
 * tokens another pacer reserved before the penalty (at most one batch each) still go out.
 */
import {
  ConcurrencyLimit,
  WaitQueue,
  bucketCapacity,
  defaultSleep,
  permitOf,
  resolveRatesPerMinute,
  type EndpointBucket,
  type Pacer,
  type PacerPermit,
  type Sleep,
} from '@assets-vault/shared/assets-client';
import type { Executor } from '../../db/types.js';
import { pauseBucket, reserveTokens } from './repository.js';

export interface PostgresPacerOptions {
  /** the target site, e.g. the Assets client's `siteKey` (its URL): pacers with one key share one budget */
  key: string;
  /** requests per minute per endpoint bucket; missing buckets get 85% of the documented limit */
  ratePerMinute?: Partial<Record<EndpointBucket, number>>;
  /** requests in flight at once in this process (all buckets); default 8 */
  concurrency?: number;
  /** bucket capacity in seconds of rate (the largest burst after idling); default 1 s, at least one token */
  burstSeconds?: number;
  /** waiting requests are served in batches of this much time of rate (fewer round trips); default 200 ms */
  batchMs?: number;
  now?: () => number;
  sleep?: Sleep;
  /** a penalty could not be stored (this process still pauses); default: ignored */
  onError?: (err: unknown) => void;
}

export interface PacerStats {
  /** permits handed out */
  permits: number;
  /** statements sent to Postgres (reservations and penalties) */
  roundTrips: number;
}

export interface PostgresPacer extends Pacer {
  penalize(bucket: EndpointBucket, delayMs: number): void;
  /** Resolves once every penalty given so far is stored. */
  flush(): Promise<void>;
  stats(): PacerStats;
}

class BucketState {
  readonly queue = new WaitQueue();
  pumping = false;
  pumpAbort: AbortController | undefined;
  /** this process's own pause: holds its requests before the stored penalty is read back */
  pausedUntilMs = 0;

  constructor(
    readonly name: EndpointBucket,
    readonly ratePerMs: number,
    readonly capacity: number,
    readonly batch: number,
  ) {}
}

export function createPostgresPacer(db: Executor, options: PostgresPacerOptions): PostgresPacer {
  const rates = resolveRatesPerMinute(options.ratePerMinute);
  const slots = new ConcurrencyLimit(options.concurrency ?? 8);
  const burstSeconds = options.burstSeconds ?? 1;
  const batchMs = options.batchMs ?? 200;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const buckets = new Map<EndpointBucket, BucketState>();
  const stats: PacerStats = { permits: 0, roundTrips: 0 };
  let penalties: Promise<void> = Promise.resolve();

  function bucketState(name: EndpointBucket): BucketState {
    let state = buckets.get(name);
    if (state === undefined) {
      const ratePerMs = rates[name] / 60_000;
      const capacity = bucketCapacity(rates[name], burstSeconds);
      state = new BucketState(
        name,
        ratePerMs,
        capacity,
        Math.min(capacity, Math.max(1, Math.round(ratePerMs * batchMs))),
      );
      buckets.set(name, state);
    }
    return state;
  }

  /** Sleeps up to `ms`; cut short when every waiter of the bucket aborted. */
  async function nap(state: BucketState, ms: number): Promise<void> {
    const controller = new AbortController();
    state.pumpAbort = controller;
    try {
      await sleep(Math.max(1, Math.ceil(ms)), controller.signal);
    } catch {
      // the queue emptied and the pump was told to stop waiting
    } finally {
      state.pumpAbort = undefined;
    }
  }

  async function pump(state: BucketState): Promise<void> {
    if (state.pumping) return;
    state.pumping = true;
    try {
      while (state.queue.length > 0) {
        const pausedMs = state.pausedUntilMs - now();
        if (pausedMs > 0) {
          await nap(state, pausedMs);
          continue;
        }
        const count = Math.min(state.queue.length, state.batch);
        let due: number;
        try {
          stats.roundTrips++;
          ({ firstDueMs: due } = await reserveTokens(db, {
            key: options.key,
            bucket: state.name,
            count,
            nowMs: now(),
            ratePerMs: state.ratePerMs,
            capacity: state.capacity,
          }));
        } catch (err) {
          // no budget is known without the database: the requests fail rather than go out unpaced
          state.queue.rejectAll(err);
          break;
        }
        // each reserved token goes to the oldest waiter at its due time; one nobody takes (every
        // caller aborted) or that a penalty overtook is dropped, never sent later
        for (let k = 0; k < count; k++, due += 1 / state.ratePerMs) {
          while (state.queue.length > 0 && due > now()) await nap(state, due - now());
          if (state.pausedUntilMs > due || !state.queue.wakeOne()) break;
          stats.permits++;
        }
      }
    } finally {
      state.pumping = false;
    }
  }

  return {
    async acquire(bucket: EndpointBucket, signal?: AbortSignal): Promise<PacerPermit> {
      await slots.acquire(signal);
      const state = bucketState(bucket);
      try {
        await state.queue.wait(signal, {
          onQueued: () => void pump(state),
          onRemoved: () => {
            if (state.queue.length === 0) state.pumpAbort?.abort();
          },
        });
      } catch (err) {
        slots.release();
        throw err;
      }
      return permitOf(slots);
    },

    penalize(bucket: EndpointBucket, delayMs: number): void {
      if (!(delayMs > 0)) return;
      const state = bucketState(bucket);
      const untilMs = now() + delayMs;
      state.pausedUntilMs = Math.max(state.pausedUntilMs, untilMs);
      penalties = penalties.then(async () => {
        stats.roundTrips++;
        await pauseBucket(db, { key: options.key, bucket, untilMs }).catch((err: unknown) => options.onError?.(err));
      });
    },

    flush: () => penalties,
    stats: () => ({ ...stats }),
  };
}
