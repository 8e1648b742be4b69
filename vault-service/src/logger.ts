/**
 * Logging: the pino options and the ONE redact list. Everything that logs gets either
 * `request.log` (carries the request id) or a child of the app logger: `log.child({ module: 'outbox' })`.
 * Messages are fixed strings and data goes in fields; bodies, headers and Assets content are never logged.
 */
import type { FastifyBaseLogger } from 'fastify';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { Config } from './config.js';

/** The logger type services, jobs and repositories-adjacent code accept (pino or request.log). */
export type Log = FastifyBaseLogger;

/**
 * Paths pino replaces with "[Redacted]" (fast, but one level of wildcard only). Behind them,
 * `redactSecrets` censors any key named in `SECRET_KEY_NAMES` at any depth, in bindings and in errors.
 * A test logs each one and proves it.
 */
export const redactPaths: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["webhook-signature"]',
  'req.headers["x-vault-csrf"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["webhook-signature"]',
  '*.apiToken',
  '*.password',
  '*.secret',
  '*.secrets',
  '*.clientSecret',
  '*.sessionSecret',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.idToken',
  '*.codeVerifier',
  '*.cookie',
  '*.smtpUrl',
  '*.databaseUrl',
  '*.forgeWebhookSecrets',
  '*.encryptionKeys',
];

/**
 * Key names (compared lower-case, without `-` and `_`) whose values are credentials wherever they
 * appear: `apiToken`, `api_token`, `API-TOKEN` and `apitoken` are one name.
 */
const SECRET_KEYS = [
  'apiToken',
  'authorization',
  'password',
  'passphrase',
  'secret',
  'secrets',
  'clientSecret',
  'sessionSecret',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'codeVerifier',
  'cookie',
  'setCookie',
  'webhookSignature',
  'xVaultCsrf',
  'privateKey',
  'smtpUrl',
  'databaseUrl',
  'forgeWebhookSecrets',
  'encryptionKeys',
] as const;
const SECRET_KEY_NAMES = new Set<string>(SECRET_KEYS.map(normaliseKey));
const CENSOR = '[Redacted]';
/** Deeper than any object we log on purpose; past it the value is dropped rather than walked. */
const MAX_REDACT_DEPTH = 12;

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY_NAMES.has(normaliseKey(key));
}

/**
 * A copy of `value` with every secret-named key censored, at any depth. Plain objects and arrays are
 * walked; an Error becomes pino's serialized form first (message, stack, own fields, `cause` chain), so
 * a token on an error or its cause is censored too. Other class instances (a Fastify request under
 * `req`) are left to their serializers, which never emit headers or bodies.
 */
export function redactSecrets(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_REDACT_DEPTH) return '[Too deep]';
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v: unknown) => redactSecrets(v, depth + 1, seen));
  // pino's serialized error has a prototype of its own: walk it like a plain object
  const fields = value instanceof Error ? pino.stdSerializers.err(value) : value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (!(value instanceof Error) && proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(fields))
    out[key] = isSecretKey(key) ? CENSOR : redactSecrets(v, depth + 1, seen);
  return out;
}

/**
 * pino formats a child logger's bindings once, without `formatters.log`; these serializers censor
 * the secret names when they are bound at the top level (`log.child({ apiToken })`).
 */
const censorSecretBindings = Object.fromEntries(SECRET_KEYS.map((key) => [key, () => CENSOR]));

/** `redactSecrets` for a log line's fields; `err` stays an Error so pino's serializer sees it. */
function redactLogObject(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (isSecretKey(key)) out[key] = CENSOR;
    else out[key] = key === 'err' && value instanceof Error ? value : redactSecrets(value);
  }
  return out;
}

// Query parameters whose values are credentials (OIDC callback `code`, `state`, tokens).
const SENSITIVE_QUERY_KEYS = new Set([
  'code',
  'state',
  'token',
  'id_token',
  'access_token',
  'session_state',
  'client_secret',
]);

/** Strips credential values from a logged URL; keeps the path and the other parameters. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const key of [...params.keys()]) {
    if (SENSITIVE_QUERY_KEYS.has(key.toLowerCase())) params.set(key, '[Redacted]');
  }
  return `${url.slice(0, q)}?${params.toString()}`;
}

interface SerializableRequest {
  id?: unknown;
  method?: string;
  url?: string;
  ip?: string;
  headers?: Record<string, unknown>;
}

export function loggerOptions(config: Pick<Config, 'logLevel'>): LoggerOptions {
  return {
    level: config.logLevel,
    redact: { paths: [...redactPaths], censor: CENSOR },
    // by key name at any depth in every line's fields (and in errors, through the err serializer)
    formatters: { log: redactLogObject },
    serializers: {
      ...censorSecretBindings,
      // Only what an operator needs to follow a request; never headers or bodies.
      req(req: SerializableRequest) {
        return {
          id: req.id,
          method: req.method,
          url: typeof req.url === 'string' ? redactUrl(req.url) : req.url,
          remoteAddress: req.ip,
          userAgent: req.headers?.['user-agent'],
        };
      },
      err: (err: unknown) => redactSecrets(err),
    },
  };
}

/** The app's root logger; tests pass their own destination to capture output. */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(config), destination) : pino(loggerOptions(config));
}
