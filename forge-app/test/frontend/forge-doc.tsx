/**
 * Rendering through the real Forge reconciler (forge.md §9.4 b): `ForgeReconciler.render` serialises the page into
 * the forgeDoc it sends Jira with the bridge's `reconcile` command, and the page's `invoke` calls arrive as the
 * bridge's `invoke` command. A test answers those like the resolvers would, reads the latest forgeDoc, and acts on
 * it by calling the handlers the forgeDoc carries (what Jira calls when the admin clicks or types).
 */
import React from 'react';
import ForgeReconciler, { Box } from '@forge/react';

export interface ForgeDoc {
  type: string;
  props: Record<string, unknown>;
  children: ForgeDoc[];
  key: string;
}

export const find = (doc: ForgeDoc, type: string): ForgeDoc[] => [
  ...(doc.type === type ? [doc] : []),
  ...doc.children.flatMap((child) => find(child, type)),
];

/** The text of a node: its String leaves, in order. */
export const text = (doc: ForgeDoc): string =>
  doc.type === 'String' ? String(doc.props.text ?? '') : doc.children.map(text).join('');

export type Answer = (key: string, payload: Record<string, unknown>) => unknown;

export interface ForgePage {
  /** the forgeDoc Jira received last for this page */
  doc(): ForgeDoc;
  /** resolver calls in order */
  invoked: Array<{ key: string; payload: Record<string, unknown> }>;
  /** other bridge commands (e.g. `navigate` for router.open) */
  commands: Array<{ command: string; data: unknown }>;
  settle(): Promise<void>;
  /** the n-th node of `type` whose text is `label` (Buttons, Tabs, …) */
  byText(type: string, label: string, index?: number): ForgeDoc;
  click(label: string, index?: number): Promise<void>;
  /** calls a handler prop of a node and lets the page settle */
  fire(node: ForgeDoc, prop: string, ...args: unknown[]): Promise<void>;
  /** the node with this `id` prop (Textfield, Select, DatePicker, …; the reconciler prefixes ids per app) */
  field(id: string): ForgeDoc;
  texts(): string;
}

const bridge = () => (globalThis as unknown as { __bridge: { callBridge: jest.Mock } }).__bridge;
let pages = 0;

/** Renders `element` through ForgeReconciler with `answer` standing in for the resolvers. */
export async function renderForge(element: React.ReactElement, answer: Answer): Promise<ForgePage> {
  // several pages may live in one test file: each is marked, and only its own forgeDocs are read
  const marker = `forge-page-${++pages}`;
  let latest: ForgeDoc | undefined;
  const invoked: ForgePage['invoked'] = [];
  const commands: ForgePage['commands'] = [];
  const isMine = (doc: ForgeDoc) => find(doc, 'Box').some((box) => box.props.testId === marker);
  bridge().callBridge.mockImplementation(async (command: string, data: Record<string, unknown>) => {
    if (command === 'reconcile') {
      const doc = data.forgeDoc as ForgeDoc;
      if (isMine(doc)) latest = doc;
      return undefined;
    }
    if (command === 'invoke') {
      const key = String(data.functionKey);
      const payload = (data.payload ?? {}) as Record<string, unknown>;
      invoked.push({ key, payload });
      return answer(key, payload);
    }
    commands.push({ command, data });
    return undefined;
  });
  const settle = async () => {
    for (let i = 0; i < 12; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  ForgeReconciler.render(<Box testId={marker}>{element}</Box>);
  await settle();
  const doc = () => {
    if (!latest) throw new Error('nothing was reconciled');
    return latest;
  };
  const byText = (type: string, label: string, index = 0) => {
    const matches = find(doc(), type).filter((node) => text(node) === label);
    const node = matches[index];
    if (!node)
      throw new Error(`no ${type} "${label}" (#${index}); there are: ${find(doc(), type).map(text).join(' | ')}`);
    return node;
  };
  const fire = async (node: ForgeDoc, prop: string, ...args: unknown[]) => {
    const handler = node.props[prop];
    if (typeof handler !== 'function') throw new Error(`${node.type} has no ${prop} handler`);
    await (handler as (...a: unknown[]) => unknown)(...args);
    await settle();
  };
  return {
    doc,
    invoked,
    commands,
    settle,
    byText,
    click: (label, index) => fire(byText('Button', label, index), 'onClick'),
    fire,
    field: (id) => {
      const node = [...find(doc(), 'Textfield'), ...find(doc(), 'Select'), ...find(doc(), 'DatePicker')].find(
        (n) => n.props.id === id || (typeof n.props.id === 'string' && n.props.id.endsWith(`-${id}`)),
      );
      if (!node)
        throw new Error(
          `no field #${id}; ids: ${[...find(doc(), 'Textfield'), ...find(doc(), 'Select'), ...find(doc(), 'DatePicker')].map((n) => `${n.type}:${String(n.props.id)}`).join(', ')}`,
        );
      return node;
    },
    texts: () => text(doc()),
  };
}
