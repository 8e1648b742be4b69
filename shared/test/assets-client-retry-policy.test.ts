/**
 * The retry policy as data: `decideRetry` for every kind of failed attempt under the default policy
 * and under a changed one, and the stable error codes. The request loop that carries the decisions
 * out is covered end to end in assets-client.test.ts.
 */
import {
  ASSETS_ERROR_CODES,
  AmbiguousCreateError,
  AssetsApiError,
  AssetsNotFoundError,
  AssetsResponseError,
  AssetsTransportError,
  DEFAULT_RETRY_POLICY,
  NoWorkspaceError,
  decideRetry,
  retryPolicy,
  type FailedAttempt,
  type RetryCounters,
  type RetryDecision,
  type RetryPolicy,
} from '../src/assets-client/index.js';

const half = () => 0.5;
const status = (code: number, serverDelayMs?: number): FailedAttempt => ({
  kind: 'status',
  status: code,
  serverDelayMs,
});
const reset: FailedAttempt = { kind: 'transport', mayHaveReachedServer: true };
const refused: FailedAttempt = { kind: 'transport', mayHaveReachedServer: false };

/** The decisions for the same failure repeated until the policy gives up (or `limit` rounds). */
function run(
  policy: RetryPolicy,
  mode: 'read' | 'write' | 'create',
  failure: FailedAttempt,
  limit = 50,
): RetryDecision[] {
  const counters: RetryCounters = { failures: 0, throttles: 0, conflicts: 0 };
  const out: RetryDecision[] = [];
  for (let i = 0; i < limit; i++) {
    const d = decideRetry(policy, counters, mode, failure, half);
    out.push(d);
    if (d.action === 'fail' || (d.action === 'look-up' && d.lastAttempt)) break;
  }
  return out;
}

describe('decideRetry under the default policy', () => {
  const policy = retryPolicy();

  test('transient statuses back off with full jitter and stop after maxAttempts', () => {
    const decisions = run(policy, 'read', status(502));
    expect(decisions.map((d) => d.action)).toEqual(['retry', 'retry', 'retry', 'retry', 'retry', 'fail']);
    expect(decisions.slice(0, 5).map((d) => (d.action === 'retry' ? d.delayMs : -1))).toEqual([
      500, 1000, 2000, 4000, 8000,
    ]);
  });

  test("429 has its own budget and waits the server's delay; a delay beyond maxServerDelayMs fails", () => {
    const decisions = run(policy, 'read', status(429, 1500));
    expect(decisions).toHaveLength(DEFAULT_RETRY_POLICY.maxThrottledAttempts);
    expect(decisions[0]).toEqual({ action: 'retry', attempt: 1, delayMs: 1500, delaySource: 'server' });
    expect(run(policy, 'read', status(429, 301_000))).toEqual([{ action: 'fail' }]);
  });

  test('409 is retried once, never for a create; 400, 401, 403 and 404 fail at once', () => {
    expect(run(policy, 'write', status(409)).map((d) => d.action)).toEqual(['retry', 'fail']);
    expect(run(policy, 'create', status(409))).toEqual([{ action: 'fail' }]);
    for (const code of [400, 401, 403, 404]) expect(run(policy, 'read', status(code))).toEqual([{ action: 'fail' }]);
  });

  test('a create is looked up after a 5xx or a reset, resent after a refused connection or a 429', () => {
    const afterError = run(policy, 'create', status(503, 2000));
    expect(afterError[0]).toEqual({ action: 'look-up', attempt: 1, delayMs: 2000, lastAttempt: false });
    expect(afterError.at(-1)).toMatchObject({ action: 'look-up', lastAttempt: true });
    expect(afterError).toHaveLength(DEFAULT_RETRY_POLICY.maxAttempts);
    expect(run(policy, 'create', reset)[0]).toMatchObject({ action: 'look-up', delayMs: 500 });
    expect(run(policy, 'create', refused)[0]).toMatchObject({ action: 'retry', delaySource: 'backoff' });
    expect(run(policy, 'create', status(429, 1000))[0]).toMatchObject({ action: 'retry', delayMs: 1000 });
  });

  test('network failures of reads and writes retry like transient statuses', () => {
    expect(run(policy, 'read', reset).map((d) => d.action)).toEqual([
      'retry',
      'retry',
      'retry',
      'retry',
      'retry',
      'fail',
    ]);
  });
});

describe('the policy is data', () => {
  test('changed status lists and budgets change the decisions', () => {
    const strict = retryPolicy({ transientStatuses: [503], maxAttempts: 2, retryOnceStatuses: [] });
    expect(run(strict, 'read', status(502))).toEqual([{ action: 'fail' }]);
    expect(run(strict, 'read', status(503)).map((d) => d.action)).toEqual(['retry', 'fail']);
    expect(run(strict, 'write', status(409))).toEqual([{ action: 'fail' }]);
    expect(retryPolicy({ maxAttempts: undefined })).toEqual(DEFAULT_RETRY_POLICY);
  });
});

test('every error the client throws carries one of the stable codes', () => {
  const init = { method: 'GET', path: '/object/1', status: 500 };
  const errors = [
    new AssetsApiError(init),
    new AssetsApiError({ ...init, status: 418 }),
    new AssetsNotFoundError({ ...init, status: 404 }),
    new AssetsResponseError('GET', '/object/1', [{ path: '/id', message: 'missing' }]),
    new AssetsTransportError('timeout', 'timed out', { mayHaveReachedServer: true }),
    new AssetsTransportError('network', 'reset', { mayHaveReachedServer: true }),
    new AmbiguousCreateError('POST', '/object/create', new Error('reset')),
    new NoWorkspaceError(),
  ];
  for (const err of errors) expect(ASSETS_ERROR_CODES).toContain(err.code);
  expect(errors.map((e) => e.code)).toEqual([
    'assets_server_error',
    'assets_unexpected_status',
    'assets_not_found',
    'assets_response_invalid',
    'assets_timeout',
    'assets_network_error',
    'assets_ambiguous_create',
    'assets_no_workspace',
  ]);
});
