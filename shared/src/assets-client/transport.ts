/**
 * Transports: how one HTTP request reaches Atlassian. The client above them owns paging, pacing,
 * retries and parsing; a transport only builds the URL, adds auth and reports network failures as
 * AssetsTransportError. Two implementations: `fetch` (the vault, tests, scripts) and `requestJira`
 * (the Forge app passes its own function, so this file has no @forge imports).
 */
import { AssetsTransportError } from './errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface TransportRequest {
  method: HttpMethod;
  /** assets: path relative to ".../jsm/assets/workspace/{ws}/v1"; site: path relative to the Jira site */
  api: 'assets' | 'site';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  accept?: string;
  signal?: AbortSignal;
  /** for api 'assets': the workspace the client resolved (overrides the transport's own option) */
  workspaceId?: string;
}

export interface TransportResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface AssetsTransport {
  /** pacing key, e.g. the site URL: every client of the same site shares one rate budget */
  readonly siteKey: string;
  /** the workspace this transport was configured with, if any (saves the client a discovery call) */
  readonly workspaceId?: string | undefined;
  request(req: TransportRequest): Promise<TransportResponse>;
}

export type TransportAuth = { type: 'basic'; email: string; apiToken: string } | { type: 'bearer'; token: string };

export interface FetchTransportOptions {
  siteUrl: string;
  /** default https://api.atlassian.com */
  assetsApiBase?: string;
  workspaceId?: string;
  /** given (or bearer auth): use the cloud-scoped gateway `/ex/jira/{cloudId}/...` */
  cloudId?: string;
  auth: TransportAuth;
  fetch?: typeof fetch;
  /** per request, including reading the body; default 60 s */
  timeoutMs?: number;
}

/** Serialises a query object: undefined values are dropped, booleans become "true"/"false". */
export function buildQueryString(query: TransportRequest['query']): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    params.append(key, String(value));
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

const assetsPrefix = (workspaceId: string) => `/jsm/assets/workspace/${encodeURIComponent(workspaceId)}/v1`;

function requireWorkspace(req: TransportRequest, fallback: string | undefined): string {
  const ws = req.workspaceId ?? fallback;
  if (ws === undefined || ws === '')
    throw new TypeError('an Assets request needs a workspace id (pass workspaceId to the transport or the client)');
  return ws;
}

function requestHeaders(req: TransportRequest): Record<string, string> {
  const headers: Record<string, string> = { Accept: req.accept ?? 'application/json' };
  if (req.body !== undefined) headers['Content-Type'] = 'application/json';
  return headers;
}

/** Error codes after which the request provably never reached the server. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function lowLevelCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Turns whatever fetch threw into AssetsTransportError; the caller's own abort passes through unchanged. */
function toTransportError(
  err: unknown,
  what: string,
  callerSignal: AbortSignal | undefined,
  timeoutSignal: AbortSignal | undefined,
  timeoutMs: number | undefined,
): unknown {
  if (callerSignal?.aborted) return callerSignal.reason ?? err;
  if (err instanceof AssetsTransportError) return err;
  if (timeoutSignal?.aborted) {
    return new AssetsTransportError('timeout', `${what} timed out after ${timeoutMs} ms`, {
      mayHaveReachedServer: true,
      cause: err,
    });
  }
  const code = lowLevelCode(err);
  const name = err instanceof Error ? err.name : '';
  if (name === 'TimeoutError')
    return new AssetsTransportError('timeout', `${what} timed out`, { mayHaveReachedServer: true, cause: err });
  const detail = code ?? (err instanceof Error ? err.message : 'unknown error');
  return new AssetsTransportError('network', `${what} failed: ${detail}`, {
    mayHaveReachedServer: code === undefined || !NOT_SENT_CODES.has(code),
    ...(code === undefined ? {} : { errorCode: code }),
    cause: err,
  });
}

