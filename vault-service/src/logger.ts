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

/** Paths pino replaces with "[Redacted]" wherever they appear. A test logs each one and proves it. */
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
    redact: { paths: [...redactPaths], censor: '[Redacted]' },
    serializers: {
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
      err: pino.stdSerializers.err,
    },
  };
}

/** The app's root logger; tests pass their own destination to capture output. */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(config), destination) : pino(loggerOptions(config));
}
