/**
 * The Assets REST client: `createAssetsClient` over a transport (`createFetchTransport` for the
 * vault, `createRequestJiraTransport` for Forge), with pacing (`Pacer`), retries and typed errors.
 */
export {
  createAssetsClient,
  type AqlOptions,
  type AssetsClient,
  type AssetsClientOptions,
  type CallOptions,
  type ClientEvent,
  type CreateOptions,
  type JiraSearchOptions,
  type PageOptions,
  type RetryOptions,
} from './client.js';
export {
  ASSETS_ERROR_CODES,
  AmbiguousCreateError,
  AssetsApiError,
  AssetsNotFoundError,
  AssetsResponseError,
  AssetsTransportError,
  NoWorkspaceError,
  isAssetsNotFound,
  parseErrorBody,
  type AssetsErrorCode,
  type AssetsErrorKind,
  type ParsedErrorBody,
} from './errors.js';
export {
  DEFAULT_CONCURRENCY,
  DEFAULT_RATE_FACTOR,
  DOCUMENTED_LIMITS_PER_MINUTE,
  ENDPOINT_BUCKETS,
  TokenBucketPacer,
  bucketCapacity,
  createTokenBucketPacer,
  defaultRatesPerMinute,
  permitOf,
  resolveRatesPerMinute,
  sitePacer,
  type EndpointBucket,
  type Pacer,
  type PacerPermit,
  type TokenBucketPacerOptions,
} from './pacer.js';
export { coerce, normaliseAssetsShapes } from './parse.js';
export { ConcurrencyLimit, WaitQueue, type WaitHooks } from './wait-queue.js';
export {
  DEFAULT_RETRY_POLICY,
  backoffDelayMs,
  decideRetry,
  defaultSleep,
  retryPolicy,
  serverRetryDelayMs,
  type FailedAttempt,
  type RetryCounters,
  type RetryDecision,
  type RetryPolicy,
  type Sleep,
} from './retry.js';
export {
  buildQueryString,
  createFetchTransport,
  createRequestJiraTransport,
  type AssetsTransport,
  type FetchTransportOptions,
  type HttpMethod,
  type RequestJiraInit,
  type RequestJiraResponse,
  type RequestJiraTransportOptions,
  type TransportAuth,
  type TransportRequest,
  type TransportResponse,
} from './transport.js';
