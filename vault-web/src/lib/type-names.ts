import type { ObjectTypeNode } from '../api/vault.js';

/** id → name of every object type in a tree. */
export function typeNames(roots: readonly ObjectTypeNode[]): Map<string, string> {
  const names = new Map<string, string>();
  const walk = (nodes: readonly ObjectTypeNode[]) => {
    for (const n of nodes) {
      names.set(n.id, n.name);
      walk(n.children);
    }
  };
  walk(roots);
  return names;
}

/** Objects in the whole tree (a type's count does not include its children's). */
export const totalObjects = (roots: readonly ObjectTypeNode[]): number =>
  roots.reduce((sum, n) => sum + n.objectCount + totalObjects(n.children), 0);
