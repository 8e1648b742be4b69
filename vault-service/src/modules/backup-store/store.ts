/**
 * The rules of the backup store: what a chunk, a completion, a deletion, a browse or a restore may do to
 * a backup. Transactions that other modules must join (an audit entry, a job's state, a Forge event)
 * take the caller's executor; the ones the store alone decides (a chunk, a completion, an index build)
 * open their own.
 */
import { ConflictError, NotFoundError } from '@assets-vault/shared/errors';
import {
  parseManifest,
  readSnapshot,
  verifyChunk,
  type ChunkSource,
  type SnapshotManifest,
} from '@assets-vault/shared/snapshot';
import type { Kysely } from 'kysely';
import { withClientTransaction } from '../../db/client-transaction.js';
import type { DB, Executor } from '../../db/types.js';
import { insertAuditEvent } from '../audit/repository.js';
import { isBackupId } from './backup-id.js';
import { browseTablesIntact, createSearchIndex, dropBrowseTables } from './browse-tables.js';
import {
  forEachObjectDifference,
  listAttributes,
  type BrowseAttribute,
  type ObjectDifference,
} from './browse-repository.js';
import { materialiseSnapshot, type MaterialiseOptions } from './materialise.js';
import {
  claimBackupToIndex,
  deleteBackupRow,
  deleteChunksFrom,
  findBackup,
  findBackupById,
  findManifest,
  insertChunkIfAbsent,
  listDueForPurge,
  markBackupCompleted,
  markBackupTrashed,
  markBrowseTablesLost,
  readChunk,
  setBrowseBuiltAt,
  setSearchIndexedAt,
  unmarkBackupTrashed,
  type BackupSummary,
} from './repository.js';

/**
 * The backup a signed upload call names (the call carries no tenant, the row does), locked `for update`
 * until the transaction ends unless `lock` is false: a chunk and a completion of one backup wait on it.
 */
export function findBackupForUpload(
  db: Executor,
  backupId: string,
  opts: { lock?: boolean } = {},
): Promise<BackupSummary | undefined> {
  return findBackupById(db, backupId, opts.lock === false ? undefined : 'update');
}

/**
 * Stores one chunk of an uploading backup (its hash already checked by the caller). Idempotent per
 * seq: the same bytes again are a no-op (`stored: false`), other bytes a 409, and a completed backup
 * takes no new chunk.
 */
export async function putChunk(
  db: Kysely<DB>,
  backupId: string,
  chunk: { seq: number; sha256: string; bytes: Buffer },
): Promise<{ stored: boolean }> {
  return db.transaction().execute(async (trx) => {
    const backup = await findBackupById(trx, backupId, 'update');
    if (!backup) throw new NotFoundError('Backup not found');
    const stored = await insertChunkIfAbsent(trx, backup.id, chunk);
    if (stored.sha256 !== chunk.sha256) {
      throw new ConflictError(`Chunk ${chunk.seq} was already uploaded with different content`, {
        code: 'chunk_conflict',
      });
    }
    if (stored.created && backup.status === 'completed') {
      throw new ConflictError('The backup is completed and cannot change', { code: 'backup_completed' });
    }
    return { stored: stored.created };
  });
}

/** Drops the chunks numbered `fromSeq` and up of an uploading backup (a resumed snapshot writes them again). */
export async function truncateChunks(db: Executor, backupId: string, fromSeq: number): Promise<void> {
  await deleteChunksFrom(db, backupId, fromSeq);
}

export interface CompletionInput {
  backupId: string;
  manifest: SnapshotManifest;
  /** who completes it, for the audit entry (`forge`, or the user who asked for a vault backup) */
  actor: string;
  now: () => Date;
}

/**
 * Completes an uploading backup in one transaction that takes the backup's row lock first: re-reads
 * every stored chunk against the manifest (hashes, sizes, record counts, the content hash over every
 * record), loads the browse tables (binary COPY, decoded in worker threads for large snapshots), builds
 * their indexes, drops chunks past the manifest's end, marks the backup completed and audits it. A
 * failed check leaves nothing behind; a concurrent completion waits on the lock and then finds it done.
 * `completedNow` is false when it already was completed with this manifest; another manifest is a 409.
 */
export async function completeBackup(
  db: Kysely<DB>,
  input: CompletionInput,
  opts: MaterialiseOptions = {},
): Promise<{ completedNow: boolean }> {
  const { manifest } = input;
  return withClientTransaction(db, async (tx) => {
    const backup = await findBackupById(tx.db, input.backupId, 'update');
    if (!backup) throw new NotFoundError('Backup not found');
    if (backup.status === 'completed') {
      if (backup.contentSha256 !== manifest.contentSha256)
        throw new ConflictError('The backup is already completed with another manifest', { code: 'backup_completed' });
      return { completedNow: false };
    }
    const now = input.now();
    const { objects } = await materialiseSnapshot(tx, backup.id, { manifest, builtAt: now }, opts);
    // Chunks past the manifest's end (an attempt that was cut and resumed with other boundaries) are not part of it.
    await deleteChunksFrom(tx.db, backup.id, manifest.chunks.length);
    await markBackupCompleted(tx.db, backup.siteId, backup.id, {
      manifest,
      objectCount: objects,
      contentSha256: manifest.contentSha256,
      completedAt: now,
    });
    await insertAuditEvent(tx.db, backup.siteId, {
      actor: input.actor,
      action: 'backup.completed',
      target: backup.id,
      details: { schemaId: backup.schemaId, kind: backup.kind, objects, records: manifest.counts.records },
    });
    return { completedNow: true };
  });
}

