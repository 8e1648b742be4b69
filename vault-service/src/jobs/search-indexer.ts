/**
 * Builds the trigram search index of each completed backup after its completion (a GIN build takes
 * ≈ 20 s per million objects; completion does not wait for it, and search works without it, only
 * slower), and rebuilds the browse tables of completed backups that have none (after migration 0007,
 * or after crash recovery emptied them) from their stored, verified chunks. One backup per tick; the
 * backup store claims it so that replicas share the work, and does the step in one transaction.
 */
import type { VaultDeps } from '../deps.js';
import * as backupStore from '../modules/backup-store/index.js';
import { createPoller, type Poller } from './poller.js';

/** A backup whose step failed is left alone this long (per process) before it is tried again. */
const FAILED_RETRY_MS = 10 * 60_000;

export interface SearchIndexer extends Poller {
  /** Indexes (and if needed rebuilds) at most one backup; true when one was done. */
  runOnce(): Promise<boolean>;
}

export function createSearchIndexer(
  deps: Pick<VaultDeps, 'db' | 'log' | 'clock'>,
  options: { pollIntervalMs?: number } = {},
): SearchIndexer {
  const failedUntil = new Map<string, number>();

  async function runOnce(): Promise<boolean> {
    const skip = [...failedUntil].filter(([, until]) => until > Date.now()).map(([id]) => id);
    let claimed: string | undefined;
    const started = Date.now();
    try {
      const done = await backupStore.buildNextSearchIndex(deps.db, {
        skip,
        now: () => deps.clock.now(),
        onClaimed: (id) => {
          claimed = id;
        },
      });
      if (!done) return false;
      if (done.browseRebuilt)
        deps.log.info({ backupId: done.backupId }, 'browse tables rebuilt from the stored chunks');
      deps.log.info({ backupId: done.backupId, ms: Date.now() - started }, 'search index built');
      return true;
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
