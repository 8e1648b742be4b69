/**
 * Consumer of the `vault-deliveries` queue: one event means "try the outbox again". What it cannot
 * deliver stays in KVS, and it queues the next attempt itself, so a down vault only delays events.
 */
import { log } from '../log';
import { flushOutbox, scheduleRetryIfNeeded } from '../outbox';
import { outboxStore } from '../store';

// The consumer has Forge's default 55 s; leave room for the last request's timeout.
const FLUSH_BUDGET_MS = 30_000;

export async function deliverPendingEvents(): Promise<void> {
  // This run is the scheduled retry: clear the marker so the next one can be queued.
  await outboxStore.clearRetryAt();
  const result = await flushOutbox({ deadline: Date.now() + FLUSH_BUDGET_MS, timeoutMs: 15_000 });
  log.info('outbox flushed', { delivered: result.delivered, pending: result.pending, failed: result.failed });
  if (result.pending > 0) await scheduleRetryIfNeeded();
}
