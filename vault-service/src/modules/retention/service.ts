/**
 * Retention: which completed backups fall outside a site's policy, and removing them (audited per backup).
 * Counts apply per schema and per kind (the newest N manual / scheduled backups of each schema are kept);
 * `maxAgeDays` removes completed backups older than that many days, except each schema's newest: when
 * backups stop arriving (the app uninstalled, a long outage) the age limit must not leave a schema with
 * none. `null` means no limit. Uploads still in progress are never touched.
 */
import type { VaultDeps } from '../../deps.js';
import { insertAuditEvent } from '../audit/repository.js';
import * as backupStore from '../backup-store/index.js';
import {
  findRetentionPolicy,
  listSitesWithRetentionPolicy,
  upsertRetentionPolicy,
  type RetentionPolicy,
} from './repository.js';

type RetentionDeps = Pick<VaultDeps, 'db'>;

export interface RetentionCandidate {
  id: string;
  schemaId: string;
  kind: 'manual' | 'scheduled';
  completedAt: Date;
}

/** Pure selection: the ids outside the policy. */
export function selectExpired(backups: readonly RetentionCandidate[], policy: RetentionPolicy, now: Date): string[] {
  const expired = new Set<string>();
  const cutoff = policy.maxAgeDays === null ? null : now.getTime() - policy.maxAgeDays * 86_400_000;
  const newer = (x: RetentionCandidate, y: RetentionCandidate) =>
    y.completedAt.getTime() - x.completedAt.getTime() || (x.id < y.id ? -1 : 1);
  const newestOfSchema = new Map<string, RetentionCandidate>();
  for (const b of backups) {
    const newest = newestOfSchema.get(b.schemaId);
    if (!newest || newer(b, newest) < 0) newestOfSchema.set(b.schemaId, b);
  }
  const groups = new Map<string, RetentionCandidate[]>();
  for (const b of backups) {
    if (cutoff !== null && b.completedAt.getTime() < cutoff && newestOfSchema.get(b.schemaId) !== b) expired.add(b.id);
    const key = `${b.schemaId}\u0000${b.kind}`;
    const list = groups.get(key) ?? [];
    list.push(b);
    groups.set(key, list);
  }
  for (const list of groups.values()) {
    const first = list[0];
    if (!first) continue;
    const keep = first.kind === 'manual' ? policy.keepManual : policy.keepScheduled;
    if (keep === null) continue;
    list.sort(newer);
    for (const b of list.slice(keep)) expired.add(b.id);
  }
  return [...expired].sort();
}

/** Applies the policy to one site's completed backups; returns the deleted ids. */
export async function applyRetention(
  deps: RetentionDeps,
  siteId: string,
  policy: RetentionPolicy,
  now: Date,
): Promise<string[]> {
  if (policy.keepManual === null && policy.keepScheduled === null && policy.maxAgeDays === null) return [];
  const candidates: RetentionCandidate[] = (await backupStore.listCompletedBackups(deps.db, siteId)).map((b) => ({
    id: b.id,
    schemaId: b.schemaId,
    kind: b.kind,
    completedAt: b.completedAt,
  }));
  const stored = await getRetentionPolicy(deps, siteId);
  const deleted: string[] = [];
  for (const id of selectExpired(candidates, policy, now)) {
    const policyChanged = await deps.db.transaction().execute(async (trx) => {
      // a policy saved since this selection was made (say, a looser one) wins: stop, its save applies it
      if (!samePolicy((await findRetentionPolicy(trx, siteId, { forUpdate: true })) ?? NO_LIMITS, stored)) return true;
      // a backup a restore is reading stays until a later run
      if ((await backupStore.deleteBackupUnlessRestoring(trx, siteId, id)) === 'deleted') {
        await insertAuditEvent(trx, siteId, {
          actor: 'system',
          action: 'backup.deleted',
          target: id,
          details: { source: 'retention' },
        });
        deleted.push(id);
      }
      return false;
    });
    if (policyChanged) break;
  }
  return deleted;
}

const NO_LIMITS: RetentionPolicy = { keepManual: null, keepScheduled: null, maxAgeDays: null };

const samePolicy = (a: RetentionPolicy, b: RetentionPolicy) =>
  a.keepManual === b.keepManual && a.keepScheduled === b.keepScheduled && a.maxAgeDays === b.maxAgeDays;

export async function getRetentionPolicy(deps: RetentionDeps, siteId: string): Promise<RetentionPolicy> {
  return (await findRetentionPolicy(deps.db, siteId)) ?? NO_LIMITS;
}

/**
 * Stores the policy (missing fields = no limit), audited with the one it replaces in the same
 * transaction, then applies it at once; returns the deleted ids.
 */
export async function putRetentionPolicy(
  deps: RetentionDeps,
  siteId: string,
  input: { policy: RetentionPolicy; actor: string; now: Date },
): Promise<string[]> {
  await deps.db.transaction().execute(async (trx) => {
    // locked: of two saves at once, the second audits the policy the first stored
    const previous = (await findRetentionPolicy(trx, siteId, { forUpdate: true })) ?? NO_LIMITS;
    await upsertRetentionPolicy(trx, siteId, input.policy, input.now);
    await insertAuditEvent(trx, siteId, {
      actor: input.actor,
      action: 'retention.policy_saved',
      details: { previous, policy: input.policy },
    });
  });
  return applyRetention(deps, siteId, input.policy, input.now);
}

/** Housekeeping: applies every stored policy; returns how many backups were removed. */
export async function applyAllRetentionPolicies(deps: RetentionDeps, now: Date): Promise<number> {
  let removed = 0;
  for (const siteId of await listSitesWithRetentionPolicy(deps.db)) {
    // read as each site's turn comes: a policy saved while earlier sites were handled applies
    removed += (await applyRetention(deps, siteId, await getRetentionPolicy(deps, siteId), now)).length;
  }
  return removed;
}
