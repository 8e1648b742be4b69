/**
 * Snapshots the live schema from the vault itself, with the site's stored Assets credentials: the
 * shared backup engine writes its chunks into the backup store, in a backup that stays `uploading`
 * (invisible to browsing and restore) until the caller completes or drops it.
 * Used by the vault-side "Backup now" job (which checkpoints and resumes) and by the diff against the
 * live schema (one go).
 */
import type { AssetsClient } from '@assets-vault/shared/assets-client';
import {
  runBackup,
  type BackupCursor,
  type BackupOptions,
  type BackupProgress,
  type BackupStats,
} from '@assets-vault/shared/backup';
import type { ChunkSink, SnapshotManifest } from '@assets-vault/shared/snapshot';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import type { Config } from '../../config.js';
import type { VaultDeps } from '../../deps.js';
import * as backupStore from '../backup-store/index.js';
import { assetsClientFor, siteAssetsConnection } from '../credentials/assets-connection.js';
import type { Site } from '../sites/repository.js';

export interface SiteAssetsAccess {
  site: Site;
  client: AssetsClient;
  vaultBackupsEnabled: boolean;
}

/**
 * An Assets client for the site with its stored credentials; 409 `no_credentials` when none are
 * stored. Built by the one connection builder (`assetsClientFor`): URLs checked again now, every
 * request through the outbound guard.
 */
export async function assetsAccessForSite(
  deps: Pick<VaultDeps, 'db' | 'outbound'> & { config: Pick<Config, 'encryptionKeys' | 'allowInsecureSiteUrls'> },
  siteId: string,
): Promise<SiteAssetsAccess> {
  const { site, connection, vaultBackupsEnabled } = await siteAssetsConnection(deps, siteId);
  return { site, client: assetsClientFor(deps, connection), vaultBackupsEnabled };
}

/** Stores each chunk the engine writes; a re-written seq must carry the same bytes. */
function backupChunkSink(db: Kysely<DB>, backupId: string): ChunkSink {
  return {
    async putChunk(chunk: { seq: number; sha256: string; bytes: Uint8Array }) {
      await backupStore.putChunk(db, backupId, {
        seq: chunk.seq,
        sha256: chunk.sha256,
        bytes: Buffer.from(chunk.bytes),
      });
    },
  };
}

export async function captureLiveSnapshot(
  deps: Pick<VaultDeps, 'db'>,
  input: {
    access: SiteAssetsAccess;
    schemaId: string;
    kind: backupStore.BackupKind;
    options: BackupOptions;
    /** unique per attempt: what opened the backup (`insertBackup`'s `openedBy`) */
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
    await backupStore.truncateChunks(deps.db, backupId, input.resumeFrom.cursor.writer.chunks.length);
  } else {
    // name and key are set from the manifest once the engine has read the schema
    const backup = await backupStore.insertBackup(deps.db, site.id, {
      schemaId: input.schemaId,
      schemaName: '',
      schemaKey: '',
      kind: input.kind,
      options: input.options,
      startedAt: input.startedAt,
      openedBy: input.openedBy,
    });
    backupId = backup.id;
    await input.onBackupRow?.(backupId);
  }
  const sink = backupChunkSink(deps.db, backupId);
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
      await backupStore.setSchemaNames(deps.db, site.id, backupId, {
        schemaName: result.manifest.schema.name,
        schemaKey: result.manifest.schema.key,
      });
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
