/**
 * The shared schedules (`pacing_bucket`), as the generic cell rate algorithm: a token bucket of
 * `capacity` tokens refilled at `ratePerMs`, kept as one time per row (`tat_ms`, when the bucket is
 * empty again). Each statement is one atomic upsert, so concurrent pacers (other workers, other
 * replicas) serialise on the row and never get the same token.
 */
import { sql } from 'kysely';
import type { Executor } from '../../db/types.js';

export interface ReserveInput {
  key: string;
  bucket: string;
  /** tokens to reserve (≤ capacity) */
  count: number;
  nowMs: number;
  ratePerMs: number;
  capacity: number;
}

/**
 * Reserves the next `count` tokens and returns when the first of them is due; token k (0-based) is
 * due at `firstDueMs + k / ratePerMs`. A due time at or before now means the token is there already:
 * the bucket never holds more than `capacity` (a full bucket is `tat ≤ now − capacity / rate`). A
 * missing row starts full.
 */
export async function reserveTokens(db: Executor, r: ReserveInput): Promise<{ firstDueMs: number }> {
  const full = sql`${r.nowMs}::float8 - ${r.capacity / r.ratePerMs}::float8`;
  const span = sql`${r.count / r.ratePerMs}::float8`;
  const { rows } = await sql<{ tat_ms: number }>`
    insert into pacing_bucket as p (key, bucket, tat_ms) values (${r.key}, ${r.bucket}, ${full} + ${span})
    on conflict (key, bucket) do update set tat_ms = greatest(p.tat_ms, ${full}) + ${span}
    returning tat_ms`.execute(db);
  const tat = rows[0]?.tat_ms;
  if (tat === undefined) throw new Error('pacing_bucket upsert returned no row');
  return { firstDueMs: tat - r.count / r.ratePerMs + 1 / r.ratePerMs };
}

/**
 * A throttled answer: nothing more is due before `untilMs`, and the bucket refills from empty after
 * it, for every pacer that shares the row (at its next reservation).
 */
export async function pauseBucket(db: Executor, p: { key: string; bucket: string; untilMs: number }): Promise<void> {
  await sql`
    insert into pacing_bucket as p (key, bucket, tat_ms) values (${p.key}, ${p.bucket}, ${p.untilMs}::float8)
    on conflict (key, bucket) do update set tat_ms = greatest(p.tat_ms, excluded.tat_ms)`.execute(db);
}

/** Housekeeping: schedules nobody used since `beforeMs` (a site no longer restored to). */
export async function deleteIdleBuckets(db: Executor, beforeMs: number): Promise<number> {
  const r = await db.deleteFrom('pacing_bucket').where('tat_ms', '<', beforeMs).executeTakeFirst();
  return Number(r.numDeletedRows);
}