/**
 * Deletes a backup with its chunks and browse tables (in a transaction of its own unless given one; on
 * rollback the browse tables return). The row is locked before the schema is dropped: a completion or a
 * rebuild holds that lock until it commits the backup's browse schema, which would otherwise outlive it.
 */
export async function deleteBackup(db: Executor, siteId: string, backupId: string): Promise<boolean> {
  if (!isBackupId(backupId)) return false;
  if (!db.isTransaction) return db.transaction().execute((trx) => deleteBackup(trx, siteId, backupId));
  if (!(await findBackup(db, siteId, backupId, 'update'))) return false;
  await dropBrowseTables(db, backupId);
  return deleteBackupRow(db, siteId, backupId);
}

/**
 * Whether something reads the backup and it must stay (a restore: the restores module owns that answer
 * and app.ts hands it over as `VaultDeps.backupInUse`, so the store needs no knowledge of its tables).
 */
export type BackupInUse = (db: Executor, backupId: string) => Promise<boolean>;

/**
 * Moves the site's completed backup to the trash unless `inUse` says it is read (by a restore), inside
 * the caller's transaction (which adds its audit entry): `not_found` for an unknown, another site's, an
 * incomplete or an already trashed id, `in_use` while it is read. The backup row is locked first; a
 * restore takes it `FOR SHARE` while it creates its job (`lockBackupForRestore`), so none can start
 * between the check and the trash. Nothing is removed: housekeeping purges it after `purgeAfter`
 * (`purgeDueTrash`), and until then `restoreFromTrash` brings it back.
 */
export async function trashBackupUnlessRestoring(
  trx: Executor,
  siteId: string,
  backupId: string,
  input: { by: string; at: Date; purgeAfter: Date; inUse: BackupInUse },
): Promise<'trashed' | 'not_found' | 'in_use'> {
  const backup = await findBackup(trx, siteId, backupId, 'update');
  if (!backup || backup.status !== 'completed' || backup.trashedAt) return 'not_found';
  if (await input.inUse(trx, backupId)) return 'in_use';
  return (await markBackupTrashed(trx, siteId, backupId, input)) ? 'trashed' : 'not_found';
}

/** Takes the site's backup out of the trash (before it was purged); false when it is not there. */
export async function restoreFromTrash(trx: Executor, siteId: string, backupId: string): Promise<boolean> {
  if (!(await findBackup(trx, siteId, backupId, 'update'))) return false;
  return unmarkBackupTrashed(trx, siteId, backupId);
}

/**
 * Housekeeping: deletes for good (chunks, browse tables, row) every trashed backup whose grace period
 * ended by `now`, one transaction each, audited `backup.purged`; returns how many. A backup taken out
 * of the trash meanwhile is left alone (the row lock, then the check again).
 */
export async function purgeDueTrash(db: Kysely<DB>, now: Date, batch = 100): Promise<number> {
  let purged = 0;
  for (const due of await listDueForPurge(db, now, batch)) {
    const done = await db.transaction().execute(async (trx) => {
      // still the same trash entry: not restored (and maybe deleted again, with a new grace period) meanwhile
      const backup = await findBackup(trx, due.siteId, due.id, 'update');
      if (backup?.trashedAt?.getTime() !== due.trashedAt.getTime()) return false;
      await insertAuditEvent(trx, due.siteId, {
        actor: 'system',
        action: 'backup.purged',
        target: due.id,
        details: { schemaId: backup.schemaId, trashedAt: due.trashedAt.toISOString() },
      });
      return deleteBackup(trx, due.siteId, due.id);
    });
    if (done) purged++;
  }
  return purged;
}

/**
 * The site's completed backup whose browse tables are ready; anything else of another site or not
 * completed is "not found" (no tenant oracle). Tables that crash recovery emptied (they are unlogged)
 * or that a migration dropped are queued for a rebuild from the chunks: 409 `browse_pending` meanwhile.
 */
export async function requireBrowsableBackup(db: Executor, siteId: string, backupId: string): Promise<BackupSummary> {
  const backup = await findBackup(db, siteId, backupId);
  if (!backup || backup.status !== 'completed' || backup.trashedAt) throw new NotFoundError('Backup not found');
  if (backup.browseBuiltAt && !(await browseTablesIntact(db, backup.id))) {
    await markBrowseTablesLost(db, backup.id, backup.browseBuiltAt);
    backup.browseBuiltAt = null;
  }
  if (!backup.browseBuiltAt)
    throw new ConflictError('This backup is being prepared for browsing; try again in a minute', {
      code: 'browse_pending',
    });
  return backup;
}

