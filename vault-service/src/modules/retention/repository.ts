/** A site's stored retention policy (one row per site). */
import type { Executor } from '../../db/types.js';

/** null = no limit */
export interface RetentionPolicy {
  keepManual: number | null;
  keepScheduled: number | null;
  maxAgeDays: number | null;
}

const columns = ['keep_manual', 'keep_scheduled', 'max_age_days'] as const;

/** The stored policy, undefined when the site never saved one; `forUpdate` locks the row until the transaction ends. */
export async function findRetentionPolicy(
  db: Executor,
  siteId: string,
  opts: { forUpdate?: boolean } = {},
): Promise<RetentionPolicy | undefined> {
  const query = db.selectFrom('retention_policy').select(columns).where('site_id', '=', siteId);
  const row = await (opts.forUpdate ? query.forUpdate() : query).executeTakeFirst();
  return row && { keepManual: row.keep_manual, keepScheduled: row.keep_scheduled, maxAgeDays: row.max_age_days };
}

export async function upsertRetentionPolicy(
  db: Executor,
  siteId: string,
  policy: RetentionPolicy,
  now: Date,
): Promise<void> {
  const values = {
    keep_manual: policy.keepManual,
    keep_scheduled: policy.keepScheduled,
    max_age_days: policy.maxAgeDays,
  };
  await db
    .insertInto('retention_policy')
    .values({ site_id: siteId, ...values, updated_at: now })
    .onConflict((oc) => oc.column('site_id').doUpdateSet({ ...values, updated_at: now }))
    .execute();
}

/** Sites that saved a policy. */
export async function listSitesWithRetentionPolicy(db: Executor): Promise<string[]> {
  const rows = await db.selectFrom('retention_policy').select('site_id').execute();
  return rows.map((r) => r.site_id);
}
