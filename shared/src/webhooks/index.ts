/**
 * Standard Webhooks (https://www.standardwebhooks.com) signing and verification on node:crypto.
 * Used for the Forge → vault events and snapshot uploads (architecture.md "Signing").
 * The signed content is `<id>.<timestamp>.<raw body>`; verification never parses the body.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError, UnauthorizedError } from '../errors.js';

/** Accepted clock skew either way, as in the Standard Webhooks spec. */
export const WEBHOOK_TOLERANCE_SEC = 5 * 60;

const SECRET_PREFIX = 'whsec_';
const SIGNATURE_VERSION = 'v1';
// A signature header lists one signature per active secret; a handful is plenty during a rotation,
// and capping the list bounds the HMAC-compare work an attacker can cause per request.
const MAX_SIGNATURES_PER_HEADER = 16;
const MAX_ID_LENGTH = 256;
const TIMESTAMP_PATTERN = /^\d{1,12}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;

export type WebhookVerificationReason =
  'missing_headers' | 'bad_timestamp' | 'timestamp_too_old' | 'timestamp_too_new' | 'bad_signature';

/** A request that failed verification; `reason` is a stable code safe to log (never the secret). */
export class WebhookVerificationError extends UnauthorizedError {
  override name = 'WebhookVerificationError';
  readonly reason: WebhookVerificationReason;
  constructor(reason: WebhookVerificationReason, message: string) {
    super(message, { code: 'webhook_verification_failed' });
    this.reason = reason;
  }
}

/** A malformed `whsec_` secret: a configuration mistake, not a client error. */
export class InvalidWebhookSecretError extends AppError {
  override name = 'InvalidWebhookSecretError';
  constructor(message: string) {
    super('invalid_webhook_secret', message, 500);
  }
}

// A type alias (not an interface) so it is assignable to header records such as fetch's HeadersInit.
export type WebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** Node `IncomingHttpHeaders`, a plain record with any header-name case, or a fetch `Headers`. */
export type WebhookHeaderSource = Record<string, string | string[] | undefined> | { get(name: string): string | null };

export interface SignWebhookInput {
  /** One `whsec_` secret or all active ones (rotation): the header then carries one signature each. */
  secrets: string | readonly string[];
  id: string;
  /** Unix seconds; defaults to now. */
  timestampSec?: number;
  /** The exact bytes that will be sent. Strings are signed as UTF-8. */
  body: string | Uint8Array;
}

export interface VerifyWebhookInput {
  /** Every secret currently accepted; a signature by any of them passes. */
  secrets: string | readonly string[];
  headers: WebhookHeaderSource;
  /** The raw request body exactly as received, before any parsing. */
  body: string | Uint8Array;
  /** Unix seconds; defaults to now. */
  nowSec?: number;
  toleranceSec?: number;
}

export interface VerifiedWebhook {
  id: string;
  timestampSec: number;
}

/** Returns a fresh random secret in the `whsec_<base64>` format (32 random bytes). */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** True when `secret` is a usable `whsec_<base64>` secret (for config validation). */
export function isValidWebhookSecret(secret: string): boolean {
  try {
    decodeSecret(secret);
    return true;
  } catch {
    return false;
  }
}

/** Signs `body` with every given secret and returns the three Standard Webhooks headers. */
export function signWebhook(input: SignWebhookInput): WebhookHeaders {
  const keys = decodeSecrets(input.secrets);
  if (input.id.length === 0 || input.id.length > MAX_ID_LENGTH) {
    throw new TypeError(`webhook id must have 1..${MAX_ID_LENGTH} characters`);
  }
  const timestampSec = input.timestampSec ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(timestampSec) || timestampSec < 0) {
    throw new TypeError('timestampSec must be a non-negative integer of unix seconds');
  }
  const timestamp = String(timestampSec);
  const signatures = keys.map((key) => `${SIGNATURE_VERSION},${hmac(key, input.id, timestamp, input.body)}`);
  return {
    'webhook-id': input.id,
    'webhook-timestamp': timestamp,
    'webhook-signature': signatures.join(' '),
  };
}

