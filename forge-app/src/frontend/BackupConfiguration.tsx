import React, { useEffect, useState } from 'react';
import {
  Button,
  Checkbox,
  DynamicTable,
  Heading,
  Inline,
  Label,
  Lozenge,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  ModalTitle,
  ModalTransition,
  SectionMessage,
  Select,
  Spinner,
  Stack,
  Text,
} from '@forge/react';
import type { BackupRunView, Schedule, ScheduleFrequency, SchemaView } from '../contract';
import { SCHEDULE_TIMES } from '../validation';
import { callResolver, errorMessage, formatDateTime } from './api';
import { NoticeMessage, type Notice, type Option } from './ui';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const FREQUENCIES: Option<ScheduleFrequency>[] = [
  { label: 'No scheduled backups', value: 'off' },
  { label: 'Daily', value: 'daily' },
  { label: 'Weekly', value: 'weekly' },
];
const DAY_OPTIONS: Option<number>[] = DAYS.map((label, value) => ({ label, value }));
const TIME_OPTIONS: Option<string>[] = SCHEDULE_TIMES.map((time) => ({ label: time, value: time }));
// While a backup is queued or running the table refreshes itself at this pace.
const REFRESH_MS = 10_000;

export function describeSchedule(schedule: Schedule): string {
  if (schedule.frequency === 'off') return 'Manual only';
  const when = schedule.frequency === 'daily' ? 'Daily' : `Every ${DAYS[schedule.dayOfWeek] ?? '?'}`;
  return `${when} at ${schedule.time} (${schedule.timezone})`;
}

const RUN_LOZENGE: Record<BackupRunView['status'], 'success' | 'inprogress' | 'removed' | 'new'> = {
  completed: 'success',
  running: 'inprogress',
  queued: 'new',
  failed: 'removed',
};

