/**
 * Signed calls from the app to the vault (architecture.md "Contract between forge-app and
 * vault-service"): every request is signed with Standard Webhooks over the exact bytes sent, and
 * every retry of one message reuses its webhook-id so the vault applies it once.
 */
import { randomUUID } from 'node:crypto';
import { fetch } from '@forge/api';
import { CHUNK_SHA256_HEADER, chunkWebhookId, forgeApiPaths, type OpenBackupBody } from '@assets-vault/shared/contract';
import { AppError } from '@assets-vault/shared/errors';
import { signWebhook } from '@assets-vault/shared/webhooks';
import type { VaultConfig } from './config';

/** A vault call that failed; `retryable` says whether sending the same message later may succeed. */
export class VaultRequestError extends AppError {
  override name = 'VaultRequestError';
  readonly status?: number;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  /** the vault's own error body, when it answered one (`{error, message}`) */
  readonly answer?: { code: string; message: string };
  constructor(
    message: string,
    options: {
      status?: number;
      retryable: boolean;
      retryAfterMs?: number;
      cause?: unknown;
      answer?: { code: string; message: string };
    },
  ) {
    super('vault_request_failed', message, 502, { expose: true, cause: options.cause });
    this.status = options.status;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.answer = options.answer;
  }
}

/**
 * The vault refused a site API call (4xx): its code (e.g. `no_credentials`, `schema_key_taken`) and message are
 * the admin's answer, shown as they are.
 */
export class VaultRefusedError extends AppError {
  override name = 'VaultRefusedError';
  constructor(code: string, message: string, status: number) {
    super(code, message, status, { expose: true });
  }
}

export interface VaultClientOptions {
  config: VaultConfig;
  /** Per-request timeout; a single outbound request in Forge may take at most 180 s. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export function createVaultClient(options: VaultClientOptions) {
  const { url: baseUrl, secret } = options.config;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  async function send(
    method: 'POST' | 'PUT',
    path: string,
    id: string,
    body: string | Uint8Array,
    extraHeaders: Record<string, string> = {},
  ) {
    const headers: Record<string, string> = {
      ...signWebhook({ secrets: secret, id, body }),
      'content-type': typeof body === 'string' ? 'application/json' : 'application/octet-stream',
      accept: 'application/json',
      ...extraHeaders,
    };
    // Forge's fetch takes string or ArrayBuffer bodies; copy the exact bytes that were signed.
    const payload =
      typeof body === 'string'
        ? body
        : (body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
    let response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: payload,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new VaultRequestError(`Vault unreachable (${describeNetworkError(err)})`, { retryable: true, cause: err });
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    const answer = errorAnswer(text);
    throw new VaultRequestError(`Vault answered ${response.status}${answer ? `: ${answer.message}` : ''}`, {
      status: response.status,
      retryable:
        response.status === 408 || response.status === 425 || response.status === 429 || response.status >= 500,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      ...(answer ? { answer } : {}),
    });
  }

  return {
    /** POST /api/v1/forge/events with the outbox's exact body and id. */
    async sendEvent(event: { id: string; body: string }): Promise<void> {
      await send('POST', forgeApiPaths.events, event.id, event.body);
    },

    /**
     * POST /api/v1/forge/backups → backupId. The vault keys the backup on the webhook-id, so a
     * retry with the same id and body (after a lost answer) gets the same backup, never a second.
     */
    async createBackup(body: OpenBackupBody, webhookId: string): Promise<{ backupId: string }> {
      const response = await send('POST', forgeApiPaths.backups, webhookId, JSON.stringify(body));
      const parsed: unknown = await response.json();
      const backupId = isRecord(parsed) ? parsed.backupId : undefined;
      if (typeof backupId !== 'string' && typeof backupId !== 'number') {
        throw new VaultRequestError('Vault answered without a backupId', { retryable: false });
      }
      return { backupId: String(backupId) };
    },

    /** PUT one gzip NDJSON chunk; the id binds the signature to backup, seq and content. */
    async putChunk(backupId: string, seq: number, bytes: Uint8Array, sha256: string): Promise<void> {
      await send('PUT', forgeApiPaths.chunk(backupId, seq), chunkWebhookId(backupId, seq, sha256), bytes, {
        [CHUNK_SHA256_HEADER]: sha256,
      });
    },

    /** POST the manifest; the vault verifies every chunk and marks the backup completed. */
    async completeBackup(backupId: string, manifest: unknown): Promise<void> {
      await send('POST', forgeApiPaths.complete(backupId), `complete_${backupId}`, JSON.stringify(manifest));
    },

    /**
     * One call of the signed site API (`forgeSiteApiPaths`): a fresh webhook-id, the JSON answer. A refusal is a
     * VaultRefusedError with the vault's code and message; an unreachable or failing vault a VaultRequestError.
     */
    async siteCall<T>(path: string, body: object): Promise<T> {
      let response;
      try {
        response = await send('POST', path, `fsa_${randomUUID()}`, JSON.stringify(body));
      } catch (err) {
        if (err instanceof VaultRequestError && err.answer && err.status !== undefined && err.status < 500)
          throw new VaultRefusedError(err.answer.code, err.answer.message, err.status);
        throw err;
      }
      return (await response.json()) as T;
    },
  };
}

export type VaultClient = ReturnType<typeof createVaultClient>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The vault's error body `{error, message}`, or undefined (not JSON: the status alone is shown). */
function errorAnswer(text: string): { code: string; message: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isRecord(parsed)) return undefined;
    const code = typeof parsed.error === 'string' ? parsed.error.slice(0, 100) : 'vault_request_failed';
    const message =
      typeof parsed.message === 'string' ? parsed.message : typeof parsed.error === 'string' ? parsed.error : '';
    return message ? { code, message: message.slice(0, 300) } : undefined;
  } catch {
    return undefined;
  }
}

function describeNetworkError(err: unknown): string {
  // Duck-typed: fetch errors may come from another realm (undici inside a sandbox), where
  // `instanceof Error` is false.
  if (typeof err !== 'object' || err === null) return 'network error';
  const { name, message, cause } = err as { name?: unknown; message?: unknown; cause?: { code?: unknown } };
  if (name === 'TimeoutError' || name === 'AbortError') return 'timed out';
  if (cause && typeof cause.code === 'string') return cause.code;
  return typeof message === 'string' && message ? message.slice(0, 120) : 'network error';
}

/** Retry-After in seconds or as an HTTP date, in milliseconds. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
