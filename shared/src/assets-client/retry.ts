/**
 * Waiting and retry timing (assets-cloud-api.md §7.2): honour Retry-After (seconds or HTTP date),
 * else X-RateLimit-Reset (ISO date), else exponential backoff with full jitter. Every wait goes
 * through an injectable `sleep` so tests can shrink them.
 */

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The reason an aborted signal carries, as an Error. */
export function abortReason(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  if (reason !== undefined) return reason;
  const err = new Error('The operation was aborted');
  err.name = 'AbortError';
  return err;
}

/** setTimeout as a promise; rejects with the signal's reason when aborted. */
export const defaultSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal === undefined ? new Error('aborted') : abortReason(signal));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });

interface HeaderSource {
  get(name: string): string | null;
}

/**
 * How long the server asked us to wait, in ms, or undefined when it did not say.
 * `Retry-After: 120` or `Retry-After: Wed, 21 Oct 2026 07:28:00 GMT`; `X-RateLimit-Reset: 2026-10-21T07:28:00Z`.
 */
export function serverRetryDelayMs(headers: HeaderSource, nowMs: number): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter !== undefined && retryAfter !== '') {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.round(Number(retryAfter) * 1000);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - nowMs);
  }
  const reset = headers.get('x-ratelimit-reset')?.trim();
  if (reset !== undefined && reset !== '') {
    // documented as ISO-8601; an epoch in seconds is accepted too (other Atlassian APIs send that)
    const at = /^\d{9,11}$/.test(reset) ? Number(reset) * 1000 : Date.parse(reset);
    if (!Number.isNaN(at)) return Math.max(0, at - nowMs);
  }
  return undefined;
}

/** Full jitter: uniform in [0, min(cap, base × 2^(attempt-1))]. `attempt` counts from 1. */
export function backoffDelayMs(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
