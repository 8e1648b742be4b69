/**
 * Real HTTP servers the Forge tests talk to over sockets:
 * a vault stand-in that verifies every call with the `standardwebhooks` package (not our signing
 * code), checks every request against the wire contract the vault validates with
 * (`@assets-vault/shared/contract`), and implements the contract's idempotency rules, for tests that
 * need no database.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CHUNK_SHA256_HEADER,
  ChunkParams,
  ForgeAssetsSchemasRequest,
  ForgeBackupRequest,
  ForgeBackupsRequest,
  ForgeDeleteBackupRequest,
  ForgeIssueFieldsRequest,
  ForgePreviewRestoreRequest,
  ForgeRestoreRequest,
  ForgeRestoresRequest,
  ForgeSiteRequest,
  ForgeStartRestoreRequest,
  ForgeStoreCredentialsRequest,
  OpenBackupBody,
  chunkWebhookId,
  forgeApiPaths,
  forgeSiteApiPaths,
  parseForgeEvent,
} from '@assets-vault/shared/contract';
import { parseManifest } from '@assets-vault/shared/snapshot';
import { AjvCompiler } from '@fastify/ajv-compiler';
import { Webhook } from 'standardwebhooks';

export interface ReceivedCall {
  method: string;
  path: string;
  webhookId: string;
  /** parsed JSON body (events, create, complete) */
  json?: unknown;
  bytes?: Buffer;
}

export type VaultMode = 'ok' | 'unavailable' | 'refuse';

/**
 * The `standardwebhooks` library signs `payload.toString()`, which is lossy for binary bodies, so
 * chunk uploads are checked here with a direct HMAC over the raw bytes (independent of our signer).
 */
function verifyBinary(secret: string, headers: IncomingMessage['headers'], raw: Buffer): void {
  const id = String(headers['webhook-id'] ?? '');
  const timestamp = String(headers['webhook-timestamp'] ?? '');
  if (!id || !/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300)
    throw new Error('bad headers or timestamp');
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(raw).digest('base64');
  const presented = String(headers['webhook-signature'] ?? '')
    .split(' ')
    .map((part) => part.split(',')[1]);
  if (!presented.includes(expected)) throw new Error('No matching signature found');
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

/**
 * Route schemas compiled as the vault's Fastify compiles them: @fastify/ajv-compiler with the vault's
 * body options (no coercion, unknown fields kept so that `additionalProperties: false` refuses them).
 */
const compileBody = AjvCompiler()(
  {},
  { customOptions: { coerceTypes: false, removeAdditional: false } },
) as unknown as (route: {
  schema: unknown;
}) => ((value: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string }> | null };
const openBackupBody = compileBody({ schema: OpenBackupBody });
const chunkParams = compileBody({ schema: ChunkParams });
/** The signed site API: each path's request body, as the vault's route validates it. */
const siteRequests = new Map(
  (
    [
      [forgeSiteApiPaths.schemas, ForgeSiteRequest],
      [forgeSiteApiPaths.backups, ForgeBackupsRequest],
      [forgeSiteApiPaths.objectTypes, ForgeBackupRequest],
      [forgeSiteApiPaths.deleteBackup, ForgeDeleteBackupRequest],
      [forgeSiteApiPaths.credentialsStatus, ForgeSiteRequest],
      [forgeSiteApiPaths.storeCredentials, ForgeStoreCredentialsRequest],
      [forgeSiteApiPaths.targetInstances, ForgeSiteRequest],
      [forgeSiteApiPaths.assetsSchemas, ForgeAssetsSchemasRequest],
      [forgeSiteApiPaths.restores, ForgeRestoresRequest],
      [forgeSiteApiPaths.restore, ForgeRestoreRequest],
      [forgeSiteApiPaths.startRestore, ForgeStartRestoreRequest],
      [forgeSiteApiPaths.previewRestore, ForgePreviewRestoreRequest],
      [forgeSiteApiPaths.issueFields, ForgeIssueFieldsRequest],
      [forgeSiteApiPaths.restoreLogLink, ForgeRestoreRequest],
    ] as const
  ).map(([path, schema]) => [path as string, compileBody({ schema })]),
);

function check(validate: ReturnType<typeof compileBody>, value: unknown, what: string): void {
  if (validate(value)) return;
  const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim());
  throw new Error(`${what}: ${problems.join('; ')}`);
}