/** The response as the client reads it: a failure while reading the body is a transport error too. */
function transportResponse(
  res: TransportResponse,
  what: string,
  callerSignal: AbortSignal | undefined,
  timeoutSignal: AbortSignal | undefined,
  timeoutMs: number | undefined,
): TransportResponse {
  const wrap =
    <T>(read: () => Promise<T>) =>
    async (): Promise<T> => {
      try {
        return await read();
      } catch (err) {
        throw toTransportError(err, `${what} (reading the body)`, callerSignal, timeoutSignal, timeoutMs);
      }
    };
  return {
    status: res.status,
    headers: res.headers,
    text: wrap(() => res.text()),
    arrayBuffer: wrap(() => res.arrayBuffer()),
  };
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** Transport over `fetch` with basic (email + API token) or bearer (OAuth 2.0) auth. */
export function createFetchTransport(opts: FetchTransportOptions): AssetsTransport {
  const siteUrl = trimSlash(new URL(opts.siteUrl).href);
  const gateway = trimSlash(new URL(opts.assetsApiBase ?? 'https://api.atlassian.com').href);
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  if (opts.auth.type === 'bearer' && opts.cloudId === undefined) {
    throw new TypeError(
      'bearer (OAuth 2.0) auth needs cloudId: it only works through api.atlassian.com/ex/jira/{cloudId}',
    );
  }
  // computed once and kept in a closure: never attached to anything that could be logged
  const authorization =
    opts.auth.type === 'basic'
      ? `Basic ${Buffer.from(`${opts.auth.email}:${opts.auth.apiToken}`).toString('base64')}`
      : `Bearer ${opts.auth.token}`;
  const cloudScoped = opts.cloudId !== undefined;
  const cloudPrefix = cloudScoped ? `${gateway}/ex/jira/${encodeURIComponent(opts.cloudId ?? '')}` : '';

  function urlFor(req: TransportRequest): string {
    const qs = buildQueryString(req.query);
    if (req.api === 'assets') {
      const base = cloudScoped ? cloudPrefix : gateway;
      return `${base}${assetsPrefix(requireWorkspace(req, opts.workspaceId))}${req.path}${qs}`;
    }
    // OAuth tokens cannot call the site host; basic auth can, and that is what operators configure
    const base = opts.auth.type === 'bearer' ? cloudPrefix : siteUrl;
    return `${base}${req.path}${qs}`;
  }

  return {
    // the whole site URL, not only the origin: several emulated sites can share one host
    siteKey: siteUrl,
    workspaceId: opts.workspaceId,
    async request(req) {
      const what = `${req.method} ${req.path}`;
      const timeoutSignal = AbortSignal.timeout(timeoutMs);
      const signal = req.signal === undefined ? timeoutSignal : AbortSignal.any([req.signal, timeoutSignal]);
      const headers = { ...requestHeaders(req), Authorization: authorization };
      let res: Response;
      try {
        res = await doFetch(urlFor(req), {
          method: req.method,
          headers,
          ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
          signal,
        });
      } catch (err) {
        throw toTransportError(err, what, req.signal, timeoutSignal, timeoutMs);
      }
      return transportResponse(res, what, req.signal, timeoutSignal, timeoutMs);
    },
  };
}

/** What a Forge `requestJira` call gets from us: the app turns `path` into a Route itself. */
export interface RequestJiraInit {
  method: HttpMethod;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface RequestJiraResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface RequestJiraTransportOptions {
  /** pacing key: the site URL or cloud id of the installation */
  siteKey: string;
  workspaceId?: string;
}

/**
 * Transport over a Forge `requestJira`-like function. For api 'assets' the path passed on is
 * `/jsm/assets/workspace/{ws}/v1{path}`, for 'site' the path as is; the query string is appended
 * already encoded. Ids in paths are validated numeric by the client, so building the Route with
 * `assumeTrustedRoute` (or `route` from the parts) is safe.
 */
export function createRequestJiraTransport(
  requestJira: (path: string, init: RequestJiraInit) => Promise<RequestJiraResponse>,
  opts: RequestJiraTransportOptions,
): AssetsTransport {
  return {
    siteKey: opts.siteKey,
    workspaceId: opts.workspaceId,
    async request(req) {
      const what = `${req.method} ${req.path}`;
      const prefix = req.api === 'assets' ? assetsPrefix(requireWorkspace(req, opts.workspaceId)) : '';
      const path = `${prefix}${req.path}${buildQueryString(req.query)}`;
      let res: RequestJiraResponse;
      try {
        res = await requestJira(path, {
          method: req.method,
          headers: requestHeaders(req),
          ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
          ...(req.signal === undefined ? {} : { signal: req.signal }),
        });
      } catch (err) {
        throw toTransportError(err, what, req.signal, undefined, undefined);
      }
      return transportResponse(res, what, req.signal, undefined, undefined);
    },
  };
}
