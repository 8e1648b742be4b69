/**
 * Querying rendered UI Kit trees (forge.md §9.4): UI Kit components are string host types such as
 * 'Button' or 'Modal', so tests find them by type and read their props and text.
 */
import type { ReactTestInstance } from 'react-test-renderer';

export const byType = (root: ReactTestInstance, type: string): ReactTestInstance[] =>
  root.findAll((node) => node.type === type);

export const textOf = (node: ReactTestInstance | string): string =>
  typeof node === 'string' ? node : node.children.map((child) => textOf(child)).join('');

export function button(root: ReactTestInstance, label: string, index = 0): ReactTestInstance {
  const matches = byType(root, 'Button').filter((node) => textOf(node) === label);
  const found = matches[index];
  if (!found)
    throw new Error(`No button "${label}" (#${index}); buttons: ${byType(root, 'Button').map(textOf).join(', ')}`);
  return found;
}

export const allText = (root: ReactTestInstance): string => byType(root, 'Text').map(textOf).join('\n');

/** Resolves after pending promise callbacks (effects that awaited `invoke`) have run. */
export const flush = () => new Promise((resolve) => setImmediate(resolve));
