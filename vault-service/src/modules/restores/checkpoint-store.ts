/**
 * The engine's checkpoint store in Postgres (`RestoreCheckpointStore` of shared/restore): every call is
 * durable when it resolves. Intents, outcomes and reference updates are upserted by source id whoever
 * writes them (a runner that lost its lease still reports what really happened on the target); the
 * state is saved only while the runner holds the restore, so a runner that lost it stops at its next save.
 */
import type {
  IssueFieldResult,
  ObjectCheckpointRow,
  RestoreCheckpointStore,
  RestoreLogRow,
  RestoreState,
} from '@assets-vault/shared/restore';
import type { Lease } from '../../db/job-queue.js';
import type { Executor } from '../../db/types.js';
import { JobLeaseLostError } from '../../jobs/job-core.js';
import {
  issueFieldResultsAfter,
  loadRestoreState,
  logRowsAfter,
  objectRowsAfter,
  saveRestoreState,
  upsertIntents,
  upsertIssueFieldResults,
  upsertOutcomes,
  upsertReferenceUpdates,
} from './repository.js';

/** Rows per page when the engine streams them back (bounded memory on 100,000-object restores). */
const PAGE = 2_000;

/** Every row of a keyset-paged query, one page at a time. */
async function* paged<T>(
  page: (after: string | undefined) => Promise<T[]>,
  keyOf: (row: T) => string,
): AsyncGenerator<T> {
  let after: string | undefined;
  for (;;) {
    const rows = await page(after);
    yield* rows;
    const last = rows[rows.length - 1];
    if (rows.length < PAGE || last === undefined) return;
    after = keyOf(last);
  }
}

/**
 * The store of restore `restoreId`. `lease()` is the runner's current lease (for state saves); without
 * it (the issue-fields step, which only reads the state) a state save is refused.
 */
export function createPostgresCheckpointStore(
  db: Executor,
  restoreId: string,
  lease?: () => Lease,
): RestoreCheckpointStore {
  return {
    async loadState() {
      return ((await loadRestoreState(db, restoreId)) ?? undefined) as RestoreState | undefined;
    },
    async saveState(state) {
      const held =
        lease !== undefined &&
        (await saveRestoreState(db, restoreId, lease(), {
          state,
          counts: {
            created: state.counts.created,
            skipped: state.counts.skipped,
            failed: state.counts.failed,
            warnings: state.counts.warnings,
          },
        }));
      if (!held) throw new JobLeaseLostError('Another runner took this restore over');
    },
    recordIntents: (intents) => upsertIntents(db, restoreId, intents),
    recordOutcomes: (outcomes) => upsertOutcomes(db, restoreId, outcomes),
    recordReferenceUpdates: (updates) => upsertReferenceUpdates(db, restoreId, updates),
    objectRows: () =>
      paged<ObjectCheckpointRow>(
        (after) => objectRowsAfter(db, restoreId, after, PAGE),
        (r) => r.sourceId,
      ),
    async *logRows(): AsyncGenerator<RestoreLogRow> {
      for await (const r of paged(
        (after) => logRowsAfter(db, restoreId, after, PAGE),
        (r) => r.seq,
      ))
        yield r.row;
    },
    recordIssueFieldResults: (results) => upsertIssueFieldResults(db, restoreId, results),
    issueFieldResults: () =>
      paged<IssueFieldResult>(
        (after) => issueFieldResultsAfter(db, restoreId, after, PAGE),
        (r) => r.issueId,
      ),
  };
}
