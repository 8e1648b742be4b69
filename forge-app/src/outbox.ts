/**
 * Transactional outbox for vault events. A state change is saved in KVS together with its event
 * (same invocation, before any network call), then delivered oldest first. A delivery that fails
 * stays in KVS with its webhook-id and is retried through the `vault-deliveries` queue; one that
 * the vault refuses, or that keeps failing, stays visible as "failed" until an admin retries it.
 * Nothing is dropped silently.
 */
import { randomUUID } from 'node:crypto';
import type { ForgeEventData, ForgeEventType } from '@assets-vault/shared/contract';
import { Queue } from '@forge/events';
import { readVaultConfig } from './config';
import { createVaultClient, VaultRequestError } from './vault-client';
import {
  outboxStore,
  schemaStore,
  trustedUserStore,
  vaultStatusStore,
  type OutboxRecord,
  type OutboxSubject,
  type Tenant,
} from './store';

export const DELIVERY_QUEUE = 'vault-deliveries';
const deliveryQueue = new Queue({ key: DELIVERY_QUEUE });

/** After this many failed attempts a pending event is marked failed and waits for an admin. */
export const MAX_DELIVERY_ATTEMPTS = 8;
const RETRY_BASE_SEC = 30;
// Forge caps a queue event's delay at 900 s.
const RETRY_MAX_SEC = 900;

let lastCreatedMs = 0;

/** A new outbox event; save it with `commit` together with the state change it reports. */
export function createEvent<K extends ForgeEventType>(
  tenant: Tenant,
  type: K,
  data: ForgeEventData<K>,
  subject: OutboxSubject,
  now = new Date(),
): OutboxRecord {
  // Strictly increasing creation times keep two events of one invocation in order.
  const createdMs = Math.max(now.getTime(), lastCreatedMs + 1);
  lastCreatedMs = createdMs;
  const createdAt = new Date(createdMs).toISOString();
  const record: OutboxRecord = {
    id: `evt_${randomUUID()}`,
    type,
    body: JSON.stringify({ type, cloudId: tenant.cloudId, siteUrl: tenant.siteUrl, occurredAt: createdAt, data }),
    subject,
    createdAt,
    attempts: 0,
    state: 'pending',
  };
  return record;
}

export interface FlushResult {
  delivered: number;
  pending: number;
  failed: number;
  /** Set when the vault could not be reached or asked to slow down: later events were not tried. */
  blockedBy?: string;
}

/**
 * Sends pending events oldest first until one fails transiently (the vault is down: later events
 * wait, which keeps per-user order). Refused events (4xx) are marked failed and the flush goes on.
 */
export async function flushOutbox(
  options: { deadline?: number; timeoutMs?: number; now?: () => Date } = {},
): Promise<FlushResult> {
  const now = options.now ?? (() => new Date());
  const records = await outboxStore.list();
  const result: FlushResult = { delivered: 0, pending: 0, failed: 0 };
  const pending = records.filter((record) => record.state === 'pending');
  result.failed = records.length - pending.length;
  if (pending.length === 0) return result;

  let client: ReturnType<typeof createVaultClient>;
  try {
    client = createVaultClient({ config: readVaultConfig(process.env), timeoutMs: options.timeoutMs ?? 15_000 });
  } catch (err) {
    await vaultStatusStore.recordFailure(now(), messageOf(err));
    return { ...result, pending: pending.length, blockedBy: messageOf(err) };
  }

  for (let index = 0; index < pending.length; index++) {
    const record = pending[index] as OutboxRecord;
    if (options.deadline !== undefined && Date.now() > options.deadline) {
      result.pending += pending.length - index;
      break;
    }
    const attemptAt = now();
    try {
      await client.sendEvent(record);
    } catch (err) {
      const retryable = !(err instanceof VaultRequestError) || err.retryable;
      const failedRecord: OutboxRecord = {
        ...record,
        attempts: record.attempts + 1,
        lastAttemptAt: attemptAt.toISOString(),
        lastError: messageOf(err),
      };
      if (!retryable || failedRecord.attempts >= MAX_DELIVERY_ATTEMPTS) {
        failedRecord.state = 'failed';
        await outboxStore.put(failedRecord);
        await applyOutcome(failedRecord, 'failed');
        await vaultStatusStore.recordFailure(attemptAt, failedRecord.lastError ?? 'delivery failed');
        result.failed += 1;
        if (retryable) {
          // Gave up on a transient failure: the vault is still unreachable, so stop here.
          result.pending += pending.length - index - 1;
          result.blockedBy = failedRecord.lastError;
          break;
        }
        continue;
      }
      await outboxStore.put(failedRecord);
      await vaultStatusStore.recordFailure(attemptAt, failedRecord.lastError ?? 'delivery failed');
      result.pending += pending.length - index;
      result.blockedBy = failedRecord.lastError;
      break;
    }
    await outboxStore.delete(record);
    await applyOutcome(record, 'delivered');
    await vaultStatusStore.recordSuccess(attemptAt);
    result.delivered += 1;
  }
  return result;
}

/**
 * Makes sure a delivery attempt is queued when events are pending. One retry is scheduled at a
 * time (the marker in KVS), with exponential backoff on the oldest event's attempt count.
 */
export async function scheduleRetryIfNeeded(now = new Date()): Promise<Date | undefined> {
  const pending = (await outboxStore.list()).filter((record) => record.state === 'pending');
  if (pending.length === 0) {
    await outboxStore.clearRetryAt();
    return undefined;
  }
  const scheduled = await outboxStore.getRetryAt();
  if (scheduled && Date.parse(scheduled) > now.getTime()) return new Date(scheduled);
  const attempts = pending[0]?.attempts ?? 0;
  const delaySec = Math.min(RETRY_MAX_SEC, RETRY_BASE_SEC * 2 ** Math.max(0, attempts - 1));
  const at = new Date(now.getTime() + delaySec * 1000);
  await deliveryQueue.push({ body: { kind: 'flush' }, delayInSeconds: delaySec });
  await outboxStore.setRetryAt(at);
  return at;
}

/** Puts failed events back in the queue (the admin's "Retry" button) and resets their attempts. */
export async function resetFailedDeliveries(): Promise<number> {
  const failed = (await outboxStore.list()).filter((record) => record.state === 'failed');
  for (const record of failed) {
    await outboxStore.put({ ...record, state: 'pending', attempts: 0 });
    await applyOutcome(record, 'pending');
  }
  return failed.length;
}

/** Reflects a delivery outcome on the record the event is about, if it is still that record's newest event. */
async function applyOutcome(record: OutboxRecord, outcome: 'delivered' | 'failed' | 'pending'): Promise<void> {
  const subject = record.subject;
  if (subject.kind === 'trusted_user') {
    const user = await trustedUserStore.get(subject.email);
    if (!user || user.lastEventId !== record.id) return;
    if (outcome === 'delivered' && record.type === 'trusted_user.removed') {
      await trustedUserStore.delete(subject.email);
      return;
    }
    const status =
      outcome === 'failed'
        ? 'failed'
        : outcome === 'pending'
          ? record.type === 'trusted_user.removed'
            ? 'removing'
            : 'pending'
          : 'invited';
    await trustedUserStore.put({ ...user, status });
  } else if (subject.kind === 'schema') {
    const schema = await schemaStore.get(subject.schemaId);
    if (!schema || schema.lastEventId !== record.id) return;
    const syncStatus = outcome === 'delivered' ? 'synced' : outcome;
    await schemaStore.put({ ...schema, syncStatus });
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
