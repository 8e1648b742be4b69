/**
 * Builds the trigram search index of each completed backup after its completion (a GIN build takes
 * ≈ 20 s per million objects; completion does not wait for it, and search works without it, only
 * slower), and rebuilds the browse tables of completed backups that have none (after migration 0007)
 * from their stored, verified chunks. One backup per tick, claimed with FOR UPDATE SKIP LOCKED so
 * replicas share the work; the whole step is one transaction, so a crash leaves nothing half-built.
 */
import type { Kysely } from 'kysely';
import { withClientTransaction } from '../db/client-transaction.js';
import type { DB } from '../db/types.js';
import type { Log } from '../logger.js';
import { materialiseSnapshot } from '../modules/browse/materialise.js';
import { createSearchIndex } from '../modules/browse/storage.js';
import type { SnapshotManifest } from '@assets-vault/shared/snapshot';
import { createPoller, type Poller } from './poller.js';

/** A backup whose step failed is left alone this long (per process) before it is tried again. */
const FAILED_RETRY_MS = 10 * 60_000;

export interface SearchIndexer extends Poller {
  /** Indexes (and if needed rebuilds) at most one backup; true when one was done. */
  runOnce(): Promise<boolean>;
}

export function createSearchIndexer(
  deps: { db: Kysely<DB>; log: Log; now: () => Date },
  options: { pollIntervalMs?: number } = {},
): SearchIndexer {
  const failedUntil = new Map<string, number>();

  async function runOnce(): Promise<boolean> {
    const skip = [...failedUntil].filter(([, until]) => until > Date.now()).map(([id]) => id);
    let claimed: string | undefined;
    try {
      return await withClientTransaction(deps.db, async (tx) => {
        let q = tx.db
          .selectFrom('backup')
          .select(['id', 'browse_built_at', 'manifest'])
          .where('status', '=', 'completed')
          .where('search_indexed_at', 'is', null);
        if (skip.length) q = q.where('id', 'not in', skip);
        const row = await q.orderBy('completed_at').limit(1).forUpdate().skipLocked().executeTakeFirst();
        if (!row) return false;
        claimed = row.id;
        const started = Date.now();
        if (!row.browse_built_at) {
          const builtAt = deps.now();
          await materialiseSnapshot(tx, row.id, { manifest: row.manifest as SnapshotManifest, builtAt });
          await tx.db.updateTable('backup').set({ browse_built_at: builtAt }).where('id', '=', row.id).execute();
          deps.log.info({ backupId: row.id, ms: Date.now() - started }, 'browse tables rebuilt from the stored chunks');
        }
        await createSearchIndex(tx.db, row.id);
        await tx.db.updateTable('backup').set({ search_indexed_at: deps.now() }).where('id', '=', row.id).execute();
        deps.log.info({ backupId: row.id, ms: Date.now() - started }, 'search index built');
        return true;
      });
    } catch (err) {
      if (claimed === undefined) throw err;
      failedUntil.set(claimed, Date.now() + FAILED_RETRY_MS);
      deps.log.error({ err, backupId: claimed }, 'search index not built; will retry later');
      return true;
    }
  }

  const poller = createPoller({ intervalMs: options.pollIntervalMs ?? 5_000, log: deps.log, tick: runOnce });
  return { ...poller, runOnce };
}
