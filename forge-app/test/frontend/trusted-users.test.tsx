/**
 * The trusted users screen rendered with react-test-renderer; `invoke` (the bridge to the
 * resolvers) is the only replaced edge, answered by a small in-test backend that keeps a list.
 */
import React from 'react';
import TestRenderer, { act, type ReactTestRenderer } from 'react-test-renderer';
import { invoke } from '@forge/bridge';
import type { TrustedUserView } from '../../src/contract';
import { GOOGLE_MICROSOFT_NOTE, TrustedUsers } from '../../src/frontend/TrustedUsers';
import { allText, button, byType, flush, textOf } from './ui-helpers';

jest.mock('@forge/bridge', () => ({ ...jest.requireActual('@forge/bridge'), invoke: jest.fn() }));
const invokeMock = invoke as jest.MockedFunction<typeof invoke>;

const ana: TrustedUserView = {
  email: 'ana@example.com',
  invitedBy: { accountId: 'acc-1', displayName: 'Admin One' },
  invitedAt: '2026-11-25T10:00:00.000Z',
  status: 'invited',
};
const bo: TrustedUserView = {
  email: 'bo@example.com',
  invitedBy: { accountId: 'acc-1', displayName: 'Admin One' },
  invitedAt: '2026-11-25T11:00:00.000Z',
  status: 'pending',
};

let users: TrustedUserView[];
let refuseNextAdd: string | undefined;

beforeEach(() => {
  users = [ana, bo];
  refuseNextAdd = undefined;
  invokeMock.mockReset();
  invokeMock.mockImplementation((async (key: string, payload?: Record<string, unknown>) => {
    if (key === 'listTrustedUsers') return { ok: true, data: users };
    if (key === 'addTrustedUser') {
      if (refuseNextAdd) return { ok: false, error: { code: 'already_trusted', message: refuseNextAdd } };
      const user: TrustedUserView = { ...ana, email: String(payload?.email).toLowerCase(), status: 'invited' };
      users = [...users, user];
      return { ok: true, data: user };
    }
    if (key === 'removeTrustedUser') {
      users = users.filter((u) => u.email !== payload?.email);
      return { ok: true, data: { email: payload?.email, status: 'removed' } };
    }
    throw new Error(`unexpected resolver ${key}`);
  }) as typeof invoke);
});

async function render(): Promise<ReactTestRenderer> {
  let renderer!: ReactTestRenderer;
  await act(async () => {
    renderer = TestRenderer.create(<TrustedUsers />);
    await flush();
  });
  return renderer;
}

const callsOf = (key: string) => invokeMock.mock.calls.filter(([k]) => k === key);

it('lists trusted users with email, invited by, date and status', async () => {
  const r = await render();
  expect(invokeMock).toHaveBeenCalledWith('listTrustedUsers', {});
  const rows = byType(r.root, 'Row');
  expect(rows.map((row) => row.props.rowKey)).toEqual(['ana@example.com', 'bo@example.com']);
  const firstRow = textOf(rows[0]!);
  expect(firstRow).toContain('ana@example.com');
  expect(firstRow).toContain('Admin One');
  expect(firstRow).toContain('2026');
  expect(firstRow).toContain('Invited');
  expect(textOf(rows[1]!)).toContain('Waiting for the vault');
  r.unmount();
});

