/**
 * When the client retries, as data (like undici's RetryHandler options: which answers are retried,
 * how many attempts, how delays are computed), and the decision for one failed attempt as a pure
 * function of that policy (assets-cloud-api.md §7.1, §7.2). Delays honour Retry-After (seconds or
 * HTTP date), else X-RateLimit-Reset (ISO date), else exponential backoff with full jitter. Every
 * wait goes through an injectable `sleep` so tests can shrink them. The client's request loop
 * (client.ts `execute`) only carries the decisions out.
 */

export interface RetryPolicy {
  /** "come back later": the request did nothing, so creates retry it too, on a budget of their own */
  throttleStatuses: readonly number[];
  /** transient server failures; after a create they leave the outcome unknown (look it up first) */
  transientStatuses: readonly number[];
  /** undocumented on Assets (§7.1): retried once, never on a create */
  retryOnceStatuses: readonly number[];
  /** whose server-given wait also slows the site's pacer for every request of that bucket */
  penalizeStatuses: readonly number[];
  /** attempts per request for transient statuses and network failures */
  maxAttempts: number;
  /** attempts per request while the server answers a throttle status (harmless to repeat) */
  maxThrottledAttempts: number;
  /** first backoff ceiling; doubles per attempt */
  baseDelayMs: number;
  /** backoff cap */
  maxDelayMs: number;
  /** a server asking for a longer wait fails the request instead (the error carries retryAfterMs) */
  maxServerDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  throttleStatuses: [429],
  transientStatuses: [500, 502, 503, 504],
  retryOnceStatuses: [409],
  penalizeStatuses: [429, 503],
  maxAttempts: 6,
  maxThrottledAttempts: 20,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  maxServerDelayMs: 300_000,
});

/** The default policy with the given fields replaced (undefined fields keep the default). */
export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const out: RetryPolicy = { ...DEFAULT_RETRY_POLICY };
  for (const [key, value] of Object.entries(overrides) as Array<[keyof RetryPolicy, RetryPolicy[keyof RetryPolicy]]>) {
    if (value !== undefined) Object.assign(out, { [key]: value });
  }
  return out;
}

/** What one failed attempt was: a non-2xx answer, or a network failure or timeout. */
export type FailedAttempt =
  | { kind: 'status'; status: number; serverDelayMs: number | undefined }
  | { kind: 'transport'; mayHaveReachedServer: boolean };

/** The attempts a request has used so far, per budget. */
export interface RetryCounters {
  failures: number;
  throttles: number;
  conflicts: number;
}

export type RetryDecision =
  | { action: 'fail' }
  | { action: 'retry'; attempt: number; delayMs: number; delaySource: 'server' | 'backoff' }
  /** a create may have happened: wait, then look it up; resend only if not found (and not `lastAttempt`) */
  | { action: 'look-up'; attempt: number; delayMs: number; lastAttempt: boolean };

/**
 * What to do after a failed attempt of a request of `mode` (reads and writes are idempotent; a
 * create is never resent while its outcome is unknown). Counts the attempt in `counters`.
 */
export function decideRetry(
  policy: RetryPolicy,
  counters: RetryCounters,
  mode: 'read' | 'write' | 'create',
  failed: FailedAttempt,
  random: () => number,
): RetryDecision {
  const backoff = (attempt: number) => backoffDelayMs(attempt, policy.baseDelayMs, policy.maxDelayMs, random);
  const lookUp = (serverDelayMs: number | undefined): RetryDecision => ({
    action: 'look-up',
    attempt: counters.failures,
    // give the server time to finish what it may still be doing before we look
    delayMs: Math.min(policy.maxDelayMs, serverDelayMs ?? backoff(counters.failures)),
    lastAttempt: counters.failures >= policy.maxAttempts,
  });
  if (failed.kind === 'transport') {
    counters.failures++;
    if (mode === 'create' && failed.mayHaveReachedServer) return lookUp(undefined);
    if (counters.failures >= policy.maxAttempts) return { action: 'fail' };
    return { action: 'retry', attempt: counters.failures, delayMs: backoff(counters.failures), delaySource: 'backoff' };
  }
  const { status, serverDelayMs } = failed;
  const fromServer = (attempt: number): RetryDecision => ({
    action: 'retry',
    attempt,
    delayMs: serverDelayMs ?? backoff(attempt),
    delaySource: serverDelayMs === undefined ? 'backoff' : 'server',
  });
  const throttled = policy.throttleStatuses.includes(status);
  if (throttled || policy.transientStatuses.includes(status)) {
    if (!throttled && mode === 'create') {
      // sent, then failed: the server may have created it before failing
      counters.failures++;
      return lookUp(serverDelayMs);
    }
    const attempt = throttled ? ++counters.throttles : ++counters.failures;
    const budget = throttled ? policy.maxThrottledAttempts : policy.maxAttempts;
    if (attempt >= budget || (serverDelayMs !== undefined && serverDelayMs > policy.maxServerDelayMs))
      return { action: 'fail' };
    return fromServer(attempt);
  }
  if (policy.retryOnceStatuses.includes(status) && mode !== 'create' && counters.conflicts === 0) {
    counters.conflicts++;
    return fromServer(1);
  }
  return { action: 'fail' };
}

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
