/**
 * Reads of a completed backup's browse tables (its own Postgres schema, see browse-tables.ts): the
 * object type tree, keyset pages of objects, one object with its history and issues, export batches,
 * and the difference between two backups. Callers have checked that the backup is the site's and
 * browsable (`requireBrowsableBackup`); the ids here are never taken from a client unchecked.
 */
import { sql } from 'kysely';
import type { ClientTransaction } from '../../db/client-transaction.js';
import type { Executor } from '../../db/types.js';
import { browseDb, browseTable } from './browse-tables.js';

export interface BrowseObjectType {
  id: string;
  name: string;
  parentId: string | null;
  abstract: boolean;
  /** objects of this type in this backup, counted when it was loaded */
  objectCount: number;
}

/** In schema order (position, then id). */
export async function listObjectTypes(db: Executor, backupId: string): Promise<BrowseObjectType[]> {
  const rows = await browseDb(db, backupId)
    .selectFrom('browse_object_type')
    .select(['id', 'name', 'parent_id', 'abstract', 'object_count'])
    .orderBy('position')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    parentId: r.parent_id,
    abstract: r.abstract,
    objectCount: r.object_count,
  }));
}

export interface BrowseAttribute {
  id: string;
  objectTypeId: string;
  name: string;
  type: number;
  position: number;
}

/** In schema order (position, then id). */
export async function listAttributes(db: Executor, backupId: string): Promise<BrowseAttribute[]> {
  const rows = await browseDb(db, backupId)
    .selectFrom('browse_attribute')
    .select(['id', 'object_type_id', 'name', 'type', 'position'])
    .orderBy('position')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    objectTypeId: r.object_type_id,
    name: r.name,
    type: r.type,
    position: r.position,
  }));
}

export interface BrowseObject {
  /** snapshot order: the keyset of every page */
  seq: string;
  id: string;
  key: string;
  label: string;
  objectTypeId: string;
  created: Date;
  updated: Date;
}

/** `%`, `_` and `\` are literal in a search. */
const likePattern = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Objects after `afterSeq` in snapshot order, at most `limit`; `q` matches label, key and every display
 * value (case-insensitive substring, served by the trigram index once the search indexer built it).
 */
export async function listObjectsAfter(
  db: Executor,
  backupId: string,
  page: { afterSeq?: string; limit: number; objectTypeId?: string; q?: string },
): Promise<BrowseObject[]> {
  let query = browseDb(db, backupId)
    .selectFrom('browse_object')
    .select(['seq', 'id', 'object_key', 'label', 'object_type_id', 'created', 'updated']);
  if (page.objectTypeId !== undefined) query = query.where('object_type_id', '=', page.objectTypeId);
  if (page.q) query = query.where(sql<boolean>`search_text like ${likePattern(page.q)}`);
  if (page.afterSeq !== undefined) query = query.where('seq', '>', page.afterSeq);
  const rows = await query.orderBy('seq').limit(page.limit).execute();
  return rows.map((r) => ({
    seq: String(r.seq),
    id: r.id,
    key: r.object_key,
    label: r.label,
    objectTypeId: r.object_type_id,
    created: r.created,
    updated: r.updated,
  }));
}

export interface StoredObject extends Omit<BrowseObject, 'created' | 'updated'> {
  /** JSON text of the snapshot record's attributes (`parseStoredAttributes`) */
  attributes: string;
}

/** Objects with their stored attributes, after `afterSeq` in snapshot order (export batches). */
export async function listObjectsWithAttributesAfter(
  db: Executor,
  backupId: string,
  page: { afterSeq?: string; limit: number; objectTypeId?: string },
): Promise<StoredObject[]> {
  let query = browseDb(db, backupId)
    .selectFrom('browse_object')
    .select(['seq', 'id', 'object_key', 'label', 'object_type_id', 'attributes']);
  if (page.objectTypeId !== undefined) query = query.where('object_type_id', '=', page.objectTypeId);
  if (page.afterSeq !== undefined) query = query.where('seq', '>', page.afterSeq);
  const rows = await query.orderBy('seq').limit(page.limit).execute();
  return rows.map((r) => ({
    seq: String(r.seq),
    id: r.id,
    key: r.object_key,
    label: r.label,
    objectTypeId: r.object_type_id,
    attributes: r.attributes,
  }));
}

