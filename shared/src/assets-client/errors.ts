/**
 * Errors of the Assets client. All extend AppError with statusCode 502: an upstream failure is a bad
 * gateway for whoever called us, and the upstream status lives in `status`. Messages never contain
 * credentials or request bodies (AQL/JQL may hold customer data); they name method, path and status.
 */
import { AppError } from '../errors.js';

export type AssetsErrorKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'not_acceptable'
  | 'conflict'
  | 'rate_limited'
  | 'server_error'
  | 'unexpected_status';

/** The stable `code` of every error this client throws: switch on it and log it, never parse messages. */
export type AssetsErrorCode =
  | `assets_${AssetsErrorKind}`
  | 'assets_response_invalid'
  | 'assets_timeout'
  | 'assets_network_error'
  | 'assets_ambiguous_create'
  | 'assets_no_workspace';

export const ASSETS_ERROR_CODES: readonly AssetsErrorCode[] = [
  'assets_bad_request',
  'assets_unauthorized',
  'assets_forbidden',
  'assets_not_found',
  'assets_not_acceptable',
  'assets_conflict',
  'assets_rate_limited',
  'assets_server_error',
  'assets_unexpected_status',
  'assets_response_invalid',
  'assets_timeout',
  'assets_network_error',
  'assets_ambiguous_create',
  'assets_no_workspace',
];

const kindOf = (status: number): AssetsErrorKind =>
  status === 400
    ? 'bad_request'
    : status === 401
      ? 'unauthorized'
      : status === 403
        ? 'forbidden'
        : status === 404
          ? 'not_found'
          : status === 406
            ? 'not_acceptable'
            : status === 409
              ? 'conflict'
              : status === 429
                ? 'rate_limited'
                : status >= 500
                  ? 'server_error'
                  : 'unexpected_status';

const ATTRIBUTE_KEY = /^rlabs-insight-attribute-(\d+)$/;

/** What an error body said, whatever its shape (Jira envelope, gateway `{code,message}`, text, empty). */
export interface ParsedErrorBody {
  errorMessages: string[];
  /** `rlabs-insight-attribute-<id>` entries, keyed by the object type attribute id */
  attributeErrors: Record<string, string>;
  /** every other `errors` entry (field names) */
  fieldErrors: Record<string, string>;
}

const MAX_TEXT_CHARS = 500;

/** Parses an error body defensively: never throws, never assumes JSON. */
export function parseErrorBody(text: string, contentType: string | null): ParsedErrorBody {
  const out: ParsedErrorBody = { errorMessages: [], attributeErrors: {}, fieldErrors: {} };
  const trimmed = text.trim();
  if (trimmed === '') return out;
  let json: unknown;
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || (contentType ?? '').includes('json')) {
    try {
      json = JSON.parse(trimmed);
    } catch {
      json = undefined;
    }
  }
  if (json === undefined || json === null || typeof json !== 'object' || Array.isArray(json)) {
    // text/plain, HTML error pages from a proxy, truncated JSON: keep a short, single-line excerpt
    out.errorMessages.push(trimmed.replace(/\s+/g, ' ').slice(0, MAX_TEXT_CHARS));
    return out;
  }
  const body = json as Record<string, unknown>;
  if (Array.isArray(body.errorMessages)) {
    for (const m of body.errorMessages) if (typeof m === 'string' && m !== '') out.errorMessages.push(m);
  }
  if (body.errors !== null && typeof body.errors === 'object' && !Array.isArray(body.errors)) {
    for (const [key, value] of Object.entries(body.errors as Record<string, unknown>)) {
      const message = typeof value === 'string' ? value : JSON.stringify(value);
      const match = ATTRIBUTE_KEY.exec(key);
      if (match?.[1] !== undefined) out.attributeErrors[match[1]] = message;
      else out.fieldErrors[key] = message;
    }
  }
  // gateway style {"code":401,"message":"..."} and other single-message shapes
  for (const key of ['message', 'errorMessage', 'error_description', 'error'] as const) {
    const value = body[key];
    if (typeof value === 'string' && value !== '' && !out.errorMessages.includes(value)) out.errorMessages.push(value);
  }
  return out;
}

export interface AssetsApiErrorInit {
  method: string;
  path: string;
  status: number;
  body?: ParsedErrorBody;
  retryAfterMs?: number;
  attempts?: number;
  cause?: unknown;
}

/** A non-2xx answer from Assets or Jira, after retries (if the status was retryable). */
export class AssetsApiError extends AppError {
  override name = 'AssetsApiError';
  declare readonly code: AssetsErrorCode;
  readonly status: number;
  readonly kind: AssetsErrorKind;
  readonly method: string;
  readonly path: string;
  readonly errorMessages: string[];
  readonly attributeErrors: Record<string, string>;
  readonly fieldErrors: Record<string, string>;
  /** the wait the server asked for (Retry-After / X-RateLimit-Reset), when it did */
  readonly retryAfterMs: number | undefined;
  readonly attempts: number;

