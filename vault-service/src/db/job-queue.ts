/**
 * The lease queue under every durable job table (vault backups, restores, a restore's issue-fields step):
 * a job is claimed with `FOR UPDATE SKIP LOCKED` (one runner per job, any number of replicas), held by a
 * lease its runner renews, and taken over when the lease expires (its runner died). Each owning
 * repository builds its queue with `jobQueue(table, statuses)` and keeps its own columns; only the lease
 * columns below are shared, and every write of a held job checks that its runner still holds it.
 */
import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { DB, Executor } from './types.js';

/** Tables that are job queues (they have the lease columns). */
export type JobTableName = 'vault_backup_job' | 'restore_job' | 'restore_issue_fields_job';

/** How the table spells the four states. */
export interface JobStatuses {
  queued: string;
  running: string;
  completed: string;
  failed: string;
}

/** The runner asking, when, and for how long its lease lasts. */
export interface Lease {
  workerId: string;
  now: Date;
  lockMs: number;
}

interface LeaseColumns {
  id: string;
  status: string;
  attempts: number;
  max_attempts: number;
  run_after: Date;
  locked_by: string | null;
  locked_until: Date | null;
  updated_at: Date;
}

export interface JobQueue<T extends JobTableName> {
  /**
   * The oldest runnable job (queued and due, or running under an expired lease: its runner died) for
   * its next attempt. A job whose runner died in its last attempt is left to `claimExhausted`.
   */
  claim(db: Executor, lease: Lease): Promise<Selectable<DB[T]> | undefined>;
  /** A job whose runner died during its last attempt (lease expired, attempts used up), to be failed for good. */
  claimExhausted(db: Executor, lease: Lease): Promise<Selectable<DB[T]> | undefined>;
  /** A longer lease (and `set`) only while this runner holds the running job; false when it no longer does. */
  renew(db: Executor, id: string, lease: Lease, set?: Updateable<DB[T]>): Promise<boolean>;
  /** Locks the running job's row if this runner holds it. */
  lockHeld(db: Executor, id: string, workerId: string): Promise<Selectable<DB[T]> | undefined>;
  /** Ends the job (`completed` or `failed`) if this runner holds it; false when it does not. */
  finish(
    db: Executor,
    id: string,
    input: { workerId: string; now: Date; outcome: 'completed' | 'failed'; set?: Updateable<DB[T]> },
  ): Promise<boolean>;
  /** Back to the queue, due at `runAfter`, if this runner holds it. */
  requeue(
    db: Executor,
    id: string,
    input: { workerId: string; now: Date; runAfter: Date; set?: Updateable<DB[T]> },
  ): Promise<boolean>;
}

export function jobQueue<T extends JobTableName>(table: T, statuses: JobStatuses): JobQueue<T> {
  // only the lease columns are touched here (the table seen as `job`: its name is `table` at run time);
  // the owner's own columns come in `set`, typed by the caller
  const q = (db: Executor) => db as unknown as Kysely<{ job: LeaseColumns }>;
  const job = table as unknown as 'job';
  const extra = (set: Updateable<DB[T]> | undefined) => (set ?? {}) as Partial<LeaseColumns>;
  const row = (r: unknown) => r as Selectable<DB[T]> | undefined;
  const unlocked = { locked_by: null, locked_until: null };

  const claimWhere = (db: Executor, now: Date, exhausted: boolean) =>
    q(db)
      .selectFrom(job)
      .select('id')
      .where((w) =>
        exhausted
          ? w.and([
              w('status', '=', statuses.running),
              w('locked_until', '<', now),
              w('attempts', '>=', w.ref('max_attempts')),
            ])
          : w.or([
              w.and([w('status', '=', statuses.queued), w('run_after', '<=', now)]),
              w.and([
                w('status', '=', statuses.running),
                w('locked_until', '<', now),
                w('attempts', '<', w.ref('max_attempts')),
              ]),
            ]),
      )
      .orderBy('run_after')
      .limit(1)
      .forUpdate()
      .skipLocked();

  /** Takes the job the subquery picks; a claim for a new attempt counts it. */
  const take = async (db: Executor, lease: Lease, exhausted: boolean) =>
    row(
      await q(db)
        .updateTable(job)
        .set({
          ...(exhausted ? {} : { status: statuses.running, attempts: sql<number>`attempts + 1` }),
          locked_by: lease.workerId,
          locked_until: new Date(lease.now.getTime() + lease.lockMs),
          updated_at: lease.now,
        })
        .where('id', '=', claimWhere(db, lease.now, exhausted))
        .returningAll()
        .executeTakeFirst(),
    );

  return {
    claim: (db, lease) => take(db, lease, false),
    claimExhausted: (db, lease) => take(db, lease, true),
    async renew(db, id, lease, set) {
      const result = await q(db)
        .updateTable(job)
        .set({ ...extra(set), locked_until: new Date(lease.now.getTime() + lease.lockMs), updated_at: lease.now })
        .where('id', '=', id)
        .where('locked_by', '=', lease.workerId)
        .where('status', '=', statuses.running)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async lockHeld(db, id, workerId) {
      return row(
        await q(db)
          .selectFrom(job)
          .selectAll()
          .where('id', '=', id)
          .where('locked_by', '=', workerId)
          .where('status', '=', statuses.running)
          .forUpdate()
          .executeTakeFirst(),
      );
    },
    async finish(db, id, input) {
      const result = await q(db)
        .updateTable(job)
        .set({ ...extra(input.set), status: statuses[input.outcome], updated_at: input.now, ...unlocked })
        .where('id', '=', id)
        .where('locked_by', '=', input.workerId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async requeue(db, id, input) {
      const result = await q(db)
        .updateTable(job)
        .set({
          ...extra(input.set),
          status: statuses.queued,
          run_after: input.runAfter,
          updated_at: input.now,
          ...unlocked,
        })
        .where('id', '=', id)
        .where('locked_by', '=', input.workerId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}
