/**
 * Periodic clean-up that keeps tables small: each task runs once per interval on every replica
 * (the deletes are idempotent, so replicas doing the same work at once is harmless).
 */
import type { VaultDeps } from '../deps.js';
import { createPoller, type Poller } from './poller.js';

export interface HousekeepingTask {
  name: string;
  /** Returns how many rows it removed (logged when > 0). */
  run(now: Date): Promise<number>;
}

/** How long a processed webhook id is kept. Far beyond the ±5 min signature tolerance: a replay
 * older than this fails the timestamp check anyway. */
export const PROCESSED_WEBHOOK_RETENTION_MS = 7 * 24 * 3_600_000;

export function createHousekeeping(
  deps: Pick<VaultDeps, 'log' | 'clock'>,
  options: { intervalMs: number; tasks: HousekeepingTask[] },
): Poller & { runOnce(): Promise<void> } {
  async function runOnce(): Promise<void> {
    for (const task of options.tasks) {
      try {
        const removed = await task.run(deps.clock.now());
        if (removed > 0) deps.log.info({ task: task.name, removed }, 'housekeeping removed rows');
      } catch (err) {
        deps.log.warn({ err, task: task.name }, 'housekeeping task failed');
      }
    }
  }
  const poller = createPoller({
    intervalMs: options.intervalMs,
    log: deps.log,
    tick: async () => {
      await runOnce();
      return false; // then wait a full interval
    },
  });
  return { ...poller, runOnce };
}
