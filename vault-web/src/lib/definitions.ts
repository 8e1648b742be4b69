/**
 * A backup's schema definitions as the definitions screen shows them: the object types as a tree, the attributes
 * a type inherits, and each attribute's type and cardinality in words.
 */
import type { AttributeDefinition, TypeDefinition } from '../api/vault.js';
import type { CountedTypeNode } from '../components/TypeTree.js';

/** The object types as a tree (the definitions list them flat, parents before children). */
export function definitionTree(types: readonly TypeDefinition[]): CountedTypeNode[] {
  const nodes = new Map<string, CountedTypeNode>(
    types.map((t) => [t.id, { id: t.id, name: t.name, objectCount: t.objectCount, children: [] }]),
  );
  const roots: CountedTypeNode[] = [];
  for (const t of types) {
    const node = nodes.get(t.id);
    const parent = t.parentId === null ? undefined : nodes.get(t.parentId);
    if (!node) continue;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

/**
 * The ancestors whose attributes `type` inherits, nearest first: up the parents as long as each one passes its
 * attributes on to its children.
 */
export function inheritedFrom(types: readonly TypeDefinition[], type: TypeDefinition): TypeDefinition[] {
  const byId = new Map(types.map((t) => [t.id, t]));
  const out: TypeDefinition[] = [];
  for (let parent = byId.get(type.parentId ?? ''); parent?.inherited; parent = byId.get(parent.parentId ?? '')) {
    if (out.includes(parent)) break;
    out.push(parent);
  }
  return out;
}

/** "Default: Select", "Object reference", "Status"… */
export const attributeTypeName = (a: AttributeDefinition) =>
  a.defaultType !== null ? `${a.kind}: ${a.defaultType}` : a.kind;

/** "0–1", "1–unlimited" (Assets keeps -1 for no upper bound); "—" when the backup does not say. */
export function cardinality(a: AttributeDefinition): string {
  if (a.minimumCardinality === null && a.maximumCardinality === null) return '—';
  const max = a.maximumCardinality === null || a.maximumCardinality < 0 ? 'unlimited' : String(a.maximumCardinality);
  return `${a.minimumCardinality ?? 0}–${max}`;
}

/** Assets status categories. */
export const STATUS_CATEGORIES: Record<number, string> = { 0: 'Inactive', 1: 'Active', 2: 'Pending' };
