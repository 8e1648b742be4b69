/**
 * Retention: which completed backups fall outside a site's policy, and moving them to the trash (audited
 * per backup; purged after BACKUP_TRASH_DAYS). Counts apply per schema and per kind (the newest N manual /
 * scheduled backups of each schema are kept); `maxAgeDays` removes completed backups older than that many
 * days. Whatever the policy, each schema keeps its newest backup: no policy (say keepManual 0 from a
 * stolen session) and no end of new backups (the app uninstalled, a long outage) leaves a schema with
 * none. `null` means no limit. Uploads still in progress are never touched. Every policy change, and a
 * run that deletes more than one backup, is audited and e-mailed to the site's trusted users.
 */
import type { Config } from '../../config.js';
import type { Executor } from '../../db/types.js';
import type { VaultDeps } from '../../deps.js';
import { insertAuditEvent } from '../audit/repository.js';
import * as backupStore from '../backup-store/index.js';
import { purgeAfter } from '../backups/service.js';
import { enqueueEmail } from '../email/outbox-repository.js';
import { findSiteById } from '../sites/repository.js';
import { listTrustedUsers } from '../trusted-users/repository.js';
import { renderRetentionNotice, type RetentionNotice } from './notice-email.js';
import {
  findRetentionPolicy,
  listSitesWithRetentionPolicy,
  upsertRetentionPolicy,
  type RetentionPolicy,
} from './repository.js';

type RetentionDeps = Pick<VaultDeps, 'db' | 'backupInUse'> & {
  config: Pick<Config, 'backupTrashDays' | 'publicUrl' | 'outbox'>;
};

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
  const isNewest = (b: RetentionCandidate) => newestOfSchema.get(b.schemaId) === b;
  for (const b of backups) {
    if (cutoff !== null && b.completedAt.getTime() < cutoff && !isNewest(b)) expired.add(b.id);
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
    for (const b of list.slice(keep)) if (!isNewest(b)) expired.add(b.id);
  }
  return [...expired].sort();
}

/** Applies the policy to one site's completed backups (to the trash); returns the deleted ids. */
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
  const until = purgeAfter(deps.config, now);
  for (const id of selectExpired(candidates, policy, now)) {
    const policyChanged = await deps.db.transaction().execute(async (trx) => {
      // a policy saved since this selection was made (say, a looser one) wins: stop, its save applies it
      if (!samePolicy((await findRetentionPolicy(trx, siteId, { forUpdate: true })) ?? NO_LIMITS, stored)) return true;
      // a backup a restore is reading stays until a later run
      const outcome = await backupStore.trashBackupUnlessRestoring(trx, siteId, id, {
        by: 'system',
        at: now,
        purgeAfter: until,
        inUse: deps.backupInUse,
      });
      if (outcome === 'trashed') {
        await insertAuditEvent(trx, siteId, {
          actor: 'system',
          action: 'backup.deleted',
          target: id,
          details: { source: 'retention', trash: true, purgeAfter: until.toISOString() },
        });
        deleted.push(id);
      }
      return false;
    });
    if (policyChanged) break;
  }
  if (deleted.length > 1) {
    // several at once: one entry that says so, and every trusted user hears of it
    await deps.db.transaction().execute(async (trx) => {
      await insertAuditEvent(trx, siteId, {
        actor: 'system',
        action: 'backup.bulk_deleted',
        details: { source: 'retention', count: deleted.length, backupIds: deleted, purgeAfter: until.toISOString() },
      });
      await notifyTrustedUsers(trx, deps, siteId, {
        kind: 'backups_deleted',
        actor: 'the retention policy',
        count: deleted.length,
        purgeAfter: until,
        trashDays: deps.config.backupTrashDays,
      });
    });
  }
  return deleted;
}

/** Queues the notice for every trusted user of the site who was not removed, in the caller's transaction. */
async function notifyTrustedUsers(
  trx: Executor,
  deps: RetentionDeps,
  siteId: string,
  notice: RetentionNotice,
): Promise<number> {
  const site = await findSiteById(trx, siteId);
  if (!site) return 0;
  const users = (await listTrustedUsers(trx, siteId)).filter((u) => u.status !== 'removed');
  const rendered = renderRetentionNotice({ siteUrl: site.siteUrl, vaultUrl: deps.config.publicUrl, notice });
  for (const user of users) {
    await enqueueEmail(trx, siteId, {
      kind: `retention.${notice.kind}`,
      to: user.email,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      maxAttempts: deps.config.outbox.maxAttempts,
    });
  }
  return users.length;
}

const NO_LIMITS: RetentionPolicy = { keepManual: null, keepScheduled: null, maxAgeDays: null };

const samePolicy = (a: RetentionPolicy, b: RetentionPolicy) =>
  a.keepManual === b.keepManual && a.keepScheduled === b.keepScheduled && a.maxAgeDays === b.maxAgeDays;

export async function getRetentionPolicy(deps: Pick<VaultDeps, 'db'>, siteId: string): Promise<RetentionPolicy> {
  return (await findRetentionPolicy(deps.db, siteId)) ?? NO_LIMITS;
}

/**
 * Stores the policy (missing fields = no limit), audited with the one it replaces and e-mailed to the
 * site's trusted users in the same transaction, then applies it at once; returns the deleted ids.
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
    await notifyTrustedUsers(trx, deps, siteId, {
      kind: 'policy_saved',
      actor: input.actor,
      previous,
      policy: input.policy,
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
