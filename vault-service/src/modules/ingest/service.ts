/**
 * Snapshot upload from the Forge app (architecture.md "Snapshot upload"): open a backup, store its
 * chunks (hash checked on arrival, idempotent per seq), then complete it by re-reading every stored
 * chunk against the manifest. Only a completed backup is ever restored or browsed, and it never
 * changes afterwards.
 */
import { createHash } from 'node:crypto';
import { chunkWebhookId, type CompleteResponse, type OpenBackupBody } from '@assets-vault/shared/contract';
import { ConflictError, NotFoundError, UnauthorizedError, ValidationError } from '@assets-vault/shared/errors';
import { parseManifest, SnapshotIntegrityError, verifyChunk } from '@assets-vault/shared/snapshot';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import { withClientTransaction } from '../../db/client-transaction.js';
import type { DB } from '../../db/types.js';
import type { Log } from '../../logger.js';
import { insertAuditEvent } from '../audit/repository.js';
import { materialiseSnapshot, type MaterialiseOptions } from '../browse/materialise.js';
import { findSiteById } from '../sites/repository.js';
import { resolveForgeSite } from '../sites/service.js';
import {
  deleteChunksFrom,
  findBackupForUpload,
  insertBackup,
  insertChunkIfAbsent,
  markBackupCompleted,
} from './repository.js';

export interface IngestDeps {
  db: Kysely<DB>;
  log: Log;
  clock: Clock;
  config: Pick<Config, 'allowInsecureSiteUrls' | 'allowedSiteHosts'>;
  materialise?: MaterialiseOptions;
  /** called once a backup's browse tables are committed (wakes the search indexer) */
  onBrowseBuilt?: (backupId: string) => void;
}

export async function openBackup(
  deps: IngestDeps,
  input: { webhookId: string; body: OpenBackupBody },
): Promise<{ backupId: string; created: boolean }> {
  const { body } = input;
  const startedAt = new Date(body.startedAt);
  return deps.db.transaction().execute(async (trx) => {
    const { site } = await resolveForgeSite(
      trx,
      { cloudId: body.cloudId, siteUrl: body.siteUrl },
      deps.config,
      deps.clock.now(),
    );
    const backup = await insertBackup(trx, site.id, {
      schemaId: body.schema.id,
      schemaName: body.schema.name,
      schemaKey: body.schema.key,
      kind: body.kind,
      options: body.options,
      startedAt,
      webhookId: input.webhookId,
    });
    if (backup.created)
      deps.log.info({ siteId: site.id, backupId: backup.id, kind: body.kind }, 'backup upload opened');
    return { backupId: backup.id, created: backup.created };
  });
}

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export async function storeChunk(
  deps: IngestDeps,
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
  await verifyChunk(input.bytes, { sha256: actual, bytes: input.bytes.length, seq: input.seq });
  return deps.db.transaction().execute(async (trx) => {
    const backup = await findBackupForUpload(trx, input.backupId);
    if (!backup) throw new NotFoundError('Backup not found');
    const stored = await insertChunkIfAbsent(trx, backup.id, { seq: input.seq, sha256: actual, bytes: input.bytes });
    if (stored.sha256 !== actual) {
      throw new ConflictError(`Chunk ${input.seq} was already uploaded with different content`, {
        code: 'chunk_conflict',
      });
    }
    if (stored.created && backup.status === 'completed') {
      throw new ConflictError('The backup is completed and cannot change', { code: 'backup_completed' });
    }
    return { sha256: actual, stored: stored.created };
  });
}

export async function completeBackup(
  deps: IngestDeps,
  input: { backupId: string; manifest: unknown; actor?: string },
): Promise<CompleteResponse> {
  const manifest = parseManifest(input.manifest);
  const backup = await deps.db.transaction().execute((trx) => findBackupForUpload(trx, input.backupId));
  if (!backup) throw new NotFoundError('Backup not found');
  const site = await findSiteById(deps.db, backup.siteId);
  if (!site || site.cloudId !== manifest.source.cloudId || backup.schemaId !== manifest.schema.id) {
    throw new ValidationError('The manifest describes another site or schema than this backup', {
      statusCode: 422,
      code: 'manifest_mismatch',
    });
  }
  const objectCount = manifest.counts.byKind.object ?? 0;
  const response: CompleteResponse = {
    status: 'completed',
    backupId: backup.id,
    objectCount,
    records: manifest.counts.records,
    chunks: manifest.chunks.length,
    contentSha256: manifest.contentSha256,
  };
  if (backup.status === 'completed') {
    if (backup.contentSha256 === manifest.contentSha256) return response;
    throw new ConflictError('The backup is already completed with another manifest', { code: 'backup_completed' });
  }

  // One transaction re-reads every stored chunk against the manifest (hashes, sizes, record counts,
  // the content hash over all records), loads the browse tables and marks the backup completed: a
  // failed check leaves nothing behind, and a concurrent completion waits on the row lock.
  const records = manifest.counts.records;
  const completedNow = await withClientTransaction(deps.db, async (tx) => {
    const current = await findBackupForUpload(tx.db, backup.id);
    if (!current) throw new NotFoundError('Backup not found');
    if (current.status === 'completed') {
      if (current.contentSha256 !== manifest.contentSha256)
        throw new ConflictError('The backup is already completed with another manifest', { code: 'backup_completed' });
      return false;
    }
    const now = deps.clock.now();
    try {
      await materialiseSnapshot(tx, backup.id, { manifest, builtAt: now }, deps.materialise);
    } catch (err) {
      if (err instanceof SnapshotIntegrityError)
        deps.log.warn({ backupId: backup.id, code: err.code, seq: err.seq }, 'backup completion refused');
      throw err;
    }
    // Chunks past the manifest's end (an attempt that was cut and resumed with other boundaries) are not part of it.
    await deleteChunksFrom(tx.db, backup.id, manifest.chunks.length);
    await markBackupCompleted(tx.db, backup.siteId, backup.id, {
      manifest,
      objectCount,
      contentSha256: manifest.contentSha256,
      completedAt: now,
    });
    await insertAuditEvent(tx.db, backup.siteId, {
      actor: input.actor ?? 'forge',
      action: 'backup.completed',
      target: backup.id,
      details: { schemaId: backup.schemaId, kind: backup.kind, objects: objectCount, records },
    });
    return true;
  });
  if (!completedNow) return response;
  deps.onBrowseBuilt?.(backup.id);
  deps.log.info({ siteId: backup.siteId, backupId: backup.id, objects: objectCount, records }, 'backup completed');
  return response;
}