/**
 * Checks the headers and signature of a received webhook over its raw body.
 * Throws `WebhookVerificationError` (with `reason`) on any failure; parses nothing.
 */
export function verifyWebhook(input: VerifyWebhookInput): VerifiedWebhook {
  const keys = decodeSecrets(input.secrets);
  const id = readHeader(input.headers, 'webhook-id');
  const timestamp = readHeader(input.headers, 'webhook-timestamp');
  const signatureHeader = readHeader(input.headers, 'webhook-signature');
  if (!id || !timestamp || !signatureHeader) {
    throw new WebhookVerificationError(
      'missing_headers',
      'Missing webhook-id, webhook-timestamp or webhook-signature header',
    );
  }
  if (id.length > MAX_ID_LENGTH) {
    throw new WebhookVerificationError('missing_headers', 'webhook-id header is too long');
  }
  if (!TIMESTAMP_PATTERN.test(timestamp)) {
    throw new WebhookVerificationError('bad_timestamp', 'webhook-timestamp is not unix seconds');
  }
  const timestampSec = Number(timestamp);
  const nowSec = input.nowSec ?? Math.floor(Date.now() / 1000);
  const toleranceSec = input.toleranceSec ?? WEBHOOK_TOLERANCE_SEC;
  if (nowSec - timestampSec > toleranceSec) {
    throw new WebhookVerificationError('timestamp_too_old', 'webhook-timestamp is too old');
  }
  if (timestampSec - nowSec > toleranceSec) {
    throw new WebhookVerificationError('timestamp_too_new', 'webhook-timestamp is too far in the future');
  }

  const presented = signatureHeader
    .split(' ')
    .filter((part) => part.length > 0)
    .slice(0, MAX_SIGNATURES_PER_HEADER)
    .flatMap((part) => {
      const comma = part.indexOf(',');
      if (comma < 0 || part.slice(0, comma) !== SIGNATURE_VERSION) return [];
      const signature = part.slice(comma + 1);
      return BASE64_PATTERN.test(signature) ? [Buffer.from(signature, 'utf8')] : [];
    });

  // Compare the canonical base64 text of the expected MAC (as the reference library does), so a
  // truncated or padded variant of a valid signature never matches; every pair is compared in
  // constant time and the loop does not stop early.
  let matched = false;
  for (const key of keys) {
    const expected = Buffer.from(hmac(key, id, timestamp, input.body), 'utf8');
    for (const candidate of presented) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
    }
  }
  if (!matched) {
    throw new WebhookVerificationError('bad_signature', 'No matching webhook signature');
  }
  return { id, timestampSec };
}

function hmac(key: Buffer, id: string, timestamp: string, body: string | Uint8Array): string {
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.`, 'utf8');
  if (typeof body === 'string') mac.update(body, 'utf8');
  else mac.update(body);
  return mac.digest('base64');
}

function decodeSecrets(secrets: string | readonly string[]): Buffer[] {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  if (list.length === 0) throw new InvalidWebhookSecretError('At least one webhook secret is required');
  return list.map(decodeSecret);
}

function decodeSecret(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) {
    throw new InvalidWebhookSecretError('Webhook secret must start with whsec_');
  }
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!BASE64_PATTERN.test(encoded) || encoded.length % 4 !== 0) {
    throw new InvalidWebhookSecretError('Webhook secret must be whsec_ followed by base64');
  }
  const key = Buffer.from(encoded, 'base64');
  // 128 bits is the smallest key the spec considers safe (it recommends 24..64 bytes).
  if (key.length < 16) throw new InvalidWebhookSecretError('Webhook secret must hold at least 16 bytes');
  return key;
}

function readHeader(headers: WebhookHeaderSource, name: string): string | undefined {
  if (isFetchHeaders(headers)) return headers.get(name) ?? undefined;
  const record = headers;
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() !== name) continue;
    const value = record[key];
    // Several values for one of these headers is ambiguous: treat it as missing rather than guess.
    if (typeof value === 'string') return value;
    return undefined;
  }
  return undefined;
}

function isFetchHeaders(headers: WebhookHeaderSource): headers is { get(name: string): string | null } {
  return typeof (headers as { get?: unknown }).get === 'function';
}
