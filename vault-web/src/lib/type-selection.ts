/**
 * Choosing object types in a tree (the restore options of phase 2, "restore specific object types"): an object
 * type exists only under its parent, so choosing a type also chooses every ancestor it needs, and un-choosing a
 * type un-chooses its descendants, which would otherwise be left without their parent.
 */
export interface TypeNode {
  id: string;
  name: string;
  children: TypeNode[];
}

export interface TypeIndex {
  parentOf: Map<string, string | undefined>;
  childrenOf: Map<string, string[]>;
  /** every id, parents before children */
  order: string[];
}

export function indexTypes(roots: readonly TypeNode[]): TypeIndex {
  const parentOf = new Map<string, string | undefined>();
  const childrenOf = new Map<string, string[]>();
  const order: string[] = [];
  const visit = (node: TypeNode, parent: string | undefined) => {
    parentOf.set(node.id, parent);
    childrenOf.set(
      node.id,
      node.children.map((c) => c.id),
    );
    order.push(node.id);
    for (const child of node.children) visit(child, node.id);
  };
  for (const root of roots) visit(root, undefined);
  return { parentOf, childrenOf, order };
}

export function ancestors(index: TypeIndex, id: string): string[] {
  const out: string[] = [];
  for (let p = index.parentOf.get(id); p !== undefined; p = index.parentOf.get(p)) out.push(p);
  return out;
}

export function descendants(index: TypeIndex, id: string): string[] {
  const out: string[] = [];
  const stack = [...(index.childrenOf.get(id) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop() ?? '';
    out.push(next);
    stack.push(...(index.childrenOf.get(next) ?? []));
  }
  return out;
}

/** The selection after the user ticks (`checked`) or unticks a type. */
export function toggleType(index: TypeIndex, selected: ReadonlySet<string>, id: string, checked: boolean): Set<string> {
  const next = new Set(selected);
  if (checked) for (const t of [id, ...ancestors(index, id)]) next.add(t);
  else for (const t of [id, ...descendants(index, id)]) next.delete(t);
  return next;
}

/** Whether a selection is consistent: every chosen type's parent is chosen too. */
export const isClosedUnderParents = (index: TypeIndex, selected: ReadonlySet<string>): boolean =>
  [...selected].every((id) => ancestors(index, id).every((a) => selected.has(a)));