export interface StoredObjectDetail extends BrowseObject {
  /** JSON text of the snapshot record's attributes (`parseStoredAttributes`) */
  attributes: string;
  /** JSON text of the history record's entries, null when the object has none */
  history: string | null;
  issues: { issueId: string; issueKey: string; fieldId: string; fieldName: string }[];
}

export async function findObject(
  db: Executor,
  backupId: string,
  objectId: string,
): Promise<StoredObjectDetail | undefined> {
  const browse = browseDb(db, backupId);
  const row = await browse
    .selectFrom('browse_object')
    .select(['seq', 'id', 'object_key', 'label', 'object_type_id', 'created', 'updated', 'attributes'])
    .where('id', '=', objectId)
    .executeTakeFirst();
  if (!row) return undefined;
  const history = await browse
    .selectFrom('browse_history')
    .select('entries')
    .where('object_id', '=', objectId)
    .executeTakeFirst();
  const issues = await browse
    .selectFrom('browse_issue_ref')
    .select(['issue_id', 'issue_key', 'field_id', 'field_name'])
    .where('object_id', '=', objectId)
    .orderBy('issue_key')
    .execute();
  return {
    seq: String(row.seq),
    id: row.id,
    key: row.object_key,
    label: row.label,
    objectTypeId: row.object_type_id,
    created: row.created,
    updated: row.updated,
    attributes: row.attributes,
    history: history?.entries ?? null,
    issues: issues.map((i) => ({
      issueId: i.issue_id,
      issueKey: i.issue_key,
      fieldId: i.field_id,
      fieldName: i.field_name,
    })),
  };
}

/** One object present in either backup whose label or attributes differ; the other side's columns are null. */
export interface ObjectDifference {
  id: string;
  before: { key: string; label: string; objectTypeId: string; attributes: string } | null;
  after: { key: string; label: string; objectTypeId: string; attributes: string } | null;
}

type DiffRow = {
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

const side = (key: string | null, label: string | null, type: string | null, attrs: string | null) =>
  key === null ? null : { key, label: label ?? '', objectTypeId: type ?? '', attributes: attrs ?? '[]' };

/**
 * Every object that differs between two loaded backups, by id order, handed over in batches of
 * `batchRows`: one SQL full join read through a server-side cursor, so memory holds one batch, never
 * two schemas. Only rows that differ at all come back (both sides are canonical JSON as written).
 */
export async function forEachObjectDifference(
  tx: ClientTransaction,
  beforeId: string,
  afterId: string,
  batchRows: number,
  consume: (batch: ObjectDifference[]) => void,
): Promise<void> {
  await sql`declare diff_rows no scroll cursor for
    select coalesce(b.id, a.id) as id,
      b.object_key as b_key, b.label as b_label, b.object_type_id as b_type, b.attributes as b_attrs,
      a.object_key as a_key, a.label as a_label, a.object_type_id as a_type, a.attributes as a_attrs
    from ${browseTable(beforeId, 'browse_object')} b
    full join ${browseTable(afterId, 'browse_object')} a on a.id = b.id
    where b.id is null or a.id is null or a.attributes <> b.attributes or a.label <> b.label
    order by 1`.execute(tx.db);
  for (;;) {
    const { rows } = await sql<DiffRow>`fetch ${sql.raw(String(batchRows))} from diff_rows`.execute(tx.db);
    if (!rows.length) return;
    consume(
      rows.map((r) => ({
        id: r.id,
        before: side(r.b_key, r.b_label, r.b_type, r.b_attrs),
        after: side(r.a_key, r.a_label, r.a_type, r.a_attrs),
      })),
    );
  }
}
