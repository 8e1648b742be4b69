/**
 * The vault connection panel and the page shell. The panel test replaces `invoke`; the App test
 * runs the real Forge reconciler and answers the bridge's own `invoke` commands (forge.md §9.4 b),
 * to check the page serialises into the forgeDoc Jira renders.
 */
import React from 'react';
import TestRenderer, { act } from 'react-test-renderer';
import type * as bridgeModule from '@forge/bridge';
import { invoke } from '@forge/bridge';
import ForgeReconciler from '@forge/react';
import type { VaultStatusView } from '../../src/contract';
import { App } from '../../src/frontend/App';
import { VaultStatus } from '../../src/frontend/VaultStatus';
import { button, byType, flush, textOf } from './ui-helpers';

jest.mock('@forge/bridge', () => ({ ...jest.requireActual('@forge/bridge'), invoke: jest.fn() }));
const invokeMock = invoke as jest.MockedFunction<typeof invoke>;

const unreachable: VaultStatusView = {
  vaultUrl: 'https://vault.example.com',
  configured: true,
  lastSuccessAt: '2026-11-25T09:00:00.000Z',
  lastError: { at: '2026-11-25T10:00:00.000Z', message: 'Vault unreachable (ECONNREFUSED)' },
  deliveries: [
    {
      id: 'evt_1',
      type: 'trusted_user.invited',
      createdAt: '2026-11-25T10:00:00.000Z',
      attempts: 8,
      state: 'failed',
      lastError: 'Vault unreachable (ECONNREFUSED)',
    },
  ],
};

it('shows the vault URL, the last successful call, the error, and retries failed deliveries', async () => {
  invokeMock.mockReset();
  invokeMock.mockImplementation((async (key: string) => {
    if (key === 'getVaultStatus') return { ok: true, data: unreachable };
    if (key === 'retryDeliveries') return { ok: true, data: { ...unreachable, lastError: undefined, deliveries: [] } };
    throw new Error(key);
  }) as typeof invoke);
  let r!: TestRenderer.ReactTestRenderer;
  await act(async () => {
    r = TestRenderer.create(<VaultStatus refreshKey={0} />);
    await flush();
  });
  const text = byType(r.root, 'Text').map(textOf).join('\n');
  expect(text).toContain('Vault URL: https://vault.example.com');
  expect(text).toContain('Last successful call: ');
  expect(text).toContain('Vault unreachable (ECONNREFUSED)');
  expect(byType(r.root, 'Lozenge').map(textOf)).toEqual(['Unreachable']);
  expect(text).toContain('trusted_user.invited');

  await act(async () => {
    await button(r.root, 'Retry now').props.onClick();
    await flush();
  });
  expect(invokeMock).toHaveBeenCalledWith('retryDeliveries', {});
  expect(byType(r.root, 'Lozenge').map(textOf)).toEqual(['Connected']);
  r.unmount();
});

type ForgeDoc = { type: string; props: Record<string, unknown>; children: ForgeDoc[] };
const find = (doc: ForgeDoc, type: string): ForgeDoc[] => [
  ...(doc.type === type ? [doc] : []),
  ...doc.children.flatMap((c) => find(c, type)),
];

it('renders the page through the Forge reconciler with the top menu and both screens', async () => {
  const bridge = (globalThis as unknown as { __bridge: { callBridge: jest.Mock } }).__bridge;
  const actual = jest.requireActual<typeof bridgeModule>('@forge/bridge');
  invokeMock.mockImplementation(actual.invoke);
  let latest: ForgeDoc | undefined;
  const answers: Record<string, unknown> = {
    getVaultStatus: { ok: true, data: { ...unreachable, lastError: undefined, deliveries: [] } },
    listTrustedUsers: { ok: true, data: [] },
    listSchemas: { ok: true, data: [] },
  };
  bridge.callBridge.mockImplementation(async (command: string, data: { forgeDoc?: ForgeDoc; functionKey?: string }) => {
    if (command === 'reconcile') latest = data.forgeDoc;
    if (command === 'invoke') return answers[data.functionKey ?? ''];
    return undefined;
  });
  ForgeReconciler.render(<App />);
  for (let i = 0; i < 10; i++) await flush();
  expect(latest).toBeDefined();
  const doc = latest as ForgeDoc;
  expect(
    find(doc, 'Tab').map((tab) =>
      find(tab, 'String')
        .map((s) => s.props.text)
        .join(''),
    ),
  ).toEqual(['Assets backup vault', 'Backup configuration', 'Restore']);
  expect(find(doc, 'TabPanel')).toHaveLength(3);
  expect(find(doc, 'Button').some((b) => find(b, 'String').some((s) => s.props.text === '+ Add trusted users'))).toBe(
    true,
  );
  const invoked = bridge.callBridge.mock.calls
    .filter(([command]) => command === 'invoke')
    .map(([, data]) => (data as { functionKey: string }).functionKey);
  expect(invoked).toEqual(expect.arrayContaining(['getVaultStatus', 'listTrustedUsers']));
});
