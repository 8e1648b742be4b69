/**
 * The waiting room of a pacer: callers queue in FIFO order for a slot or a token, each with an optional
 * AbortSignal that takes it out of the queue. Shared by the in-process pacer (pacer.ts) and the vault's
 * Postgres-backed pacer, so both hand out permits the same way.
 */
import { abortReason } from './retry.js';

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export interface WaitHooks {
  /** the caller joined the queue (e.g. start the pump that serves it) */
  onQueued?(): void;
  /** an aborted caller left the queue (e.g. stop the pump when nobody waits any more) */
  onRemoved?(): void;
}

export class WaitQueue {
  private readonly waiters: Waiter[] = [];

  get length(): number {
    return this.waiters.length;
  }

  /** Resolves when `wakeOne` reaches this caller; rejects with the signal's reason when aborted first. */
  wait(signal?: AbortSignal, hooks: WaitHooks = {}): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal !== undefined) {
        waiter.onAbort = () => {
          const i = this.waiters.indexOf(waiter);
          if (i < 0) return;
          this.waiters.splice(i, 1);
          reject(abortReason(signal));
          hooks.onRemoved?.();
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
      hooks.onQueued?.();
    });
  }

  /** Lets the oldest caller go; false when nobody waits. */
  wakeOne(): boolean {
    const waiter = this.waiters.shift();
    if (waiter === undefined) return false;
    this.detach(waiter);
    waiter.resolve();
    return true;
  }

  /** Fails every waiting caller with `err` (what serves them broke). */
  rejectAll(err: unknown): void {
    for (const waiter of this.waiters.splice(0)) {
      this.detach(waiter);
      waiter.reject(err);
    }
  }

  private detach(waiter: Waiter): void {
    if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort);
  }
}

/** At most `limit` holders at once; the others wait in FIFO order. */
export class ConcurrencyLimit {
  private inUse = 0;
  private readonly queue = new WaitQueue();

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('concurrency must be a positive integer');
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.inUse < this.limit && this.queue.length === 0) {
      this.inUse++;
      return Promise.resolve();
    }
    return this.queue.wait(signal);
  }

  release(): void {
    // the slot passes straight to the next waiter
    if (!this.queue.wakeOne()) this.inUse--;
  }
}