export interface VaultStandIn {
  url: string;
  mode: VaultMode;
  /** requests the vault would refuse (422 here), with the reason: a broken wire contract */
  contractViolations: Array<{ path: string; reason: string }>;
  /** webhook-id of every correctly signed request, whatever the answer */
  attempts: string[];
  /** every accepted (verified) call, duplicates included */
  calls: ReceivedCall[];
  /** calls rejected by signature verification */
  rejected: Array<{ path: string; reason: string }>;
  /** event types applied once per webhook-id */
  events: Array<{ id: string; body: Record<string, unknown> }>;
  /** what the stand-in answers on a site API path (`forgeSiteApiPaths`); unset paths answer 404 */
  siteAnswers: Map<string, { status: number; body: unknown }>;
  /** drop the connection of this many chunk uploads with seq >= cutFromSeq */
  cutChunkPuts: number;
  cutFromSeq: number;
  backups: Map<
    string,
    {
      create: Record<string, unknown>;
      chunks: Map<number, { sha256: string; bytes: Buffer }>;
      manifest?: Record<string, unknown>;
    }
  >;
  close(): Promise<void>;
}

export async function startVaultStandIn(secret: string): Promise<VaultStandIn> {
  const webhook = new Webhook(secret);
  const applied = new Set<string>();
  const openedBy = new Map<string, string>();
  let backupCounter = 0;
  const state: VaultStandIn = {
    url: '',
    mode: 'ok',
    cutChunkPuts: 0,
    cutFromSeq: 0,
    attempts: [],
    contractViolations: [],
    calls: [],
    rejected: [],
    events: [],
    siteAnswers: new Map(),
    backups: new Map(),
    close: async () => close(server),
  };

  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const path = (req.url ?? '').split('?')[0] ?? '';
      try {
        if (req.headers['content-type'] === 'application/octet-stream') verifyBinary(secret, req.headers, raw);
        else webhook.verify(raw.toString('utf8'), req.headers as Record<string, string>);
      } catch (err) {
        state.rejected.push({ path, reason: (err as Error).message });
        return send(res, 401, { error: 'webhook_verification_failed' });
      }
      const webhookId = String(req.headers['webhook-id']);
      state.attempts.push(webhookId);
      if (state.mode === 'unavailable') return send(res, 503, { error: 'unavailable' });
      const isJson = req.headers['content-type'] === 'application/json';
      const json = isJson ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : undefined;
      state.calls.push({ method: req.method ?? '', path, webhookId, ...(json ? { json } : { bytes: raw }) });
      if (state.mode === 'refuse')
        return send(res, 422, { error: 'invalid_event', message: 'refused by the test vault' });
      try {
        checkContract(req.method ?? '', path, webhookId, req.headers, raw, json);
      } catch (err) {
        state.contractViolations.push({ path, reason: (err as Error).message });
        return send(res, 422, { error: 'contract_violation', message: (err as Error).message });
      }

      if (req.method === 'POST' && path === forgeApiPaths.events) {
        if (!applied.has(webhookId)) {
          applied.add(webhookId);
          state.events.push({ id: webhookId, body: json as Record<string, unknown> });
        }
        return send(res, 200, { status: 'processed', webhookId, type: (json as { type: string }).type, result: {} });
      }
      if (req.method === 'POST' && path === forgeApiPaths.backups) {
        // like the vault: the webhook-id is the idempotency key of "open"
        const existing = openedBy.get(webhookId);
        if (existing) return send(res, 200, { backupId: existing });
        const backupId = `bk_${++backupCounter}`;
        openedBy.set(webhookId, backupId);
        state.backups.set(backupId, { create: json as Record<string, unknown>, chunks: new Map() });
        return send(res, 201, { backupId });
      }
      if (req.method === 'POST' && siteRequests.has(path)) {
        const answer = state.siteAnswers.get(path);
        return answer
          ? send(res, answer.status, answer.body)
          : send(res, 404, { error: 'not_found', message: 'Not found' });
      }
      const chunk = /^\/api\/v1\/forge\/backups\/([^/]+)\/chunks\/(\d+)$/.exec(path);
      if (req.method === 'PUT' && chunk && state.cutChunkPuts > 0 && Number(chunk[2]) >= state.cutFromSeq) {
        // A network cut mid-backup: the connection drops without an answer.
        state.cutChunkPuts -= 1;
        req.socket.destroy();
        return;
      }
      if (req.method === 'PUT' && chunk) {
        const backup = state.backups.get(chunk[1] as string);
        if (!backup) return send(res, 404, { error: 'not_found' });
        const seq = Number(chunk[2]);
        const sha256 = createHash('sha256').update(raw).digest('hex');
        if (req.headers[CHUNK_SHA256_HEADER] !== sha256) return send(res, 400, { error: 'hash_mismatch' });
        const existing = backup.chunks.get(seq);
        if (existing && existing.sha256 !== sha256) return send(res, 409, { error: 'chunk_conflict' });
        backup.chunks.set(seq, { sha256, bytes: raw });
        return send(res, existing ? 200 : 201, { seq, sha256 });
      }
      const complete = /^\/api\/v1\/forge\/backups\/([^/]+)\/complete$/.exec(path);
      if (req.method === 'POST' && complete) {
        const backup = state.backups.get(complete[1] as string);
        if (!backup) return send(res, 404, { error: 'not_found' });
        const manifest = json as { chunks: Array<{ seq: number; sha256: string }> };
        const mismatch =
          manifest.chunks.some((c) => backup.chunks.get(c.seq)?.sha256 !== c.sha256) ||
          manifest.chunks.length !== backup.chunks.size;
        if (mismatch) return send(res, 422, { error: 'manifest_mismatch' });
        backup.manifest = json as Record<string, unknown>;
        return send(res, 200, { status: 'completed' });
      }
      return send(res, 404, { error: 'not_found' });
    })().catch((err: unknown) => send(res, 500, { error: String(err) }));
  });
  state.url = await listen(server);
  return state;
}

