/**
 * A tiny polling loop for durable jobs: runs `tick` back to back while it finds work, otherwise waits
 * `intervalMs` (or until `wake()`). `stop()` resolves after the current tick finished, so shutdown
 * never cuts a job in half and no promise is left unawaited.
 */
import type { Log } from '../logger.js';

export interface Poller {
  start(): void;
  /** Check for work now instead of at the next interval. */
  wake(): void;
  stop(): Promise<void>;
}

export function createPoller(options: { intervalMs: number; log: Log; tick: () => Promise<boolean> }): Poller {
  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;

  const sleep = () =>
    new Promise<void>((resolve) => {
      wakeUp = resolve;
      timer = setTimeout(resolve, options.intervalMs);
    }).finally(() => {
      clearTimeout(timer);
      wakeUp = undefined;
    });

  async function run(): Promise<void> {
    while (running) {
      let didWork = false;
      try {
        didWork = await options.tick();
      } catch (err) {
        // A database outage lands here: keep polling, the next tick retries.
        options.log.warn({ err }, 'job poll failed');
      }
      if (running && !didWork) await sleep();
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    wake() {
      wakeUp?.();
    },
    async stop() {
      running = false;
      wakeUp?.();
      await loop;
      loop = undefined;
    },
  };
}