it('validates the email before inviting, then calls addTrustedUser and shows success', async () => {
  const r = await render();
  await act(async () => {
    button(r.root, '+ Add trusted users').props.onClick();
  });
  const [modal] = byType(r.root, 'Modal');
  expect(textOf(byType(modal!, 'ModalTitle')[0]!)).toBe('Add trusted users');
  expect(textOf(modal!)).toContain(GOOGLE_MICROSOFT_NOTE);
  expect(textOf(button(modal!, 'Invite'))).toBe('Invite');

  // empty, then malformed: the form refuses and no resolver is called
  await act(async () => {
    await byType(r.root, 'Form')[0]!.props.onSubmit();
  });
  expect(byType(r.root, 'ErrorMessage').map(textOf)).toEqual(['Enter a valid email address']);
  await act(async () => {
    byType(r.root, 'Textfield')[0]!.props.onChange({ target: { type: 'text', value: 'ana@@example' } });
  });
  await act(async () => {
    await byType(r.root, 'Form')[0]!.props.onSubmit();
  });
  expect(byType(r.root, 'ErrorMessage')).toHaveLength(1);
  expect(callsOf('addTrustedUser')).toHaveLength(0);

  await act(async () => {
    byType(r.root, 'Textfield')[0]!.props.onChange({ target: { type: 'text', value: ' Carl@Example.com ' } });
  });
  await act(async () => {
    await byType(r.root, 'Form')[0]!.props.onSubmit();
    await flush();
  });
  expect(callsOf('addTrustedUser')).toEqual([['addTrustedUser', { email: 'Carl@Example.com' }]]);
  expect(byType(r.root, 'Modal')).toHaveLength(0);
  expect(allText(r.root)).toContain('Invitation sent to carl@example.com.');
  expect(byType(r.root, 'Row').map((row) => row.props.rowKey)).toContain('carl@example.com');
  r.unmount();
});

it('keeps the modal open and shows the resolver error when the invite is refused', async () => {
  refuseNextAdd = 'ana@example.com is already a trusted user';
  const r = await render();
  await act(async () => {
    button(r.root, '+ Add trusted users').props.onClick();
  });
  await act(async () => {
    byType(r.root, 'Textfield')[0]!.props.onChange({ target: { type: 'text', value: 'ana@example.com' } });
  });
  await act(async () => {
    await byType(r.root, 'Form')[0]!.props.onSubmit();
    await flush();
  });
  const [modal] = byType(r.root, 'Modal');
  expect(modal).toBeDefined();
  const message = byType(modal!, 'SectionMessage')[0]!;
  expect(message.props.appearance).toBe('error');
  expect(textOf(message)).toBe('ana@example.com is already a trusted user');
  r.unmount();
});

it('asks for confirmation before removing, and cancel removes nothing', async () => {
  const r = await render();
  await act(async () => {
    button(r.root, 'Remove', 1).props.onClick();
  });
  const [modal] = byType(r.root, 'Modal');
  expect(textOf(byType(modal!, 'ModalTitle')[0]!)).toBe('Remove bo@example.com?');
  expect(callsOf('removeTrustedUser')).toHaveLength(0);

  await act(async () => {
    button(modal!, 'Cancel').props.onClick();
  });
  expect(byType(r.root, 'Modal')).toHaveLength(0);
  expect(callsOf('removeTrustedUser')).toHaveLength(0);

  await act(async () => {
    button(r.root, 'Remove', 1).props.onClick();
  });
  const confirm = byType(byType(r.root, 'Modal')[0]!, 'Button').find((b) => b.props.appearance === 'danger')!;
  await act(async () => {
    await confirm.props.onClick();
    await flush();
  });
  expect(callsOf('removeTrustedUser')).toEqual([['removeTrustedUser', { email: 'bo@example.com' }]]);
  expect(byType(r.root, 'Modal')).toHaveLength(0);
  expect(allText(r.root)).toContain('bo@example.com can no longer access Assets backup vault.');
  expect(byType(r.root, 'Row').map((row) => row.props.rowKey)).toEqual(['ana@example.com']);
  r.unmount();
});

it('shows an error message when the list cannot be loaded', async () => {
  invokeMock.mockImplementation((async () => ({
    ok: false,
    error: { code: 'forbidden', message: 'Only Jira administrators can manage Assets Backup Vault' },
  })) as typeof invoke);
  const r = await render();
  const message = byType(r.root, 'SectionMessage')[0]!;
  expect(message.props.appearance).toBe('error');
  expect(textOf(message)).toContain('Only Jira administrators can manage Assets Backup Vault');
  r.unmount();
});
