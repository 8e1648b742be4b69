/** Browsing a completed backup of the session's site: object type tree, search with keyset paging, object detail. */
import { NotFoundError, ValidationError } from '@assets-vault/shared/errors';
import type { HistoryEntryRecord, ValueRecord } from '@assets-vault/shared/snapshot';
import type { ObjectTypeNode } from '@assets-vault/shared/contract';
import type { VaultDeps } from '../../deps.js';
import * as backupStore from '../backup-store/index.js';

type BrowseDeps = Pick<VaultDeps, 'db'>;

export async function objectTypeTree(deps: BrowseDeps, siteId: string, backupId: string): Promise<ObjectTypeNode[]> {
  const backup = await backupStore.requireBrowsableBackup(deps.db, siteId, backupId);
  const nodes = new Map<string, ObjectTypeNode>();
  for (const type of await backupStore.listObjectTypes(deps.db, backup.id))
    nodes.set(type.id, { ...type, children: [] });
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
  deps: BrowseDeps,
  siteId: string,
  backupId: string,
  query: ObjectListQuery,
): Promise<{ items: ObjectSummary[]; nextCursor: string | null }> {
  const backup = await backupStore.requireBrowsableBackup(deps.db, siteId, backupId);
  const limit = Math.min(Math.max(query.limit ?? DEFAULT_PAGE, 1), MAX_PAGE);
  const q = query.q?.trim();
  const rows = await backupStore.listObjectsAfter(deps.db, backup.id, {
    limit: limit + 1,
    ...(query.objectTypeId !== undefined ? { objectTypeId: query.objectTypeId } : {}),
    ...(q ? { q } : {}),
    ...(query.cursor ? { afterSeq: decodeCursor(query.cursor) } : {}),
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toSummary),
    nextCursor: rows.length > limit && last ? encodeCursor(last.seq) : null,
  };
}

const toSummary = (o: backupStore.BrowseObject): ObjectSummary => ({
  id: o.id,
  key: o.key,
  label: o.label,
  objectTypeId: o.objectTypeId,
  created: o.created.toISOString(),
  updated: o.updated.toISOString(),
});

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

/** The backup's attribute definitions by id. */
export async function attributeNames(
  deps: BrowseDeps,
  backupId: string,
): Promise<Map<string, { name: string; type: number; position: number }>> {
  const attributes = await backupStore.listAttributes(deps.db, backupId);
  return new Map(attributes.map((a) => [a.id, { name: a.name, type: a.type, position: a.position }]));
}

export async function objectDetail(
  deps: BrowseDeps,
  siteId: string,
  backupId: string,
  objectId: string,
): Promise<ObjectDetail> {
  const backup = await backupStore.requireBrowsableBackup(deps.db, siteId, backupId);
  const object = await backupStore.findObject(deps.db, backup.id, objectId);
  if (!object) throw new NotFoundError('Object not found');
  const names = await attributeNames(deps, backup.id);
  const attributes = backupStore
    .parseStoredAttributes(object.attributes)
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
    ...toSummary(object),
    attributes,
    // entries were validated against the snapshot schema when the backup was loaded
    history: object.history ? (JSON.parse(object.history) as HistoryEntryRecord[]) : [],
    issues: object.issues,
  };
}
