/**
 * The only code that talks to the vault (style.md item 18). Requests are typed from the vault's OpenAPI
 * document (schema.gen.ts): a path, parameter, body or answer that the vault does not have is a compile error.
 *
 * - Same-origin requests with the session cookie; no token is ever stored by the page.
 * - Writes send `x-vault-csrf: 1` (the browser adds `Origin`), as the vault's CSRF check requires.
 * - Every request has a deadline: a vault that does not answer becomes an `ApiError` with code `timeout`,
 *   never an endless spinner. Errors carry the vault's own `message`.
 */
import { OPERATIONS, type OperationName } from './operations.js';
import type { paths } from './schema.gen.js';

type Operations = typeof OPERATIONS;
type OperationOf<N extends OperationName> = paths[Operations[N]['path']][Operations[N]['method']];

type JsonContent<R> = R extends { content: { 'application/json': infer T } } ? T : undefined;
type SuccessStatus = 200 | 201 | 202 | 204;
/** The JSON body of the operation's success answer (`undefined` for 204). */
export type ResponseOf<N extends OperationName> =
  OperationOf<N> extends { responses: infer R } ? JsonContent<R[Extract<keyof R, SuccessStatus>]> : never;

type PathParams<O> = O extends { parameters: { path: infer P } }
  ? [P] extends [never | undefined]
    ? never
    : P
  : never;
type QueryParams<O> = O extends { parameters: { query?: infer Q } }
  ? [Q] extends [never | undefined]
    ? never
    : Q
  : never;
type JsonBody<O> = O extends { requestBody: { content: { 'application/json': infer B } } } ? B : never;

type Field<K extends string, T> = [T] extends [never] ? { [P in K]?: never } : { [P in K]: T };
/** What a call takes: path parameters, query and JSON body as the vault declares them, plus a signal and a deadline. */
export type RequestOf<N extends OperationName> = Field<'params', PathParams<OperationOf<N>>> &
  Partial<Field<'query', QueryParams<OperationOf<N>>>> &
  Field<'body', JsonBody<OperationOf<N>>> & { signal?: AbortSignal; timeoutMs?: number };

/** Default deadline of a request; slow operations (a live comparison) pass their own. */
export const DEFAULT_TIMEOUT_MS = 20_000;

/** A failed call: the vault's error code and message, or `timeout` / `network` when it did not answer. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let onUnauthorized: (() => void) | undefined;
/** Called when the vault answers 401 (the session ended): the app shows the sign-in page. */
export function setUnauthorizedHandler(handler: (() => void) | undefined): void {
  onUnauthorized = handler;
}

/** The URL of an operation: path parameters filled in, query parameters appended (undefined ones left out). */
export function operationUrl(
  name: OperationName,
  params: Record<string, string> = {},
  query: Record<string, string | number | boolean | undefined> = {},
): string {
  const filled = OPERATIONS[name].path.replace(/\{(\w+)\}/g, (_m, key: string) => {
    const value = params[key];
    if (value === undefined) throw new Error(`missing path parameter ${key} of ${name}`);
    return encodeURIComponent(value);
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
  const qs = search.toString();
  return qs ? `${filled}?${qs}` : filled;
}

interface ErrorBody {
  error?: unknown;
  message?: unknown;
}

async function errorFrom(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => ({}))) as ErrorBody;
  const code = typeof body.error === 'string' ? body.error : `http_${res.status}`;
  const message =
    typeof body.message === 'string' && body.message !== ''
      ? body.message
      : `The vault answered ${res.status} ${res.statusText}`.trim();
  return new ApiError(res.status, code, message);
}

/** Calls one vault operation and returns its typed answer, or throws an `ApiError`. */
export async function call<N extends OperationName>(name: N, request: RequestOf<N>): Promise<ResponseOf<N>> {
  const { method } = OPERATIONS[name];
  const {
    params,
    query,
    body,
    signal,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  } = request as {
    params?: Record<string, string>;
    query?: Record<string, string | number | boolean | undefined>;
    body?: unknown;
    signal?: AbortSignal;
    timeoutMs?: number;
  };
  // one controller for both reasons to stop: the caller's signal and the deadline
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onCallerAbort = () => controller.abort();
  signal?.addEventListener('abort', onCallerAbort, { once: true });
  if (signal?.aborted) controller.abort();
  const write = method !== 'get';
  let res: Response;
  try {
    res = await fetch(operationUrl(name, params, query), {
      method: method.toUpperCase(),
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        ...(write ? { 'x-vault-csrf': '1' } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: controller.signal,
    });
  } catch (err) {
    if (timedOut)
      throw new ApiError(0, 'timeout', `The vault did not answer within ${Math.round(timeoutMs / 1000)} seconds.`);
    if (signal?.aborted) throw err;
    throw new ApiError(0, 'network', 'The vault could not be reached. Check your connection and try again.');
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onCallerAbort);
  }
  if (res.status === 401) {
    onUnauthorized?.();
    throw await errorFrom(res);
  }
  if (!res.ok) throw await errorFrom(res);
  if (res.status === 204) return undefined as ResponseOf<N>;
  return (await res.json()) as ResponseOf<N>;
}
