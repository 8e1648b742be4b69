/**
 * The backup configuration screen: choosing synced schemas, "Backup now" and the schedule dialog
 * call the right resolvers with the right payloads. `invoke` is the only replaced edge.
 */
import React from 'react';
import TestRenderer, { act, type ReactTestRenderer } from 'react-test-renderer';
import { invoke } from '@forge/bridge';
import type { SchemaView } from '../../src/contract';
import { BackupConfiguration, describeSchedule } from '../../src/frontend/BackupConfiguration';
import { allText, button, byType, flush, textOf } from './ui-helpers';

jest.mock('@forge/bridge', () => ({ ...jest.requireActual('@forge/bridge'), invoke: jest.fn() }));
const invokeMock = invoke as jest.MockedFunction<typeof invoke>;

const off = { frequency: 'off', time: '02:00', dayOfWeek: 0, timezone: 'UTC' } as const;
let schemas: SchemaView[];

beforeEach(() => {
  schemas = [
    {
      id: '1',
      name: 'IT assets',
      key: 'ITA',
      objectCount: 5000,
      synced: true,
      syncStatus: 'synced',
      schedule: { ...off, frequency: 'daily', time: '03:00', timezone: 'Europe/Paris' },
      lastBackup: {
        jobId: 'job_1',
        kind: 'scheduled',
        status: 'completed',
        requestedAt: '2026-11-25T02:00:00.000Z',
        finishedAt: '2026-11-25T02:05:00.000Z',
        records: 5200,
        chunks: 1,
        invocations: 1,
      },
    },
    { id: '2', name: 'People', key: 'HR', objectCount: 40, synced: false, schedule: off },
  ];
  invokeMock.mockReset();
  invokeMock.mockImplementation((async (key: string, payload?: Record<string, unknown>) => {
    if (key === 'listSchemas') return { ok: true, data: schemas };
    if (key === 'setSyncedSchemas') {
      const ids = payload?.schemaIds as string[];
      schemas = schemas.map((s) => ({ ...s, synced: ids.includes(s.id), syncStatus: 'synced' }));
      return { ok: true, data: schemas };
    }
    if (key === 'backupNow') {
      return {
        ok: true,
        data: {
          jobId: 'job_2',
          kind: 'manual',
          status: 'queued',
          requestedAt: '2026-11-25T12:00:00.000Z',
          records: 0,
          chunks: 0,
          invocations: 0,
        },
      };
    }
    if (key === 'setSchedule') {
      schemas = schemas.map((s) =>
        s.id === payload?.schemaId ? { ...s, schedule: payload?.schedule as SchemaView['schedule'] } : s,
      );
      return { ok: true, data: schemas.find((s) => s.id === payload?.schemaId) };
    }
    throw new Error(`unexpected resolver ${key}`);
  }) as typeof invoke);
});

async function render(): Promise<ReactTestRenderer> {
  let renderer!: ReactTestRenderer;
  await act(async () => {
    renderer = TestRenderer.create(<BackupConfiguration />);
    await flush();
  });
  return renderer;
}
const callsOf = (key: string) => invokeMock.mock.calls.filter(([k]) => k === key);

it('shows every Assets schema as a checkbox and the synced ones with schedule and last backup', async () => {
  const r = await render();
  const boxes = byType(r.root, 'Checkbox');
  expect(boxes.map((b) => [b.props.value, b.props.isChecked])).toEqual([
    ['1', true],
    ['2', false],
  ]);
  expect(boxes[0]!.props.label).toBe('IT assets (ITA) · 5000 objects');
  const rows = byType(r.root, 'Row');
  expect(rows.map((row) => row.props.rowKey)).toEqual(['1']);
  expect(textOf(rows[0]!)).toContain('Daily at 03:00 (Europe/Paris)');
  expect(textOf(rows[0]!)).toContain('scheduled');
  expect(textOf(byType(rows[0]!, 'Lozenge')[0]!)).toBe('completed');
  r.unmount();
});

it('saves the chosen synced schemas with setSyncedSchemas', async () => {
  const r = await render();
  await act(async () => {
    byType(r.root, 'Checkbox')[1]!.props.onChange({ target: { checked: true } });
  });
  await act(async () => {
    await button(r.root, 'Save synced schemas').props.onClick();
    await flush();
  });
  expect(callsOf('setSyncedSchemas')).toEqual([['setSyncedSchemas', { schemaIds: ['1', '2'] }]]);
  expect(allText(r.root)).toContain('Synced schemas saved.');
  expect(byType(r.root, 'Row').map((row) => row.props.rowKey)).toEqual(['1', '2']);
  r.unmount();
});

it('starts a backup with backupNow for that schema', async () => {
  const r = await render();
  await act(async () => {
    await button(r.root, 'Backup now').props.onClick();
    await flush();
  });
  expect(callsOf('backupNow')).toEqual([['backupNow', { schemaId: '1' }]]);
  expect(allText(r.root)).toContain('Backup of IT assets started.');
  r.unmount();
});

it('edits a weekly schedule and sends it with setSchedule', async () => {
  const r = await render();
  await act(async () => {
    button(r.root, 'Schedule').props.onClick();
  });
  const selects = () => byType(byType(r.root, 'Modal')[0]!, 'Select');
  await act(async () => {
    selects()[0]!.props.onChange({ label: 'Weekly', value: 'weekly' });
  });
  expect(selects()).toHaveLength(3);
  await act(async () => {
    selects()[1]!.props.onChange({ label: 'Friday', value: 5 });
  });
  await act(async () => {
    selects()[2]!.props.onChange({ label: '22:00', value: '22:00' });
  });
  await act(async () => {
    await button(r.root, 'Save schedule').props.onClick();
    await flush();
  });
  const schedule = { frequency: 'weekly', dayOfWeek: 5, time: '22:00', timezone: 'Europe/Paris' };
  expect(callsOf('setSchedule')).toEqual([['setSchedule', { schemaId: '1', schedule }]]);
  expect(byType(r.root, 'Modal')).toHaveLength(0);
  expect(allText(r.root)).toContain(
    `Schedule of IT assets: ${describeSchedule({ ...schedule, frequency: 'weekly' })}.`,
  );
  r.unmount();
});
