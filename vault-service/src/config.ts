/**
 * The one place that turns environment variables into a typed, frozen `Config`.
 * `loadConfig(env)` is pure (the caller passes `process.env`), validates every variable against a
 * TypeBox schema, applies defaults and cross-field rules, and throws one `ConfigError` listing every
 * problem so an operator fixes them all in one go. Tests build configs with `loadConfig({...})` too.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { isValidWebhookSecret } from '@assets-vault/shared/webhooks';

export type NodeEnv = 'development' | 'test' | 'production';
export type ApiDocsAccess = 'public' | 'session' | 'off';

export interface OidcProviderConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Microsoft only: tenant ids (`tid`) allowed to log in; empty allows every tenant. */
  readonly allowedTenants?: readonly string[];
}

export interface SessionConfig {
  /** A session without requests for this long ends. */
  readonly idleTimeoutMs: number;
  /** A session ends this long after login whatever the activity. */
  readonly absoluteTimeoutMs: number;
}

export interface EncryptionKey {
  readonly id: string;
  /** 32 bytes for AES-256-GCM. */
  readonly key: Buffer;
}

export interface OutboxConfig {
  readonly pollIntervalMs: number;
  /** First retry delay; doubles per attempt up to `retryMaxMs`. */
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly maxAttempts: number;
  /** How long a claimed e-mail stays locked to one worker; an expired lease means a dead worker. */
  readonly leaseMs: number;
}

export interface RestoreConfig {
  /** how long a running restore stays its runner's without a heartbeat (renewed every third of it) */
  readonly leaseMs: number;
  /**
   * Atlassian's clock runs this many times faster (the emulator's `clockScale`): a restore's pacing and
   * retry waits scale with it. 1 against Atlassian; other values are refused in production.
   */
  readonly clockScale: number;
  /**
   * The plan's object allowance (Premium 50,000; Enterprise and the "Extra objects" add-on more): the public API
   * reports usage but not the allowance, so a restore checks `GET /usage` against this before it starts and
   * again before its first create. Unset: not checked (Atlassian refuses creates past it).
   */
  readonly objectAllowance: number | undefined;
}

