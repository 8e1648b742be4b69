/**
 * Compare a completed backup with another backup of the same site, or with the live schema.
 * Direction: "before" is the backup in the path, "after" is `against`: `added` objects exist only in
 * `against`, `removed` only in the backup, `changed` differ per attribute (or in their label).
 * The live side is snapshotted by the shared backup engine with the stored credentials into a
 * transient backup row (status `uploading`, never listed), loaded into browse tables inside the
 * comparing transaction (rolled back afterwards) and dropped after the comparison. The backup store
 * reads the differing rows through a server-side cursor: memory holds one batch, never two schemas.
 */
import { randomUUID } from 'node:crypto';
import { ValidationError } from '@assets-vault/shared/errors';
import type { ValueRecord } from '@assets-vault/shared/snapshot';
import type { Config } from '../../config.js';
import type { VaultDeps } from '../../deps.js';
import * as backupStore from '../backup-store/index.js';
import { assetsAccessForSite, captureLiveSnapshot } from '../backups/live-snapshot.js';
import { asOutboundAnswer } from '../../outbound/index.js';

export type DiffDeps = Pick<VaultDeps, 'db' | 'log' | 'clock' | 'outbound'> & {
  config: Pick<Config, 'encryptionKeys' | 'allowInsecureSiteUrls'>;
};

export interface DiffObject {
  id: string;
  key: string;
  label: string;
  objectTypeId: string;
}
export interface AttributeChange {
  attributeId: string;
  name: string;
  before: string[];
  after: string[];
}
export interface ChangedObject extends DiffObject {
  labelBefore?: string;
  attributes: AttributeChange[];
}
export interface DiffResult {
  backupId: string;
  against: { kind: 'backup'; backupId: string } | { kind: 'live'; capturedAt: string };
  summary: { added: number; removed: number; changed: number };
  added: DiffObject[];
  removed: DiffObject[];
  changed: ChangedObject[];
  /** true when a list holds fewer entries than its summary count (`limit` per list) */
  truncated: boolean;
}

export const DEFAULT_DIFF_LIMIT = 500;
export const MAX_DIFF_LIMIT = 5000;
const FETCH_ROWS = 1000;

/** What identifies a value for comparison: the referenced object, user or status id, else the value. */
function comparable(v: ValueRecord): string {
  return v.referencedObject?.id ?? v.user?.key ?? v.status?.id ?? v.value ?? v.displayValue;
}

function attributeChanges(
  before: backupStore.StoredAttribute[],
  after: backupStore.StoredAttribute[],
  names: Map<string, { name: string }>,
): AttributeChange[] {
  const b = new Map(before.map((x) => [x.objectTypeAttributeId, x.objectAttributeValues]));
  const a = new Map(after.map((x) => [x.objectTypeAttributeId, x.objectAttributeValues]));
  const ids = [...new Set([...b.keys(), ...a.keys()])];
  const changes: AttributeChange[] = [];
  for (const id of ids) {
    const bv = b.get(id) ?? [];
    const av = a.get(id) ?? [];
    const same = bv.length === av.length && bv.every((v, i) => comparable(v) === comparable(av[i]!));
    if (same) continue;
    changes.push({
      attributeId: id,
      name: names.get(id)?.name ?? id,
      before: bv.map((v) => v.displayValue),
      after: av.map((v) => v.displayValue),
    });
  }
  return changes.sort((x, y) => x.name.localeCompare(y.name));
}

type DiffCounts = Omit<DiffResult, 'backupId' | 'against'>;

