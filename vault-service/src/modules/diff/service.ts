/**
 * Compare a completed backup with another backup of the same site, or with the live schema.
 * Direction: "before" is the backup in the path, "after" is `against`: `added` objects exist only in
 * `against`, `removed` only in the backup, `changed` differ per attribute (or in their label).
 * The live side is snapshotted by the shared backup engine with the stored credentials into a
 * transient backup row (status `uploading`, never listed), loaded into browse tables inside the
 * comparing transaction (rolled back afterwards) and dropped after the comparison. The comparison is one
 * SQL full join read through a server-side cursor: memory holds one batch, never two schemas.
 */
import { randomUUID } from 'node:crypto';
import { ValidationError } from '@assets-vault/shared/errors';
import type { ValueRecord } from '@assets-vault/shared/snapshot';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import { withClientTransaction, type ClientTransaction } from '../../db/client-transaction.js';
import type { DB } from '../../db/types.js';
import type { Log } from '../../logger.js';
import { assetsAccessForSite, captureLiveSnapshot } from '../backups/live-snapshot.js';
import { attributeNames, requireBrowsableBackup } from '../browse/service.js';
import { parseStoredAttributes, type StoredAttribute } from '../browse/browse-chunk.js';
import { materialiseSnapshot } from '../browse/materialise.js';
import { browseTable } from '../browse/storage.js';
import { deleteBackup, isBackupId } from '../ingest/repository.js';

export interface DiffDeps {
  db: Kysely<DB>;
  log: Log;
  clock: Clock;
  config: Pick<Config, 'encryptionKeys'>;
}

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
  before: StoredAttribute[],
  after: StoredAttribute[],
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

type Row = {
  id: string;
  b_key: string | null;
  b_label: string | null;
  b_type: string | null;
  b_attrs: string | null;
  a_key: string | null;
  a_label: string | null;
  a_type: string | null;
  a_attrs: string | null;
};

/** The set difference of two materialised backups (both already checked to belong to the site). */
async function diffMaterialised(
  tx: ClientTransaction,
  beforeId: string,
  afterId: string,
  limit: number,
): Promise<Omit<DiffResult, 'backupId' | 'against'>> {
  const names = await attributeNames(tx.db, beforeId);
  for (const [id, def] of await attributeNames(tx.db, afterId)) if (!names.has(id)) names.set(id, def);
  // only rows that differ at all come back (both sides are canonical JSON as written); the per-attribute check below decides
  await sql`declare diff_rows no scroll cursor for
    select coalesce(b.id, a.id) as id,
      b.object_key as b_key, b.label as b_label, b.object_type_id as b_type, b.attributes as b_attrs,
      a.object_key as a_key, a.label as a_label, a.object_type_id as a_type, a.attributes as a_attrs
    from ${browseTable(beforeId, 'browse_object')} b
    full join ${browseTable(afterId, 'browse_object')} a on a.id = b.id
    where b.id is null or a.id is null or a.attributes <> b.attributes or a.label <> b.label
    order by 1`.execute(tx.db);
  const result: Omit<DiffResult, 'backupId' | 'against'> = {
    summary: { added: 0, removed: 0, changed: 0 },
    added: [],
    removed: [],
    changed: [],
    truncated: false,
  };
  for (;;) {
    const { rows } = await sql<Row>`fetch ${sql.raw(String(FETCH_ROWS))} from diff_rows`.execute(tx.db);
    if (!rows.length) break;
    for (const r of rows) tally(result, r, names, limit);
  }
  const s = result.summary;
  result.truncated =
    result.added.length < s.added || result.removed.length < s.removed || result.changed.length < s.changed;
  return result;
}

/** Counts one differing row and keeps it while its list holds fewer than `limit` entries. */
function tally(
  result: Omit<DiffResult, 'backupId' | 'against'>,
  r: Row,
  names: Map<string, { name: string }>,
  limit: number,
): void {
  if (r.b_key === null) {
    result.summary.added++;
    if (result.added.length < limit)
      result.added.push({ id: r.id, key: r.a_key ?? '', label: r.a_label ?? '', objectTypeId: r.a_type ?? '' });
  } else if (r.a_key === null) {
    result.summary.removed++;
    if (result.removed.length < limit)
      result.removed.push({ id: r.id, key: r.b_key, label: r.b_label ?? '', objectTypeId: r.b_type ?? '' });
  } else {
    const attributes = attributeChanges(
      parseStoredAttributes(r.b_attrs ?? '[]'),
      parseStoredAttributes(r.a_attrs ?? '[]'),
      names,
    );
    const labelChanged = r.a_label !== r.b_label;
    if (!attributes.length && !labelChanged) return;
    result.summary.changed++;
    if (result.changed.length < limit) {
      result.changed.push({
        id: r.id,
        key: r.a_key,
        label: r.a_label ?? '',
        objectTypeId: r.a_type ?? '',
        ...(labelChanged ? { labelBefore: r.b_label ?? '' } : {}),
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
  const before = await requireBrowsableBackup(deps.db, siteId, backupId);
  if (query.against !== 'live') {
    if (!isBackupId(query.against)) throw new ValidationError('`against` must be "live" or a backup id');
    const other = await requireBrowsableBackup(deps.db, siteId, query.against);
    const diff = await withClientTransaction(deps.db, (tx) => diffMaterialised(tx, before.id, other.id, limit), {
      rollback: true,
    });
    return { backupId, against: { kind: 'backup', backupId: other.id }, ...diff };
  }

  const access = await assetsAccessForSite(deps.db, deps.config, siteId);
  const capturedAt = deps.clock.now();
  let liveId: string | undefined;
  try {
    const live = await captureLiveSnapshot(deps.db, {
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
    // the live rows exist only inside this transaction, which is rolled back after the comparison
    const diff = await withClientTransaction(
      deps.db,
      async (tx) => {
        await materialiseSnapshot(tx, live.backupId, { manifest: live.manifest, builtAt: capturedAt });
        return diffMaterialised(tx, before.id, live.backupId, limit);
      },
      { rollback: true },
    );
    return { backupId, against: { kind: 'live', capturedAt: capturedAt.toISOString() }, ...diff };
  } finally {
    // the transient backup row and its chunks
    if (liveId)
      await deleteBackup(deps.db, siteId, liveId).catch((err: unknown) =>
        deps.log.warn({ err, liveId }, 'transient live snapshot not removed'),
      );
  }
}
