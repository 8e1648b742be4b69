/**
 * Materialises a snapshot into the browse tables while it streams past (completion re-reads every
 * chunk anyway): never holds more than one batch of rows. Batched multi-row INSERTs (README "Browse
 * storage" has the measurements behind the batch size).
 */
import type { SnapshotRecord, ValueRecord } from '@assets-vault/shared/snapshot';
import { sql, type Insertable, type Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import type { BrowseHistoryTable, BrowseIssueRefTable, BrowseObjectTable } from '../../db/tables/browse.js';

export const MATERIALISE_BATCH_ROWS = 1000;

export interface Materialiser {
  add(record: SnapshotRecord): Promise<void>;
  /** Writes what is left; call once after the last record. */
  finish(): Promise<{ objects: number }>;
  /** After a failure: waits for an insert still under way (its error ignored) so clean-up sees every row. */
  settle(): Promise<void>;
}

/** The stored attribute values of one object. */
export interface StoredAttribute { attributeId: string; values: ValueRecord[] }

function searchText(label: string, key: string, attributes: StoredAttribute[]): string {
  const parts = [label, key];
  for (const a of attributes) for (const v of a.values) parts.push(v.displayValue);
  return parts.join(' ').toLowerCase();
}

/** Removes whatever an earlier, failed attempt left for this backup. */
export async function clearBrowseRows(db: Kysely<DB>, backupId: string): Promise<void> {
  for (const table of ['browse_issue_ref', 'browse_history', 'browse_object', 'browse_attribute', 'browse_object_type'] as const) {
    await db.deleteFrom(table).where('backup_id', '=', backupId).execute();
  }
}

/** One statement per batch: ten array parameters through unnest() instead of ten parameters per row. */
async function insertObjects(db: Kysely<DB>, backupId: string, rows: Insertable<BrowseObjectTable>[]): Promise<void> {
  const col = <K extends keyof Insertable<BrowseObjectTable>>(k: K) => rows.map((r) => r[k]);
  await sql`insert into browse_object (backup_id, seq, id, object_key, label, object_type_id, created, updated, attributes, search_text)
    select ${backupId}::uuid, * from unnest(${col('seq')}::bigint[], ${col('id')}::text[], ${col('object_key')}::text[], ${col('label')}::text[],
      ${col('object_type_id')}::text[], ${col('created')}::timestamptz[], ${col('updated')}::timestamptz[], ${col('attributes')}::jsonb[], ${col('search_text')}::text[])`
    .execute(db);
}

export function createMaterialiser(db: Kysely<DB>, backupId: string, batchRows = MATERIALISE_BATCH_ROWS): Materialiser {
  let seq = 0;
  const perType = new Map<string, number>();
  let objects: Insertable<BrowseObjectTable>[] = [];
  let history: Insertable<BrowseHistoryTable>[] = [];
  let issueRefs: Insertable<BrowseIssueRefTable>[] = [];

  // One batch may be in the database while the next is built: reading, verifying and parsing the
  // chunks overlaps with the inserts; never more than two batches in memory.
  let inflight: Promise<void> = Promise.resolve();
  async function submit(write: () => Promise<unknown>): Promise<void> {
    await inflight;
    inflight = write().then(() => undefined);
    // a failure surfaces on the next submit or in finish(); keep it from being unhandled meanwhile
    inflight.catch(() => undefined);
  }

  async function flush(all: boolean): Promise<void> {
    if (objects.length && (all || objects.length >= batchRows)) {
      const rows = objects; objects = [];
      await submit(() => insertObjects(db, backupId, rows));
    }
    if (history.length && (all || history.length >= batchRows)) {
      const rows = history; history = [];
      await submit(() => db.insertInto('browse_history').values(rows).execute());
    }
    if (issueRefs.length && (all || issueRefs.length >= batchRows)) {
      const rows = issueRefs; issueRefs = [];
      await submit(() => db.insertInto('browse_issue_ref').values(rows).execute());
    }
  }

  return {
    async add(record) {
      switch (record.kind) {
        case 'objectType':
          await db.insertInto('browse_object_type').values({
            backup_id: backupId, id: record.id, name: record.name, parent_id: record.parentObjectTypeId ?? null,
            position: record.position, object_count: record.objectCount, abstract: record.abstractObjectType,
          }).onConflict((oc) => oc.doNothing()).execute();
          return;
        case 'attribute':
          await db.insertInto('browse_attribute').values({
            backup_id: backupId, id: record.id, object_type_id: record.objectTypeId, name: record.name, type: record.type, position: record.position,
          }).onConflict((oc) => oc.doNothing()).execute();
          return;
        case 'object': {
          perType.set(record.objectTypeId, (perType.get(record.objectTypeId) ?? 0) + 1);
          const attributes: StoredAttribute[] = record.attributes.map((a) => ({ attributeId: a.objectTypeAttributeId, values: a.objectAttributeValues }));
          objects.push({
            backup_id: backupId, seq: seq++, id: record.id, object_key: record.objectKey, label: record.label,
            object_type_id: record.objectTypeId, created: record.created, updated: record.updated,
            attributes: JSON.stringify(attributes), search_text: searchText(record.label, record.objectKey, attributes),
          });
          break;
        }
        case 'history':
          history.push({ backup_id: backupId, object_id: record.objectId, entries: JSON.stringify(record.entries) });
          break;
        case 'issueRef':
          for (const objectId of record.objectIds) {
            issueRefs.push({
              backup_id: backupId, object_id: objectId, issue_id: record.issueId, issue_key: record.issueKey,
              field_id: record.fieldId, field_name: record.fieldName,
            });
          }
          break;
        default:
          return;
      }
      await flush(false);
    },
    async finish() {
      await flush(true);
      await inflight;
      // the tree shows what this backup holds: the counted objects replace the announced counts
      await db.updateTable('browse_object_type').set({ object_count: 0 }).where('backup_id', '=', backupId).execute();
      await sql`update browse_object_type t set object_count = c.n
        from unnest(${[...perType.keys()]}::text[], ${[...perType.values()]}::int[]) as c(id, n)
        where t.backup_id = ${backupId}::uuid and t.id = c.id`.execute(db);
      return { objects: seq };
    },
    async settle() {
      await inflight.catch(() => undefined);
    },
  };
}
