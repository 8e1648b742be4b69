/**
 * Public types of the Assets Cloud + Jira emulator: site descriptions, knobs and counters.
 * Bucket names are shared with the client's pacer, so both sides talk about the same limits.
 */

import type { EndpointBucket } from '@assets-vault/shared/model';

/** Rate-limit buckets and documented limits: one definition in the model, shared with the client's pacer. */
export { DOCUMENTED_LIMITS_PER_MINUTE, ENDPOINT_BUCKETS, type EndpointBucket } from '@assets-vault/shared/model';

export interface EmulatorSiteInfo {
  name: string;
  /** the "Jira site" base, like https://acme.atlassian.net */
  siteUrl: string;
  /** the api.atlassian.com analogue */
  assetsApiBase: string;
  workspaceId: string;
  cloudId: string;
  email: string;
  apiToken: string;
  bearerToken: string;
}

/** Error body style for 401/403/404/429/503 answers (assets-cloud-api.md §7.1: never assume JSON). */
export type ErrorBodyStyle = 'jira' | 'gateway' | 'empty' | 'text';

export interface EmulatorKnobs {
  /** added to every site request before it is answered */
  latencyMs?: number;
  /**
   * one number = every bucket; a record = per bucket; 'documented' = Atlassian's published
   * per-endpoint limits (DOCUMENTED_LIMITS_PER_MINUTE); absent = unlimited. Combine with
   * `clockScale` to run the documented limits faster (clockScale 10 → 2,000 creates/min = 333/s).
   */
  rateLimitPerMinute?: Partial<Record<EndpointBucket, number>> | number | 'documented';
  /** how a 429 (and a 503) tells the client when to come back */
  retryAfter?: 'seconds' | 'http-date' | 'none' | 'reset-header';
  /** 0..1: share of requests answered 503 */
  failure503Rate?: number;
  /** 0..1: share of requests whose socket is destroyed without an answer */
  resetRate?: number;
  /** 60 = a minute lasts one second (rate-limit windows and Retry-After) */
  clockScale?: number;
  /** largest `maxResults` honoured by paged endpoints; the effective value is echoed */
  maxResultsCeiling?: number;
  /** `total` in /object/aql: exact, capped at 1000, or absent (it is deprecated) */
  totalMode?: 'exact' | 'capped' | 'absent';
  /** success status of DELETE /object/{id} */
  deleteStatus?: 200 | 204;
  /** seed of the failure-injection random sequence */
  seed?: number;
  // ---- additional knobs (not in the binding list, all optional) ----
  /** body style of 401/403/404/429/503 answers; default 'jira' */
  errorBodyStyle?: ErrorBodyStyle;
  /** 0..1: share of POST /object/create calls that create the object and then drop the connection */
  createThenResetRate?: number;
  /** 0..1: share of requests answered 500 */
  failure500Rate?: number;
  /** answer every authenticated Assets/Jira call with 401 ("scope does not match") or 403 */
  forceAuthError?: 401 | 403;
  /**
   * object allowance: create fails with 400 once the workspace holds this many objects, counted
   * like `GET /usage` `totalObjectsCount` (system schemas do not count, §7.4)
   */
  objectAllowance?: number;
  /** `maximumCardinality: -1` on attribute create answers 400 (reported for Cloud, unverified) */
  rejectUnlimitedCardinality?: boolean;
  /** deleting a type/schema that still has objects or child types: cascade (default) or 400 */
  deleteNonEmpty?: 'cascade' | 'reject';
  /** PUT /object with `objectAttributeValues: []` clears the attribute (default true) */
  emptyValuesClear?: boolean;
  /** reject schema, type and attribute names containing `= ; : ? . "` (measured on Data Center) */
  rejectReservedNameCharacters?: boolean;
  /** Jira's per-issue write limit: PUTs to one issue per minute before a 429 `jira-per-issue-on-write` */
  perIssueWriteLimitPerMinute?: number;
  /** object id → status answered by every `GET /object/{id}/history` of that object, at once (before `latencyMs`) */
  historyErrors?: Record<string, 401 | 403 | 500>;
  /**
   * ids 1, 2, 3, … per kind instead of the default sparse, ever-growing ids with seeded gaps (real
   * sites allocate workspace-wide). Object key numbers count per schema in both modes, so with
   * dense ids they match the ids of the first schema only; never assume they do.
   */
  denseIds?: boolean;
  /**
   * `POST /object/create` / `PUT /object/{id}` naming an `avatarUUID` this site does not have
   * (undocumented, §5.4): 'ignore' (default) = no avatar, `hasAvatar: false` in the answer;
   * 'reject' = 400 keyed `avatarUUID`, nothing written
   */
  unknownAvatar?: 'ignore' | 'reject';
}

export interface EmulatorCounters {
  /** every request that reached a site route (before auth, rate limits and injected failures) */
  total: number;
  byBucket: Record<EndpointBucket, number>;
  /** keyed "METHOD /route/pattern", e.g. "POST /object/aql" */
  byRoute: Record<string, number>;
  status401: number;
  status429: number;
  status429ByBucket: Record<EndpointBucket, number>;
  status500: number;
  status503: number;
  resets: number;
}