function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export function BackupConfiguration({ onChanged }: { onChanged?: () => void }) {
  const [schemas, setSchemas] = useState<SchemaView[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [selection, setSelection] = useState<string[]>([]);
  const [isSaving, setSaving] = useState(false);
  const [editing, setEditing] = useState<SchemaView | null>(null);

  const load = async () => {
    try {
      const list = await callResolver('listSchemas', {});
      setSchemas(list);
      setSelection(list.filter((schema) => schema.synced).map((schema) => schema.id));
      setLoadError(null);
    } catch (err) {
      setLoadError(errorMessage(err));
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const isBusy = (schemas ?? []).some(
    (schema) => schema.lastBackup?.status === 'queued' || schema.lastBackup?.status === 'running',
  );
  useEffect(() => {
    if (!isBusy) return undefined;
    const timer = setTimeout(() => {
      void load();
    }, REFRESH_MS);
    return () => clearTimeout(timer);
  }, [isBusy, schemas]);

  const toggle = (schemaId: string) => {
    setSelection((current) =>
      current.includes(schemaId) ? current.filter((id) => id !== schemaId) : [...current, schemaId],
    );
  };

  const saveSynced = async () => {
    setSaving(true);
    try {
      const list = await callResolver('setSyncedSchemas', { schemaIds: selection });
      setSchemas(list);
      setSelection(list.filter((schema) => schema.synced).map((schema) => schema.id));
      const undelivered = list.filter((schema) => schema.synced && schema.syncStatus !== 'synced');
      setNotice(
        undelivered.length === 0
          ? { appearance: 'success', text: 'Synced schemas saved.' }
          : {
              appearance: 'warning',
              text: 'Synced schemas saved. The vault could not be told yet; it will be updated automatically.',
            },
      );
      onChanged?.();
    } catch (err) {
      setNotice({ appearance: 'error', text: `Synced schemas were not saved: ${errorMessage(err)}` });
    } finally {
      setSaving(false);
    }
  };

  const backupNow = async (schema: SchemaView) => {
    try {
      await callResolver('backupNow', { schemaId: schema.id });
      setNotice({ appearance: 'success', text: `Backup of ${schema.name} started.` });
    } catch (err) {
      setNotice({ appearance: 'error', text: `Backup of ${schema.name} did not start: ${errorMessage(err)}` });
    }
    await load();
  };

  const saveSchedule = async (schema: SchemaView, schedule: Schedule) => {
    try {
      await callResolver('setSchedule', { schemaId: schema.id, schedule });
      setNotice({ appearance: 'success', text: `Schedule of ${schema.name}: ${describeSchedule(schedule)}.` });
      setEditing(null);
    } catch (err) {
      setNotice({ appearance: 'error', text: `Schedule of ${schema.name} was not saved: ${errorMessage(err)}` });
    }
    await load();
  };

  const synced = (schemas ?? []).filter((schema) => schema.synced);
  const rows = synced.map((schema) => ({
    key: schema.id,
    cells: [
      { key: 'schema', content: `${schema.name} (${schema.key})` },
      { key: 'schedule', content: describeSchedule(schema.schedule) },
      {
        key: 'last',
        content: schema.lastBackup
          ? `${formatDateTime(schema.lastBackup.finishedAt ?? schema.lastBackup.requestedAt)} · ${schema.lastBackup.kind}`
          : 'Never',
      },
      {
        key: 'status',
        content: schema.lastBackup ? (
          <Lozenge appearance={RUN_LOZENGE[schema.lastBackup.status]}>{schema.lastBackup.status}</Lozenge>
        ) : (
          <Lozenge>none</Lozenge>
        ),
      },
      {
        key: 'actions',
        content: (
          <Inline space="space.100">
            <Button
              onClick={() => backupNow(schema)}
              isDisabled={schema.lastBackup?.status === 'queued' || schema.lastBackup?.status === 'running'}
            >
              Backup now
            </Button>
            <Button appearance="subtle" onClick={() => setEditing(schema)}>
              Schedule
            </Button>
          </Inline>
        ),
      },
    ],
  }));
  const failedRuns = synced.filter((schema) => schema.lastBackup?.status === 'failed' && schema.lastBackup.error);

  return (
    <Stack space="space.200">
      <Heading as="h2">Backup configuration</Heading>
      <NoticeMessage notice={notice} />
      {loadError && (
        <SectionMessage appearance="error" title="Assets schemas could not be loaded">
          <Text>{loadError}</Text>
        </SectionMessage>
      )}
      {!schemas && !loadError && <Spinner label="Loading Assets schemas" />}
      {schemas && (
        <Stack space="space.100">
          <Heading as="h3">Synced schemas</Heading>
          <Text>Choose the Assets schemas that are backed up to the vault.</Text>
          {schemas.length === 0 && <Text>This site has no Assets schemas.</Text>}
          {schemas.map((schema) => (
            <Checkbox
              key={schema.id}
              value={schema.id}
              label={`${schema.name} (${schema.key})${schema.objectCount === undefined ? '' : ` · ${schema.objectCount} objects`}`}
              isChecked={selection.includes(schema.id)}
              onChange={() => toggle(schema.id)}
            />
          ))}
          <Inline>
            <Button appearance="primary" isDisabled={isSaving} onClick={saveSynced}>
              Save synced schemas
            </Button>
          </Inline>
        </Stack>
      )}
      {schemas && (
        <Stack space="space.100">
          <Heading as="h3">Backups</Heading>
          <DynamicTable
            caption="Backups of synced schemas"
            head={{
              cells: [
                { key: 'schema', content: 'Schema' },
                { key: 'schedule', content: 'Schedule' },
                { key: 'last', content: 'Last backup' },
                { key: 'status', content: 'Status' },
                { key: 'actions', content: '' },
              ],
            }}
            rows={rows}
            emptyView={<Text>No synced schemas yet.</Text>}
          />
          {failedRuns.map((schema) => (
            <SectionMessage key={schema.id} appearance="error" title={`Last backup of ${schema.name} failed`}>
              <Text>{schema.lastBackup?.error}</Text>
            </SectionMessage>
          ))}
        </Stack>
      )}
      <ModalTransition>
        {editing && (
          <ScheduleModal
            schema={editing}
            onClose={() => setEditing(null)}
            onSave={(schedule) => saveSchedule(editing, schedule)}
          />
        )}
      </ModalTransition>
    </Stack>
  );
}

function ScheduleModal({
  schema,
  onClose,
  onSave,
}: {
  schema: SchemaView;
  onClose: () => void;
  onSave: (schedule: Schedule) => Promise<void>;
}) {
  const [draft, setDraft] = useState<Schedule>(() =>
    schema.schedule.frequency === 'off' ? { ...schema.schedule, timezone: browserTimeZone() } : schema.schedule,
  );
  const [isSaving, setSaving] = useState(false);
  const save = async () => {
    setSaving(true);
    try {
      await onSave(draft);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal onClose={onClose}>
      <ModalHeader>
        <ModalTitle>Schedule for {schema.name}</ModalTitle>
      </ModalHeader>
      <ModalBody>
        <Stack space="space.100">
          <Label labelFor="schedule-frequency">Frequency</Label>
          <Select
            id="schedule-frequency"
            options={FREQUENCIES}
            value={FREQUENCIES.find((option) => option.value === draft.frequency)}
            onChange={(option: Option<ScheduleFrequency>) => setDraft({ ...draft, frequency: option.value })}
          />
          {draft.frequency === 'weekly' && (
            <>
              <Label labelFor="schedule-day">Day</Label>
              <Select
                id="schedule-day"
                options={DAY_OPTIONS}
                value={DAY_OPTIONS.find((option) => option.value === draft.dayOfWeek)}
                onChange={(option: Option<number>) => setDraft({ ...draft, dayOfWeek: option.value })}
              />
            </>
          )}
          {draft.frequency !== 'off' && (
            <>
              <Label labelFor="schedule-time">Time ({draft.timezone})</Label>
              <Select
                id="schedule-time"
                options={TIME_OPTIONS}
                value={TIME_OPTIONS.find((option) => option.value === draft.time)}
                onChange={(option: Option<string>) => setDraft({ ...draft, time: option.value })}
              />
              <Text>Scheduled backups start within the hour after this time.</Text>
            </>
          )}
        </Stack>
      </ModalBody>
      <ModalFooter>
        <Button appearance="subtle" onClick={onClose}>
          Cancel
        </Button>
        <Button appearance="primary" isDisabled={isSaving} onClick={save}>
          Save schedule
        </Button>
      </ModalFooter>
    </Modal>
  );
}