export interface DifferenceReader {
  /** Both backups' attribute definitions, before the first batch. */
  attributes(before: BrowseAttribute[], after: BrowseAttribute[]): void;
  /** The next objects that differ, by id order. */
  batch(differences: ObjectDifference[]): void;
}

/**
 * Reads every object that differs between two backups, in batches of `batchRows`, in a transaction
 * that is rolled back: `before` is browsable; `after` is too, or it is an uploading snapshot with its
 * manifest (the live schema), loaded into browse tables that exist only inside that transaction.
 */
export async function readDifferences(
  db: Kysely<DB>,
  input: {
    beforeId: string;
    after: { backupId: string } | { backupId: string; manifest: SnapshotManifest; loadedAt: Date };
    batchRows: number;
  },
  reader: DifferenceReader,
): Promise<void> {
  const { after } = input;
  await withClientTransaction(
    db,
    async (tx) => {
      if ('manifest' in after)
        await materialiseSnapshot(tx, after.backupId, { manifest: after.manifest, builtAt: after.loadedAt });
      reader.attributes(await listAttributes(tx.db, input.beforeId), await listAttributes(tx.db, after.backupId));
      await forEachObjectDifference(tx, input.beforeId, after.backupId, input.batchRows, (batch) =>
        reader.batch(batch),
      );
    },
    { rollback: true },
  );
}

/**
 * One step of the search indexer: claims the oldest completed backup without a search index (FOR
 * UPDATE SKIP LOCKED, so replicas share the work; `skip` leaves out ones that just failed), rebuilds its
 * browse tables from the verified chunks if it has none, builds the trigram index and records both, in
 * one transaction: a crash leaves nothing half-built. `onClaimed` learns the id before the work starts.
 */
export async function buildNextSearchIndex(
  db: Kysely<DB>,
  input: { skip: readonly string[]; now: () => Date; onClaimed?: (backupId: string) => void },
): Promise<{ backupId: string; browseRebuilt: boolean } | undefined> {
  return withClientTransaction(db, async (tx) => {
    const claimed = await claimBackupToIndex(tx.db, input.skip);
    if (!claimed) return undefined;
    input.onClaimed?.(claimed.id);
    const browseRebuilt = !claimed.browseBuiltAt;
    if (browseRebuilt) {
      const builtAt = input.now();
      await materialiseSnapshot(tx, claimed.id, { manifest: parseManifest(claimed.manifest), builtAt });
      await setBrowseBuiltAt(tx.db, claimed.id, builtAt);
    }
    await createSearchIndex(tx.db, claimed.id);
    await setSearchIndexedAt(tx.db, claimed.id, input.now());
    return { backupId: claimed.id, browseRebuilt };
  });
}

/** A completed backup as a restore reads it: the verified manifest and its chunks. */
export interface StoredSnapshot {
  backup: BackupSummary;
  manifest: SnapshotManifest;
  /**
   * Each chunk checked against the manifest (size and SHA-256) as it is read; a seq the manifest does
   * not list reads as missing. Feed it to `readSnapshot` of `@assets-vault/shared/snapshot`, which also
   * checks records, counts and the content hash chain.
   */
  chunks: ChunkSource;
}

/** The site's completed backup for a restore; 404 for an unknown, another site's or an incomplete backup. */
export async function openStoredSnapshot(db: Executor, siteId: string, backupId: string): Promise<StoredSnapshot> {
  const backup = await findBackup(db, siteId, backupId);
  const stored = backup?.status === 'completed' ? await findManifest(db, siteId, backupId) : undefined;
  if (!backup || stored === undefined) throw new NotFoundError('Backup not found');
  const manifest = parseManifest(stored);
  const bySeq = new Map(manifest.chunks.map((c) => [c.seq, c]));
  return {
    backup,
    manifest,
    chunks: {
      async getChunk(seq) {
        const expected = bySeq.get(seq);
        const bytes = expected && (await readChunk(db, backup.id, seq));
        if (!expected || !bytes) return undefined;
        await verifyChunk(bytes, { seq, sha256: expected.sha256, bytes: expected.bytes });
        return bytes;
      },
    },
  };
}

/**
 * Reads the whole stored snapshot again (every chunk, record, count and the content hash), as a restore
 * does before it starts; throws `SnapshotIntegrityError` on any damage. Returns the record count.
 */
export async function verifyStoredSnapshot(db: Executor, siteId: string, backupId: string): Promise<number> {
  const { manifest, chunks } = await openStoredSnapshot(db, siteId, backupId);
  let records = 0;
  for await (const _record of readSnapshot(manifest, chunks)) records++;
  return records;
}

/**
 * The site's completed backup, its row share-locked until the caller's transaction ends: the restore
 * module calls this while it inserts its `restore_job`, so no delete can slip in between (deletes lock
 * the row `for update` and then ask `BackupInUse`). Undefined: unknown, another site's or
 * not completed.
 */
export async function lockBackupForRestore(
  trx: Executor,
  siteId: string,
  backupId: string,
): Promise<BackupSummary | undefined> {
  const backup = await findBackup(trx, siteId, backupId, 'share');
  return backup?.status === 'completed' && !backup.trashedAt ? backup : undefined;
}
