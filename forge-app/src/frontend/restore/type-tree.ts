/**
 * The "specific object types" choice: a backup's type tree flattened for checkboxes (depth for indentation), and
 * the selection rule the vault applies too: a chosen type brings its parents, so choosing a child selects its
 * parents, and unchoosing a type unchooses its children (they would need it).
 */
import type { ObjectTypeNode } from '../../contract';

export interface TypeRow {
  id: string;
  name: string;
  depth: number;
  objectCount: number;
  parentId: string | null;
}

export function flattenTypes(roots: readonly ObjectTypeNode[], depth = 0): TypeRow[] {
  return roots.flatMap((node) => [
    { id: node.id, name: node.name, depth, objectCount: node.objectCount, parentId: node.parentId },
    ...flattenTypes(node.children, depth + 1),
  ]);
}

/** The selection after toggling `id`: its parents join it, or its children leave with it. */
export function toggleType(rows: readonly TypeRow[], selected: readonly string[], id: string): string[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const next = new Set(selected);
  if (next.has(id)) {
    const leaving = new Set([id]);
    // rows are parents first, so one pass finds every descendant
    for (const row of rows) if (row.parentId !== null && leaving.has(row.parentId)) leaving.add(row.id);
    for (const gone of leaving) next.delete(gone);
  } else {
    for (let row = byId.get(id); row; row = row.parentId === null ? undefined : byId.get(row.parentId))
      next.add(row.id);
  }
  return rows.filter((row) => next.has(row.id)).map((row) => row.id);
}
