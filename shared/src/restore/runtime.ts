/**
 * Small concurrency tools of the engine: a work queue with a concurrency limit whose started work is
 * always awaited, and a batch writer that turns many checkpoint rows into few store calls.
 */

/** Runs `handler` on queued items, at most `concurrency` at a time; `stop()` starts nothing more. */
export class WorkQueue<T> {
  readonly ready: T[] = [];
  private inflight = 0;
  private stopped = false;
  private readonly running = new Set<Promise<void>>();
  private listeners: (() => void)[] = [];
  /** a handler that threw (handlers report their own errors; a throw is a bug and stops the queue) */
  failure: { error: unknown } | undefined;

  constructor(
    private readonly concurrency: number,
    private readonly handler: (item: T) => Promise<void>,
  ) {}

  get active(): number {
    return this.inflight;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  push(item: T): void {
    this.ready.push(item);
    this.pump();
  }

  /** Starts nothing more; what runs keeps running. */
  stop(): void {
    this.stopped = true;
    this.notify();
  }

  /** Resolves at the next change (an item finished, the queue stopped). */
  changed(): Promise<void> {
    return new Promise((resolve) => this.listeners.push(resolve));
  }

  /** Resolves once nothing is queued or running (or, after stop(), once nothing runs). */
  async idle(): Promise<void> {
    while (this.inflight > 0 || (!this.stopped && this.ready.length > 0)) await this.changed();
  }

  /** Resolves once fewer than `n` items wait (or the queue stopped). */
  async below(n: number): Promise<void> {
    while (!this.stopped && this.ready.length >= n) await this.changed();
  }

  /** Every started handler has settled. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private pump(): void {
    while (!this.stopped && this.inflight < this.concurrency && this.ready.length > 0) {
      const item = this.ready.shift() as T;
      this.inflight++;
      const run: Promise<void> = this.handler(item)
        .catch((error: unknown) => {
          this.failure ??= { error };
          this.stopped = true;
        })
        .finally(() => {
          this.inflight--;
          this.running.delete(run);
          this.pump();
          this.notify();
        });
      this.running.add(run);
    }
  }

  private notify(): void {
    const l = this.listeners;
    this.listeners = [];
    for (const f of l) f();
  }
}

/**
 * Collects rows and writes them `size` at a time, and at least every `intervalMs`; writes never
 * overlap. A failed write is remembered and thrown by the next `add`/`flush`, so the engine stops
 * instead of running on with checkpoints it could not keep.
 */
export class BatchWriter<R> {
  private rows: R[] = [];
  private writing: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly write: (rows: R[]) => Promise<void>,
    private readonly size: number,
    private readonly intervalMs: number,
  ) {}

  add(row: R): void {
    this.check();
    this.rows.push(row);
    if (this.rows.length >= this.size) void this.flush().catch(() => undefined);
    else this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), this.intervalMs);
  }

  /** Writes what is collected; resolves when everything added so far is stored. */
  flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.rows;
    this.rows = [];
    this.writing = this.writing.then(async () => {
      this.check();
      if (batch.length === 0) return;
      try {
        await this.write(batch);
      } catch (error) {
        this.failure ??= { error };
        throw error;
      }
    });
    return this.writing;
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }
}

/** A promise that resolves after `ms`, or rejects with the signal's reason. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
