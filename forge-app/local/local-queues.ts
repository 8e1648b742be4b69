/**
 * In-process stand-in for Forge async events. It receives what @forge/events 3.0.8's `Queue.push`
 * sends to the platform (`POST /webhook/queue/publish/…` with `{ queueName, jobId, payload }`),
 * keeps the events with their delay, and runs them through the app's consumer functions on
 * `drain`. A consumer that returns an InvocationError (`{ _retry: true, retryOptions }`) gets its
 * event again after `retryAfter`, up to four retries as Forge documents; a consumer that throws is
 * recorded as failed and not retried.
 */
import { randomUUID } from 'node:crypto';
import type { AsyncEvent } from '@forge/events';

export interface LocalEvent {
  queueName: string;
  jobId: string;
  eventId: string;
  body: Record<string, unknown>;
  dueAt: number;
  retryCount: number;
}

export type Consumer = (event: AsyncEvent) => Promise<unknown>;

export interface InvocationRecord {
  queueName: string;
  eventId: string;
  outcome: 'done' | 'retry' | 'failed';
  error?: string;
  durationMs: number;
}

const MAX_RETRIES = 4;

function isRetryRequest(
  value: unknown,
): value is { _retry: true; retryOptions?: { retryAfter?: number; retryReason?: string } } {
  return typeof value === 'object' && value !== null && (value as { _retry?: unknown })._retry === true;
}

export class LocalQueues {
  readonly pending: LocalEvent[] = [];
  readonly invocations: InvocationRecord[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** The api client @forge/events' Queue calls (also reached through `__forge_fetch__`). */
  readonly publish = async (_path: string, init?: { body?: unknown }): Promise<Response> => {
    const request = JSON.parse(String(init?.body ?? '{}')) as {
      queueName?: string;
      jobId?: string;
      payload?: Array<{ body: Record<string, unknown>; delayInSeconds?: number }>;
    };
    if (!request.queueName || !request.jobId || !Array.isArray(request.payload)) {
      return Response.json({ message: 'invalid publish request' }, { status: 400 });
    }
    for (const item of request.payload) {
      this.pending.push({
        queueName: request.queueName,
        jobId: request.jobId,
        eventId: randomUUID(),
        body: structuredClone(item.body),
        dueAt: this.now() + (item.delayInSeconds ?? 0) * 1000,
        retryCount: 0,
      });
    }
    return new Response(null, { status: 201 });
  };

  /** Events of a queue (all queues when omitted) still waiting to run. */
  waiting(queueName?: string): LocalEvent[] {
    return this.pending.filter((event) => queueName === undefined || event.queueName === queueName);
  }

  /**
   * Runs due events, oldest due first, until none is due. With `ignoreDelays` a delayed event runs
   * at once (tests that do not want to wait out a retry delay); `untilMs` waits in real time for
   * events due before then. Returns the number of invocations made.
   */
  async drain(
    consumers: Record<string, Consumer>,
    options: { ignoreDelays?: boolean; untilMs?: number; maxInvocations?: number; queueName?: string } = {},
  ): Promise<number> {
    let count = 0;
    const max = options.maxInvocations ?? 10_000;
    while (count < max) {
      const candidates = this.waiting(options.queueName).sort((a, b) => a.dueAt - b.dueAt);
      const next = candidates[0];
      if (!next) break;
      const wait = next.dueAt - this.now();
      if (wait > 0 && !options.ignoreDelays) {
        if (options.untilMs === undefined || next.dueAt > options.untilMs) break;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      this.pending.splice(this.pending.indexOf(next), 1);
      const consumer = consumers[next.queueName];
      if (!consumer) throw new Error(`No consumer for queue ${next.queueName}`);
      await this.invoke(consumer, next);
      count++;
    }
    return count;
  }

  private async invoke(consumer: Consumer, event: LocalEvent): Promise<void> {
    const started = this.now();
    try {
      const result = await consumer({
        body: structuredClone(event.body),
        queueName: event.queueName,
        jobId: event.jobId,
        eventId: event.eventId,
        ...(event.retryCount > 0
          ? {
              retryContext: {
                retryCount: event.retryCount,
                retryReason: 'FUNCTION_RETRY_REQUEST',
                retryData: undefined,
              },
            }
          : {}),
      });
      if (isRetryRequest(result) && event.retryCount < MAX_RETRIES) {
        this.pending.push({
          ...event,
          dueAt: this.now() + (result.retryOptions?.retryAfter ?? 1) * 1000,
          retryCount: event.retryCount + 1,
        });
        this.invocations.push({
          queueName: event.queueName,
          eventId: event.eventId,
          outcome: 'retry',
          durationMs: this.now() - started,
        });
        return;
      }
      this.invocations.push({
        queueName: event.queueName,
        eventId: event.eventId,
        outcome: 'done',
        durationMs: this.now() - started,
      });
    } catch (err) {
      this.invocations.push({
        queueName: event.queueName,
        eventId: event.eventId,
        outcome: 'failed',
        error: err instanceof Error ? err.message : String(err),
        durationMs: this.now() - started,
      });
    }
  }
}
