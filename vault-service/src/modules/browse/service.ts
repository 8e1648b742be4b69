/** Browsing a completed backup of the session's site: object type tree, search with keyset paging, object detail. */
import { ConflictError, NotFoundError, ValidationError } from '@assets-vault/shared/errors';
import type { HistoryEntryRecord, ValueRecord } from '@assets-vault/shared/snapshot';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { findBackup, type BackupSummary } from '../ingest/repository.js';
import { parseStoredAttributes } from './browse-chunk.js';
import { browseDb, browseTablesIntact, markBrowseTablesLost } from './storage.js';

/** The backup if it is the site's and completed; anything else is "not found" (no tenant oracle). */
export async function requireBrowsableBackup(db: Kysely<DB>, siteId: string, backupId: string): Promise<BackupSummary> {
  const backup = await findBackup(db, siteId, backupId);
  if (!backup || backup.status !== 'completed') throw new NotFoundError('Backup not found');
  if (backup.browseBuiltAt && !(await browseTablesIntact(db, backup.id))) {
    // emptied by crash recovery (they are unlogged) or lost: the search indexer rebuilds them from the chunks
    await markBrowseTablesLost(db, backup.id, backup.browseBuiltAt);
    backup.browseBuiltAt = null;
  }
  // after an upgrade or a crash: the search indexer rebuilds the browse tables from the stored chunks
  if (!backup.browseBuiltAt)
    throw new ConflictError('This backup is being prepared for browsing; try again in a minute', {
      code: 'browse_pending',
    });
  return backup;
}

export interface ObjectTypeNode {
  id: string;
  name: string;
  parentId: string | null;
  abstract: boolean;
  objectCount: number;
  children: ObjectTypeNode[];
}

export async function objectTypeTree(db: Kysely<DB>, siteId: string, backupId: string): Promise<ObjectTypeNode[]> {
  await requireBrowsableBackup(db, siteId, backupId);
  // object_count holds the objects this backup holds (counted at materialisation)
  const rows = await browseDb(db, backupId)
    .selectFrom('browse_object_type')
    .select(['id', 'name', 'parent_id', 'abstract', 'object_count'])
    .orderBy('position')
    .orderBy('id')
    .execute();
  const nodes = new Map<string, ObjectTypeNode>();
  for (const r of rows)
    nodes.set(r.id, {
      id: r.id,
      name: r.name,
      parentId: r.parent_id,
      abstract: r.abstract,
      objectCount: r.object_count,
      children: [],
    });
  const roots: ObjectTypeNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId !== null ? nodes.get(node.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

const encodeCursor = (seq: string) => Buffer.from(`s:${seq}`).toString('base64url');
function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^s:(\d{1,18})$/.exec(text);
  if (!m?.[1]) throw new ValidationError('Invalid cursor', { code: 'invalid_cursor' });
  return m[1];
}

/** `%`, `_` and `\` are literal in a search. */
const likePattern = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export interface ObjectListQuery {
  q?: string;
  objectTypeId?: string;
  cursor?: string;
  limit?: number;
}
export interface ObjectSummary {
  id: string;
  key: string;
  label: string;
  objectTypeId: string;
  created: string;
  updated: string;
}

export async function listObjects(
  db: Kysely<DB>,
  siteId: string,
  backupId: string,
  query: ObjectListQuery,
): Promise<{ items: ObjectSummary[]; nextCursor: string | null }> {
  await requireBrowsableBackup(db, siteId, backupId);
  const limit = Math.min(Math.max(query.limit ?? DEFAULT_PAGE, 1), MAX_PAGE);
  let qb = browseDb(db, backupId)
    .selectFrom('browse_object')
    .select(['seq', 'id', 'object_key', 'label', 'object_type_id', 'created', 'updated']);
  if (query.objectTypeId !== undefined) qb = qb.where('object_type_id', '=', query.objectTypeId);
  const q = query.q?.trim();
  if (q) qb = qb.where(sql<boolean>`search_text like ${likePattern(q)}`);
  if (query.cursor) qb = qb.where('seq', '>', decodeCursor(query.cursor));
  const rows = await qb
    .orderBy('seq')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      id: r.id,
      key: r.object_key,
      label: r.label,
      objectTypeId: r.object_type_id,
      created: r.created.toISOString(),
      updated: r.updated.toISOString(),
    })),
    nextCursor: rows.length > limit && last ? encodeCursor(String(last.seq)) : null,
  };
}

export interface ResolvedValue {
  value: string | null;
  displayValue: string;
  reference?: { id: string; key: string; label: string };
  user?: { accountId: string | null; displayName: string | null };
  status?: { id: string; name: string };
}
export interface ResolvedAttribute {
  id: string;
  name: string;
  type: number | null;
  values: ResolvedValue[];
}
export interface ObjectDetail extends ObjectSummary {
  attributes: ResolvedAttribute[];
  history: HistoryEntryRecord[];
  issues: { issueId: string; issueKey: string; fieldId: string; fieldName: string }[];
}

export function resolveValue(v: ValueRecord): ResolvedValue {
  const out: ResolvedValue = { value: v.value ?? null, displayValue: v.displayValue };
  if (v.referencedObject)
    out.reference = { id: v.referencedObject.id, key: v.referencedObject.objectKey, label: v.referencedObject.label };
  if (v.user) out.user = { accountId: v.user.key ?? null, displayName: v.user.displayName ?? null };
  if (v.status) out.status = { id: v.status.id, name: v.status.name };
  return out;
}

export async function attributeNames(
  db: Kysely<DB>,
  backupId: string,
): Promise<Map<string, { name: string; type: number; position: number }>> {
  const rows = await browseDb(db, backupId)
    .selectFrom('browse_attribute')
    .select(['id', 'name', 'type', 'position'])
    .execute();
  return new Map(rows.map((r) => [r.id, { name: r.name, type: r.type, position: r.position }]));
}

export async function objectDetail(
  db: Kysely<DB>,
  siteId: string,
  backupId: string,
  objectId: string,
): Promise<ObjectDetail> {
  await requireBrowsableBackup(db, siteId, backupId);
  const browse = browseDb(db, backupId);
  const row = await browse.selectFrom('browse_object').selectAll().where('id', '=', objectId).executeTakeFirst();
  if (!row) throw new NotFoundError('Object not found');
  const names = await attributeNames(db, backupId);
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
  const attributes = parseStoredAttributes(row.attributes)
    .map((a) => {
      const id = a.objectTypeAttributeId;
      const def = names.get(id);
      return {
        id,
        name: def?.name ?? id,
        type: def?.type ?? null,
        position: def?.position ?? Number.MAX_SAFE_INTEGER,
        values: a.objectAttributeValues.map(resolveValue),
      };
    })
    .sort((x, y) => x.position - y.position)
    .map(({ position: _p, ...rest }) => rest);
  return {
    id: row.id,
    key: row.object_key,
    label: row.label,
    objectTypeId: row.object_type_id,
    created: row.created.toISOString(),
    updated: row.updated.toISOString(),
    attributes,
    // entries were validated against the snapshot schema when the backup was loaded
    history: history ? (JSON.parse(history.entries) as HistoryEntryRecord[]) : [],
    issues: issues.map((i) => ({
      issueId: i.issue_id,
      issueKey: i.issue_key,
      fieldId: i.field_id,
      fieldName: i.field_name,
    })),
  };
}