  constructor(init: AssetsApiErrorInit) {
    const body = init.body ?? { errorMessages: [], attributeErrors: {}, fieldErrors: {} };
    const details = [
      ...body.errorMessages,
      ...Object.entries(body.attributeErrors).map(([id, m]) => `attribute ${id}: ${m}`),
      ...Object.entries(body.fieldErrors).map(([f, m]) => `${f}: ${m}`),
    ];
    const message =
      `Assets API ${init.method} ${init.path} failed with ${init.status}` +
      (details.length > 0 ? `: ${details.join('; ')}` : '');
    super(`assets_${kindOf(init.status)}`, message, 502, { cause: init.cause, expose: true });
    this.status = init.status;
    this.kind = kindOf(init.status);
    this.method = init.method;
    this.path = init.path;
    this.errorMessages = body.errorMessages;
    this.attributeErrors = body.attributeErrors;
    this.fieldErrors = body.fieldErrors;
    this.retryAfterMs = init.retryAfterMs;
    this.attempts = init.attempts ?? 1;
  }
}

/** 404: the entity (or the workspace) does not exist. Deletes treat it as "already gone". */
export class AssetsNotFoundError extends AssetsApiError {
  override name = 'AssetsNotFoundError';
}

/** The response was 2xx but its body does not fit the model, even after lenient coercion. */
export class AssetsResponseError extends AppError {
  override name = 'AssetsResponseError';
  declare readonly code: AssetsErrorCode;
  readonly method: string;
  readonly path: string;
  /** JSON pointers and messages of the first mismatches; never the values (they may be customer data) */
  readonly problems: { path: string; message: string }[];

  constructor(method: string, path: string, problems: { path: string; message: string }[], cause?: unknown) {
    const summary = problems
      .slice(0, 3)
      .map((p) => `${p.path || '/'} ${p.message}`)
      .join('; ');
    super('assets_response_invalid', `Assets API ${method} ${path} returned an unexpected body: ${summary}`, 502, {
      cause,
      details: problems,
      expose: true,
    });
    this.method = method;
    this.path = path;
    this.problems = problems;
  }
}

/** A network failure or timeout (after retries, or not retryable). */
export class AssetsTransportError extends AppError {
  override name = 'AssetsTransportError';
  declare readonly code: AssetsErrorCode;
  readonly reason: 'network' | 'timeout';
  /** false only when the request provably never left (connection refused, DNS failure) */
  readonly mayHaveReachedServer: boolean;
  /** the low-level code (ECONNRESET, UND_ERR_SOCKET, …) when known */
  readonly errorCode: string | undefined;

  constructor(
    reason: 'network' | 'timeout',
    message: string,
    opts: { mayHaveReachedServer: boolean; errorCode?: string; cause?: unknown },
  ) {
    super(reason === 'timeout' ? 'assets_timeout' : 'assets_network_error', message, 502, {
      cause: opts.cause,
      expose: true,
    });
    this.reason = reason;
    this.mayHaveReachedServer = opts.mayHaveReachedServer;
    this.errorCode = opts.errorCode;
  }
}

/**
 * A create may or may not have happened (timeout, reset, 5xx after sending) and the caller gave no
 * `findExisting` hook to find out. Retrying blindly could create a duplicate, so the client stops.
 */
export class AmbiguousCreateError extends AppError {
  override name = 'AmbiguousCreateError';
  declare readonly code: AssetsErrorCode;
  readonly method: string;
  readonly path: string;

  constructor(method: string, path: string, cause: unknown) {
    super(
      'assets_ambiguous_create',
      `Assets API ${method} ${path}: the outcome of the create is unknown (it may have succeeded); look it up before retrying`,
      502,
      { cause, expose: true },
    );
    this.method = method;
    this.path = path;
  }
}

/** The site has no Assets workspace (Assets not enabled, or not on the plan). Not retryable. */
export class NoWorkspaceError extends AppError {
  override name = 'NoWorkspaceError';
  declare readonly code: AssetsErrorCode;
  constructor(
    message = 'This site has no Assets workspace (Assets is not enabled or not included in the plan)',
    options?: { cause?: unknown },
  ) {
    super('assets_no_workspace', message, 502, { cause: options?.cause, expose: true });
  }
}

/** True for a 404 from the API: the entity is gone. */
export const isAssetsNotFound = (err: unknown): err is AssetsNotFoundError => err instanceof AssetsNotFoundError;
