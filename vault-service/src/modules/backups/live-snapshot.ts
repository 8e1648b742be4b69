/**
 * Snapshots the live schema from the vault itself, with the site's stored Assets credentials: the
 * shared backup engine writes its chunks straight into `backup_chunk` of a backup row that stays
 * `uploading` (invisible to browsing and restore) until the caller completes or drops it.
 * Used by the vault-side "Backup now" job (which checkpoints and resumes) and by the diff against the
 * live schema (one go).
 */
import { ConflictError, NotFoundError } from '@assets-vault/shared/errors';
import { createAssetsClient, createFetchTransport, type AssetsClient } from '@assets-vault/shared/assets-client';
import {
  runBackup,
  type BackupCursor,
  type BackupOptions,
  type BackupProgress,
  type BackupStats,
} from '@assets-vault/shared/backup';
import type { ChunkSink, SnapshotManifest } from '@assets-vault/shared/snapshot';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { BackupKind } from '../../db/tables/backup.js';
import type { DB } from '../../db/types.js';
import { ASSETS_API_PURPOSE, type SiteAssetsCredentials } from '../credentials/routes.js';
import { loadCredentials } from '../credentials/service.js';
import { findSiteById, type Site } from '../sites/repository.js';
import { deleteChunksFrom, insertBackup, insertChunkIfAbsent } from '../ingest/repository.js';

export interface SiteAssetsAccess {
  site: Site;
  client: AssetsClient;
  vaultBackupsEnabled: boolean;
}

/** An Assets client for the site with its stored credentials; 409 when none are stored. */
export async function assetsAccessForSite(
  db: Kysely<DB>,
  config: Pick<Config, 'encryptionKeys'>,
  siteId: string,
): Promise<SiteAssetsAccess> {
  const site = await findSiteById(db, siteId);
  if (!site) throw new NotFoundError('Site not found');
  const creds = (await loadCredentials(db, config.encryptionKeys, siteId, ASSETS_API_PURPOSE)) as
    SiteAssetsCredentials | undefined;
  if (!creds)
    throw new ConflictError('No Assets API credentials are stored for this site (PUT /api/v1/site-credentials)', {
      code: 'no_credentials',
    });
  const transport = createFetchTransport({
    siteUrl: site.siteUrl,
    ...(creds.assetsApiBaseUrl ? { assetsApiBase: creds.assetsApiBaseUrl } : {}),
    ...(site.workspaceId ? { workspaceId: site.workspaceId } : {}),
    auth: { type: 'basic', email: creds.email, apiToken: creds.apiToken },
  });
  return { site, client: createAssetsClient({ transport }), vaultBackupsEnabled: creds.vaultBackupsEnabled };
}

/** Stores each chunk the engine writes; a re-written seq must carry the same bytes. */
function backupChunkSink(db: Kysely<DB>, backupId: string): ChunkSink & { chunks: number } {
  const sink = {
    chunks: 0,
    async putChunk(chunk: { seq: number; sha256: string; bytes: Uint8Array }) {
      const stored = await insertChunkIfAbsent(db, backupId, {
        seq: chunk.seq,
        sha256: chunk.sha256,
        bytes: Buffer.from(chunk.bytes),
      });
      if (stored.sha256 !== chunk.sha256)
        throw new ConflictError(`Chunk ${chunk.seq} was already stored with different content`);
      sink.chunks++;
    },
  };
  return sink;
}

export async function captureLiveSnapshot(
  db: Kysely<DB>,
  input: {
    access: SiteAssetsAccess;
    schemaId: string;
    kind: BackupKind;
    options: BackupOptions;
    /** unique per attempt: the backup row's `opened_by_webhook_id` */
    openedBy: string;
    startedAt: Date;
    onBackupRow?: (backupId: string) => Promise<void>;
    onProgress?: (progress: BackupProgress) => void;
    signal?: AbortSignal;
    /** continue, in this still `uploading` backup, from a cursor a checkpoint saved (no new row is opened) */
    resumeFrom?: { backupId: string; cursor: BackupCursor };
    /** pause at a page boundary once `intervalMs` has passed, hand the cursor to `save`, and carry on */
    checkpoint?: { intervalMs: number; save: (backupId: string, cursor: BackupCursor) => Promise<void> };
  },
): Promise<{ backupId: string; manifest: SnapshotManifest; stats: BackupStats }> {
  const { site } = input.access;
  let backupId: string;
  let cursor = input.resumeFrom?.cursor;
  if (input.resumeFrom) {
    backupId = input.resumeFrom.backupId;
    // Chunks stored after that checkpoint are not in the cursor: the engine writes their records
    // again, maybe cut at other places, so the same seq could carry other bytes.
    await deleteChunksFrom(db, backupId, input.resumeFrom.cursor.writer.chunks.length);
  } else {
    // name and key are set from the manifest once the engine has read the schema
    const backup = await insertBackup(db, site.id, {
      schemaId: input.schemaId,
      schemaName: '',
      schemaKey: '',
      kind: input.kind,
      options: input.options,
      startedAt: input.startedAt,
      webhookId: input.openedBy,
    });
    backupId = backup.id;
    await input.onBackupRow?.(backupId);
  }
  const sink = backupChunkSink(db, backupId);
  for (;;) {
    const result = await runBackup({
      client: input.access.client,
      schemaId: input.schemaId,
      source: { cloudId: site.cloudId, siteUrl: site.siteUrl },
      options: input.options,
      sink,
      now: () => input.startedAt,
      ...(input.signal ? { signal: input.signal } : {}),
      ...(cursor ? { cursor } : {}),
      ...(input.checkpoint ? { shouldYield: yieldAfter(input.checkpoint.intervalMs) } : {}),
      ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    });
    if (result.done) {
      await db
        .updateTable('backup')
        .set({ schema_name: result.manifest.schema.name, schema_key: result.manifest.schema.key })
        .where('site_id', '=', site.id)
        .where('id', '=', backupId)
        .execute();
      return { backupId, manifest: result.manifest, stats: result.stats };
    }
    if (!input.checkpoint) throw new Error('The backup engine stopped before the end of the schema');
    // The engine has no hook that saves a cursor without stopping: it stops at a page boundary,
    // the cursor is saved, and a new run continues from it with the same client and sink.
    await input.checkpoint.save(backupId, result.cursor);
    cursor = result.cursor;
  }
}

/**
 * `shouldYield` for one engine run: true once `intervalMs` has passed, but never at the run's first
 * check, so every run moves the backup forward even when `intervalMs` is shorter than a step.
 */
function yieldAfter(intervalMs: number): () => boolean {
  const startedMs = performance.now();
  let checks = 0;
  return () => ++checks > 1 && performance.now() - startedMs >= intervalMs;
}
