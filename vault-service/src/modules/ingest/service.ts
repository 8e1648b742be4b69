/**
 * Snapshot upload from the Forge app (architecture.md "Snapshot upload"): open a backup, store its
 * chunks (hash and signed id checked on arrival, idempotent per seq), then complete it: the backup store
 * re-reads every stored chunk against the manifest. Only a completed backup is ever restored or browsed,
 * and it never changes afterwards.
 */
import { createHash } from 'node:crypto';
import { chunkWebhookId, type CompleteResponse, type OpenBackupBody } from '@assets-vault/shared/contract';
import { ConflictError, NotFoundError, UnauthorizedError, ValidationError } from '@assets-vault/shared/errors';
import { parseManifest, SnapshotIntegrityError } from '@assets-vault/shared/snapshot';
import type { Config } from '../../config.js';
import type { VaultDeps } from '../../deps.js';
import * as backupStore from '../backup-store/index.js';
import { findSiteById } from '../sites/repository.js';
import { resolveForgeSite } from '../sites/service.js';

export type IngestDeps = Pick<VaultDeps, 'db' | 'log' | 'clock' | 'materialise'> & {
  config: Pick<Config, 'allowInsecureSiteUrls' | 'allowedSiteHosts'>;
};

export async function openBackup(
  deps: IngestDeps,
  input: { webhookId: string; bodySha256: Buffer; body: OpenBackupBody },
): Promise<{ backupId: string; created: boolean }> {
  const { body } = input;
  const startedAt = new Date(body.startedAt);
  return deps.db.transaction().execute(async (trx) => {
    const { site } = await resolveForgeSite(
      { ...deps, db: trx },
      { cloudId: body.cloudId, siteUrl: body.siteUrl },
      deps.clock.now(),
    );
    const backup = await backupStore.insertBackup(trx, site.id, {
      schemaId: body.schema.id,
      schemaName: body.schema.name,
      schemaKey: body.schema.key,
      kind: body.kind,
      options: body.options,
      startedAt,
      openedBy: input.webhookId,
      openedBodySha256: input.bodySha256,
    });
    // a retry carries the same bytes; the same id with another body (or from another site) is not one
    const sameBody = backup.openedBodySha256 === null || backup.openedBodySha256.equals(input.bodySha256);
    if (!backup.created && (backup.siteId !== site.id || !sameBody)) {
      throw new ConflictError('This webhook-id was already used for another request', { code: 'webhook_id_reused' });
    }
    if (backup.created)
      deps.log.info({ siteId: site.id, backupId: backup.id, kind: body.kind }, 'backup upload opened');
    return { backupId: backup.id, created: backup.created };
  });
}

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export async function storeChunk(
  deps: Pick<IngestDeps, 'db'>,
  input: {
    backupId: string;
    seq: number;
    webhookId: string;
    declaredSha256: string | undefined;
    bytes: Buffer;
  },
): Promise<{ sha256: string; stored: boolean }> {
  const actual = sha256Hex(input.bytes);
  if (input.declaredSha256?.toLowerCase() !== actual) {
    throw new ValidationError('x-content-sha256 does not match the SHA-256 of the body', {
      code: 'chunk_hash_mismatch',
    });
  }
  // The signature covers the body only; the id binds it to this backup, sequence number and hash.
  if (input.webhookId !== chunkWebhookId(input.backupId, input.seq, actual)) {
    throw new UnauthorizedError('webhook-id does not name this backup, sequence number and hash', {
      code: 'webhook_id_mismatch',
    });
  }
  const { stored } = await backupStore.putChunk(deps.db, input.backupId, {
    seq: input.seq,
    sha256: actual,
    bytes: input.bytes,
  });
  return { sha256: actual, stored };
}

/**
 * Completes an upload: the manifest must describe the backup's site and schema (both fixed when it was
 * opened, so they are read without a lock), then the store verifies and loads it in one transaction.
 */
export async function completeBackup(
  deps: IngestDeps,
  input: { backupId: string; manifest: unknown; actor?: string },
): Promise<CompleteResponse> {
  const manifest = parseManifest(input.manifest);
  const backup = await backupStore.findBackupForUpload(deps.db, input.backupId, { lock: false });
  if (!backup) throw new NotFoundError('Backup not found');
  const site = await findSiteById(deps.db, backup.siteId);
  if (!site || site.cloudId !== manifest.source.cloudId || backup.schemaId !== manifest.schema.id) {
    throw new ValidationError('The manifest describes another site or schema than this backup', {
      statusCode: 422,
      code: 'manifest_mismatch',
    });
  }
  const objectCount = manifest.counts.byKind.object ?? 0;
  const records = manifest.counts.records;
  const response: CompleteResponse = {
    status: 'completed',
    backupId: backup.id,
    objectCount,
    records,
    chunks: manifest.chunks.length,
    contentSha256: manifest.contentSha256,
  };
  if (backup.status === 'completed') {
    if (backup.contentSha256 === manifest.contentSha256) return response;
    throw new ConflictError('The backup is already completed with another manifest', { code: 'backup_completed' });
  }
  let completedNow: boolean;
  try {
    ({ completedNow } = await backupStore.completeBackup(
      deps.db,
      { backupId: backup.id, manifest, actor: input.actor ?? 'forge', now: () => deps.clock.now() },
      deps.materialise,
    ));
  } catch (err) {
    if (err instanceof SnapshotIntegrityError)
      deps.log.warn({ backupId: backup.id, code: err.code, seq: err.seq }, 'backup completion refused');
    throw err;
  }
  if (completedNow)
    deps.log.info({ siteId: backup.siteId, backupId: backup.id, objects: objectCount, records }, 'backup completed');
  return response;
}