const CHUNK_PATH = /^\/api\/v1\/forge\/backups\/([^/]+)\/chunks\/([^/]+)$/;
const COMPLETE_PATH = /^\/api\/v1\/forge\/backups\/([^/]+)\/complete$/;

/** What the vault validates before it acts on a request; throws with the reason. */
function checkContract(
  method: string,
  path: string,
  webhookId: string,
  headers: IncomingMessage['headers'],
  raw: Buffer,
  json: unknown,
): void {
  if (method === 'POST' && path === forgeApiPaths.events) {
    parseForgeEvent(json);
    return;
  }
  if (method === 'POST' && path === forgeApiPaths.backups) return check(openBackupBody, json, 'open backup body');
  const chunk = CHUNK_PATH.exec(path);
  if (method === 'PUT' && chunk) {
    const backupId = decodeURIComponent(chunk[1] as string);
    const seq = Number(chunk[2]);
    check(chunkParams, { backupId, seq }, 'chunk path');
    const sha256 = createHash('sha256').update(raw).digest('hex');
    if (webhookId !== chunkWebhookId(backupId, seq, sha256))
      throw new Error('webhook-id does not name this backup, sequence number and hash');
    return;
  }
  if (method === 'POST' && COMPLETE_PATH.test(path)) {
    parseManifest(json);
    return;
  }
  const siteRequest = method === 'POST' ? siteRequests.get(path) : undefined;
  if (siteRequest) return check(siteRequest, json, `${path} body`);
  throw new Error(`${method} ${path} is not part of the contract`);
}