export interface Config {
  readonly nodeEnv: NodeEnv;
  readonly isProduction: boolean;
  readonly host: string;
  readonly port: number;
  /**
   * Proxy addresses or CIDRs whose X-Forwarded-For is believed (client address for rate limits and
   * logs); empty = none. Never "any": a client could then choose its own rate-limit key.
   */
  readonly trustProxy: readonly string[];
  /** Origin users open, without a trailing slash (e.g. `https://vault.example.com`). */
  readonly publicUrl: string;
  readonly logLevel: string;
  /** Unset: an embedded PostgreSQL runs in `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly embeddedPgPort: number;
  /** The built web UI (`vault-web/dist`); unset: that folder of this repository. */
  readonly webDistDir: string | undefined;
  /** Run migrations (under an advisory lock) when the app starts. */
  readonly migrateOnStart: boolean;
  /** Every `whsec_` secret accepted on `/api/v1/forge/*` (rotation: old and new at once). */
  readonly forgeWebhookSecrets: readonly string[];
  /** First one encrypts, all decrypt. */
  readonly encryptionKeys: readonly EncryptionKey[];
  readonly sessionSecret: string;
  readonly oidc: { readonly google?: OidcProviderConfig; readonly microsoft?: OidcProviderConfig };
  readonly session: SessionConfig;
  /** Requests per minute and client address on `/auth/login` and `/auth/callback/*` each. */
  readonly loginRateLimitPerMinute: number;
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  /** `http://` site URLs accepted (local emulator); never in production. */
  readonly allowInsecureSiteUrls: boolean;
  /** Host suffixes a site URL may have (`.atlassian.net`); `*` accepts any host name (refused in production). */
  readonly allowedSiteHosts: readonly string[];
  readonly forgeEventsRateLimitPerMinute: number;
  /** Live comparisons (each reads the whole schema from Atlassian) per hour and site, per replica. */
  readonly liveDiffRateLimitPerHour: number;
  /** How long a deleted backup stays in the trash (restorable) before housekeeping purges it. */
  readonly backupTrashDays: number;
  /** An upload that has not completed after this long is deleted (its chunks with it). */
  readonly backupUploadExpiryHours: number;
  /** Background workers (e-mail outbox, later restore/backup jobs) run in this process. */
  readonly workersEnabled: boolean;
  readonly outbox: OutboxConfig;
  readonly restore: RestoreConfig;
  /**
   * Who may read the OpenAPI document and UI at `/docs`: `session` (signed-in users, the default),
   * `public` (anyone; it lists routes and schemas, never data) or `off`.
   */
  readonly apiDocs: ApiDocsAccess;
  /** Non-fatal findings (development defaults in use); server.ts logs them at start. */
  readonly warnings: readonly string[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

const Int = (pattern = '^[0-9]{1,9}$') => Type.String({ pattern });
const Bool = () => Type.Union([Type.Literal('true'), Type.Literal('false'), Type.Literal('1'), Type.Literal('0')]);

/** Every variable the vault reads. Unknown variables are ignored (the environment holds many). */
export const EnvSchema = Type.Object({
  NODE_ENV: Type.Optional(Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')])),
  PORT: Type.Optional(Int('^[0-9]{1,5}$')),
  HOST: Type.Optional(Type.String({ minLength: 1 })),
  TRUST_PROXY: Type.Optional(Type.String({ pattern: '^(true|false|[0-9a-fA-F:./]+(,[0-9a-fA-F:./ ]+)*)$' })),
  VAULT_PUBLIC_URL: Type.Optional(Type.String({ minLength: 1 })),
  LOG_LEVEL: Type.Optional(
    Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
  ),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  VAULT_DATA_DIR: Type.Optional(Type.String({ minLength: 1 })),
  WEB_DIST_DIR: Type.Optional(Type.String({ minLength: 1 })),
  VAULT_EMBEDDED_PG_PORT: Type.Optional(Int('^[0-9]{1,5}$')),
  VAULT_MIGRATE_ON_START: Type.Optional(Bool()),
  FORGE_WEBHOOK_SECRETS: Type.Optional(Type.String()),
  ENCRYPTION_KEYS: Type.Optional(Type.String()),
  SESSION_SECRET: Type.Optional(Type.String()),
  OIDC_GOOGLE_ISSUER: Type.Optional(Type.String({ minLength: 1 })),
  OIDC_GOOGLE_CLIENT_ID: Type.Optional(Type.String()),
  OIDC_GOOGLE_CLIENT_SECRET: Type.Optional(Type.String()),
  OIDC_MICROSOFT_ISSUER: Type.Optional(Type.String({ minLength: 1 })),
  OIDC_MICROSOFT_CLIENT_ID: Type.Optional(Type.String()),
  OIDC_MICROSOFT_CLIENT_SECRET: Type.Optional(Type.String()),
  OIDC_MICROSOFT_ALLOWED_TENANTS: Type.Optional(Type.String()),
  SESSION_IDLE_TIMEOUT_MINUTES: Type.Optional(Int('^[0-9]{1,6}$')),
  SESSION_MAX_AGE_HOURS: Type.Optional(Int('^[0-9]{1,4}$')),
  LOGIN_RATE_LIMIT: Type.Optional(Int()),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  MAIL_FROM: Type.Optional(Type.String({ minLength: 3 })),
  ALLOW_INSECURE_SITE_URLS: Type.Optional(Bool()),
  ALLOWED_SITE_HOSTS: Type.Optional(Type.String({ minLength: 1 })),
  FORGE_EVENTS_RATE_LIMIT: Type.Optional(Int()),
  LIVE_DIFF_RATE_LIMIT: Type.Optional(Int()),
  BACKUP_UPLOAD_EXPIRY_HOURS: Type.Optional(Int('^[0-9]{1,4}$')),
  BACKUP_TRASH_DAYS: Type.Optional(Int('^[0-9]{1,3}$')),
  VAULT_WORKERS: Type.Optional(Bool()),
  OUTBOX_POLL_INTERVAL_MS: Type.Optional(Int()),
  OUTBOX_RETRY_BASE_MS: Type.Optional(Int()),
  OUTBOX_RETRY_MAX_MS: Type.Optional(Int()),
  OUTBOX_MAX_ATTEMPTS: Type.Optional(Int('^[0-9]{1,3}$')),
  RESTORE_LEASE_SECONDS: Type.Optional(Int('^[0-9]{1,5}$')),
  ASSETS_CLOCK_SCALE: Type.Optional(Int('^[0-9]{1,4}$')),
  ASSETS_OBJECT_ALLOWANCE: Type.Optional(Int('^[0-9]{1,9}$')),
  API_DOCS: Type.Optional(Type.Union([Type.Literal('public'), Type.Literal('session'), Type.Literal('off')])),
});
export type Env = Static<typeof EnvSchema>;

const GOOGLE_ISSUER = 'https://accounts.google.com';
const MICROSOFT_ISSUER = 'https://login.microsoftonline.com/common/v2.0';
const SECRET_VARIABLES = new Set([
  'FORGE_WEBHOOK_SECRETS',
  'ENCRYPTION_KEYS',
  'SESSION_SECRET',
  'OIDC_GOOGLE_CLIENT_SECRET',
  'OIDC_MICROSOFT_CLIENT_SECRET',
  'SMTP_URL',
  'DATABASE_URL',
]);

/** Parses and checks the environment once; throws `ConfigError` naming every bad variable. */
export function loadConfig(rawEnv: Readonly<Record<string, string | undefined>>): Config {
  const problems: string[] = [];
  const warnings: string[] = [];

  // Empty strings count as unset: compose files and shells often export `VAR=`.
  const env: Record<string, string> = {};
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = rawEnv[key];
    if (value !== undefined && value.trim() !== '') env[key] = value.trim();
  }
  for (const error of Value.Errors(EnvSchema, env)) {
    const name = error.path.replace(/^\//, '');
    // Never echo a secret's value back into logs or terminals.
    const shown = SECRET_VARIABLES.has(name) ? '' : ` (got ${JSON.stringify(env[name])})`;
    problems.push(`${name}: ${error.message}${shown}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const e = env as Env;

  const nodeEnv: NodeEnv = e.NODE_ENV ?? 'development';
  const isProduction = nodeEnv === 'production';
  const port = e.PORT === undefined ? 8080 : Number(e.PORT);
  if (port > 65535) problems.push('PORT: must be 0..65535');
  const host = e.HOST ?? '127.0.0.1';
  // Behind a load balancer every request comes from its address; name the proxies so rate limits and
  // logs see the real client. Only named proxies: trusting any hop lets every client pick its own address.
  const trustProxy = e.TRUST_PROXY === undefined || e.TRUST_PROXY === 'false' ? [] : splitList(e.TRUST_PROXY);
  if (trustProxy.includes('true')) {
    problems.push(
      'TRUST_PROXY: `true` is no longer accepted (any client could choose its rate-limit address); list the proxy addresses or CIDRs',
    );
  } else {
    for (const entry of trustProxy)
      if (!isAddressOrCidr(entry)) problems.push(`TRUST_PROXY: "${entry}" is not an IP address or CIDR`);
  }
  const bool = (v: string | undefined, fallback: boolean) => (v === undefined ? fallback : v === 'true' || v === '1');

  // Public URL: required https in production; a local default otherwise.
  let publicUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (e.VAULT_PUBLIC_URL === undefined) {
    if (isProduction) problems.push('VAULT_PUBLIC_URL: required in production (the https URL users open)');
    else warnings.push(`VAULT_PUBLIC_URL not set: using ${publicUrl} in e-mails and redirect URIs`);
  } else {
    const parsed = parseUrl(e.VAULT_PUBLIC_URL);
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
      problems.push('VAULT_PUBLIC_URL: must be an absolute http(s) URL');
    } else if (parsed.username || parsed.password || parsed.search || parsed.hash) {
      problems.push('VAULT_PUBLIC_URL: must not contain credentials, a query or a fragment');
    } else {
      if (isProduction && parsed.protocol !== 'https:') problems.push('VAULT_PUBLIC_URL: must use https in production');
      publicUrl = parsed.origin + parsed.pathname.replace(/\/+$/, '');
    }
  }

  const forgeWebhookSecrets = splitList(e.FORGE_WEBHOOK_SECRETS);
  forgeWebhookSecrets.forEach((secret, i) => {
    if (!isValidWebhookSecret(secret))
      problems.push(`FORGE_WEBHOOK_SECRETS: entry ${i + 1} is not a whsec_<base64> secret of at least 16 bytes`);
  });
  if (forgeWebhookSecrets.length === 0) {
    if (isProduction) problems.push('FORGE_WEBHOOK_SECRETS: required in production (comma-separated whsec_ secrets)');
    else warnings.push('FORGE_WEBHOOK_SECRETS not set: every Forge event and upload will be rejected');
  }

  const encryptionKeys: EncryptionKey[] = [];
  const keyIds = new Set<string>();
  splitList(e.ENCRYPTION_KEYS).forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    const encoded = colon > 0 ? entry.slice(colon + 1) : '';
    const key = /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id) || key.length !== 32) {
      problems.push(`ENCRYPTION_KEYS: entry ${i + 1} must be keyId:base64(32 bytes) with keyId of [A-Za-z0-9_-]{1,32}`);
    } else if (keyIds.has(id)) {
      problems.push(`ENCRYPTION_KEYS: key id "${id}" appears twice`);
    } else {
      keyIds.add(id);
      encryptionKeys.push({ id, key });
    }
  });
  if (encryptionKeys.length === 0 && e.ENCRYPTION_KEYS === undefined) {
    if (isProduction) problems.push('ENCRYPTION_KEYS: required in production (keyId:base64 of 32 random bytes)');
    else warnings.push('ENCRYPTION_KEYS not set: stored credentials cannot be saved');
  }

  let sessionSecret = e.SESSION_SECRET ?? '';
  if (sessionSecret === '') {
    if (isProduction) problems.push('SESSION_SECRET: required in production (at least 32 characters)');
    else {
      sessionSecret = randomBytes(32).toString('base64url');
      warnings.push('SESSION_SECRET not set: using a random one, sessions end when the process restarts');
    }
  } else if (sessionSecret.length < 32) {
    problems.push('SESSION_SECRET: must have at least 32 characters');
  }

  const oidc: { google?: OidcProviderConfig; microsoft?: OidcProviderConfig } = {};
  for (const [name, prefix, defaultIssuer] of [
    ['google', 'OIDC_GOOGLE', GOOGLE_ISSUER],
    ['microsoft', 'OIDC_MICROSOFT', MICROSOFT_ISSUER],
  ] as const) {
    const clientId = env[`${prefix}_CLIENT_ID`];
    const clientSecret = env[`${prefix}_CLIENT_SECRET`];
    const issuer = env[`${prefix}_ISSUER`] ?? defaultIssuer;
    if (clientId === undefined) {
      if (clientSecret !== undefined)
        problems.push(`${prefix}_CLIENT_ID: required when ${prefix}_CLIENT_SECRET is set`);
      continue;
    }
    if (clientSecret === undefined) problems.push(`${prefix}_CLIENT_SECRET: required when ${prefix}_CLIENT_ID is set`);
    const issuerUrl = parseUrl(issuer);
    if (!issuerUrl || (issuerUrl.protocol !== 'https:' && issuerUrl.protocol !== 'http:')) {
      problems.push(`${prefix}_ISSUER: must be an absolute URL`);
    } else if (isProduction && issuerUrl.protocol !== 'https:') {
      problems.push(`${prefix}_ISSUER: must use https in production`);
    }
    oidc[name] = { issuer, clientId, clientSecret: clientSecret ?? '' };
  }
  const allowedTenants = splitList(e.OIDC_MICROSOFT_ALLOWED_TENANTS).map((t) => t.toLowerCase());
  if (allowedTenants.some((t) => !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(t))) {
    problems.push('OIDC_MICROSOFT_ALLOWED_TENANTS: must be comma-separated Entra tenant ids (GUIDs)');
  }
  if (oidc.microsoft) oidc.microsoft = { ...oidc.microsoft, allowedTenants };
  if (isProduction && !oidc.google && !oidc.microsoft) {
    problems.push(
      'OIDC_GOOGLE_CLIENT_ID / OIDC_MICROSOFT_CLIENT_ID: at least one login provider is required in production',
    );
  }

  const session: SessionConfig = {
    idleTimeoutMs: Number(e.SESSION_IDLE_TIMEOUT_MINUTES ?? 60) * 60_000,
    absoluteTimeoutMs: Number(e.SESSION_MAX_AGE_HOURS ?? 12) * 3_600_000,
  };
  if (session.idleTimeoutMs < 60_000) problems.push('SESSION_IDLE_TIMEOUT_MINUTES: must be at least 1');
  if (session.absoluteTimeoutMs < 3_600_000) problems.push('SESSION_MAX_AGE_HOURS: must be at least 1');
  if (session.idleTimeoutMs > session.absoluteTimeoutMs) {
    problems.push('SESSION_IDLE_TIMEOUT_MINUTES: must not exceed SESSION_MAX_AGE_HOURS');
  }
  const loginRateLimitPerMinute = Number(e.LOGIN_RATE_LIMIT ?? 30);
  // at least a day: the trash is what lets a site recover from a stolen session or a bad policy
  const backupTrashDays = Number(e.BACKUP_TRASH_DAYS ?? 7);
  if (backupTrashDays < 1) problems.push('BACKUP_TRASH_DAYS: must be at least 1');
  const liveDiffRateLimitPerHour = Number(e.LIVE_DIFF_RATE_LIMIT ?? 12);
  if (liveDiffRateLimitPerHour < 1) problems.push('LIVE_DIFF_RATE_LIMIT: must be at least 1');
  if (loginRateLimitPerMinute < 1) problems.push('LOGIN_RATE_LIMIT: must be at least 1');

  if (e.SMTP_URL === undefined) {
    if (isProduction) problems.push('SMTP_URL: required in production (invitation e-mails)');
    else warnings.push('SMTP_URL not set: invitation e-mails stay queued in the outbox');
  }
  if (e.MAIL_FROM === undefined && isProduction) problems.push('MAIL_FROM: required in production');

  const allowInsecureSiteUrls = bool(e.ALLOW_INSECURE_SITE_URLS, false);
  if (allowInsecureSiteUrls && isProduction) {
    problems.push('ALLOW_INSECURE_SITE_URLS: refused in production (site URLs must be https)');
  }
  const allowedSiteHosts = splitList(e.ALLOWED_SITE_HOSTS ?? '.atlassian.net').map((h) => h.toLowerCase());
  // `*` hands the site's API token to whatever host a signed body names: development only
  if (allowedSiteHosts.includes('*') && isProduction) {
    problems.push('ALLOWED_SITE_HOSTS: `*` is refused in production; list the host suffixes (.atlassian.net)');
  }

  if (e.DATABASE_URL === undefined && isProduction) {
    problems.push('DATABASE_URL: required in production (the embedded PostgreSQL is for local use)');
  }

  const outbox: OutboxConfig = {
    pollIntervalMs: Number(e.OUTBOX_POLL_INTERVAL_MS ?? 1000),
    retryBaseMs: Number(e.OUTBOX_RETRY_BASE_MS ?? 30_000),
    retryMaxMs: Number(e.OUTBOX_RETRY_MAX_MS ?? 3_600_000),
    maxAttempts: Number(e.OUTBOX_MAX_ATTEMPTS ?? 10),
    leaseMs: 120_000,
  };
  if (outbox.pollIntervalMs < 10) problems.push('OUTBOX_POLL_INTERVAL_MS: must be at least 10');
  if (outbox.maxAttempts < 1) problems.push('OUTBOX_MAX_ATTEMPTS: must be at least 1');

  const restore: RestoreConfig = {
    leaseMs: Number(e.RESTORE_LEASE_SECONDS ?? 120) * 1000,
    clockScale: Number(e.ASSETS_CLOCK_SCALE ?? 1),
    objectAllowance: e.ASSETS_OBJECT_ALLOWANCE === undefined ? undefined : Number(e.ASSETS_OBJECT_ALLOWANCE),
  };
  if (restore.leaseMs < 2000) problems.push('RESTORE_LEASE_SECONDS: must be at least 2');
  if (restore.clockScale < 1) problems.push('ASSETS_CLOCK_SCALE: must be at least 1');
  if (restore.clockScale !== 1 && isProduction)
    problems.push('ASSETS_CLOCK_SCALE: refused in production (it paces requests faster than Atlassian allows)');

  if (problems.length > 0) throw new ConfigError(problems);

  return deepFreeze({
    nodeEnv,
    isProduction,
    host,
    port,
    trustProxy,
    publicUrl,
    logLevel: e.LOG_LEVEL ?? (nodeEnv === 'test' ? 'warn' : 'info'),
    databaseUrl: e.DATABASE_URL,
    dataDir: e.VAULT_DATA_DIR ?? './.vault-data',
    webDistDir: e.WEB_DIST_DIR,
    embeddedPgPort: e.VAULT_EMBEDDED_PG_PORT === undefined ? 54329 : Number(e.VAULT_EMBEDDED_PG_PORT),
    migrateOnStart: bool(e.VAULT_MIGRATE_ON_START, true),
    forgeWebhookSecrets,
    encryptionKeys,
    sessionSecret,
    oidc,
    session,
    loginRateLimitPerMinute,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM ?? 'Assets Backup Vault <vault@localhost>',
    allowInsecureSiteUrls,
    allowedSiteHosts,
    forgeEventsRateLimitPerMinute: Number(e.FORGE_EVENTS_RATE_LIMIT ?? 600),
    liveDiffRateLimitPerHour,
    backupUploadExpiryHours: Number(e.BACKUP_UPLOAD_EXPIRY_HOURS ?? 24),
    backupTrashDays,
    workersEnabled: bool(e.VAULT_WORKERS, true),
    outbox,
    restore,
    apiDocs: e.API_DOCS ?? 'session',
    warnings,
  });
}

function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