/** The set difference of two backups (both already checked to belong to the site). */
async function diffBackups(
  deps: DiffDeps,
  beforeId: string,
  after: Parameters<typeof backupStore.readDifferences>[1]['after'],
  limit: number,
): Promise<DiffCounts> {
  const result: DiffCounts = {
    summary: { added: 0, removed: 0, changed: 0 },
    added: [],
    removed: [],
    changed: [],
    truncated: false,
  };
  const names = new Map<string, { name: string }>();
  await backupStore.readDifferences(
    deps.db,
    { beforeId, after, batchRows: FETCH_ROWS },
    {
      attributes(before, after) {
        for (const a of [...before, ...after]) if (!names.has(a.id)) names.set(a.id, { name: a.name });
      },
      batch(differences) {
        for (const difference of differences) tally(result, difference, names, limit);
      },
    },
  );
  const s = result.summary;
  result.truncated =
    result.added.length < s.added || result.removed.length < s.removed || result.changed.length < s.changed;
  return result;
}

/** Counts one differing object and keeps it while its list holds fewer than `limit` entries. */
function tally(
  result: DiffCounts,
  { id, before, after }: backupStore.ObjectDifference,
  names: Map<string, { name: string }>,
  limit: number,
): void {
  if (!before && after) {
    result.summary.added++;
    if (result.added.length < limit)
      result.added.push({ id, key: after.key, label: after.label, objectTypeId: after.objectTypeId });
  } else if (before && !after) {
    result.summary.removed++;
    if (result.removed.length < limit)
      result.removed.push({ id, key: before.key, label: before.label, objectTypeId: before.objectTypeId });
  } else if (before && after) {
    const attributes = attributeChanges(
      backupStore.parseStoredAttributes(before.attributes),
      backupStore.parseStoredAttributes(after.attributes),
      names,
    );
    const labelChanged = after.label !== before.label;
    if (!attributes.length && !labelChanged) return;
    result.summary.changed++;
    if (result.changed.length < limit) {
      result.changed.push({
        id,
        key: after.key,
        label: after.label,
        objectTypeId: after.objectTypeId,
        ...(labelChanged ? { labelBefore: before.label } : {}),
        attributes,
      });
    }
  }
}

export async function diffBackup(
  deps: DiffDeps,
  siteId: string,
  backupId: string,
  query: { against: string; limit?: number; signal?: AbortSignal },
): Promise<DiffResult> {
  const limit = Math.min(Math.max(query.limit ?? DEFAULT_DIFF_LIMIT, 1), MAX_DIFF_LIMIT);
  const before = await backupStore.requireBrowsableBackup(deps.db, siteId, backupId);
  if (query.against !== 'live') {
    if (!backupStore.isBackupId(query.against)) throw new ValidationError('`against` must be "live" or a backup id');
    const other = await backupStore.requireBrowsableBackup(deps.db, siteId, query.against);
    const diff = await diffBackups(deps, before.id, { backupId: other.id }, limit);
    return { backupId, against: { kind: 'backup', backupId: other.id }, ...diff };
  }

  const access = await assetsAccessForSite(deps, siteId).catch((err: unknown) => {
    throw asOutboundAnswer(err);
  });
  const capturedAt = deps.clock.now();
  let liveId: string | undefined;
  try {
    const live = await captureLiveSnapshot(deps, {
      access,
      schemaId: before.schemaId,
      kind: 'manual',
      options: { history: false, icons: false, issueRefs: false },
      openedBy: `diff_live_${randomUUID()}`,
      startedAt: capturedAt,
      onBackupRow: async (id) => {
        liveId = id;
      },
      // nobody waits for a comparison whose requester went away: stop reading the live schema
      ...(query.signal ? { signal: query.signal } : {}),
    });
    // the live rows exist only inside the comparing transaction, which is rolled back afterwards
    const diff = await diffBackups(
      deps,
      before.id,
      { backupId: live.backupId, manifest: live.manifest, loadedAt: capturedAt },
      limit,
    );
    return { backupId, against: { kind: 'live', capturedAt: capturedAt.toISOString() }, ...diff };
  } catch (err) {
    // one answer for every network failure (details in the log line of the error handler)
    throw asOutboundAnswer(err);
  } finally {
    // the transient backup row and its chunks
    if (liveId)
      await backupStore
        .deleteBackup(deps.db, siteId, liveId)
        .catch((err: unknown) => deps.log.warn({ err, liveId }, 'transient live snapshot not removed'));
  }
}
