import React, { useState } from 'react';
import {
  Button,
  DatePicker,
  DynamicTable,
  EmptyState,
  ErrorMessage,
  Heading,
  Inline,
  Label,
  Lozenge,
  Select,
  Spinner,
  Stack,
} from '@forge/react';
import type { BackupRow, SchemaSummary } from '../../contract';
import { callResolver, errorMessage, formatDateTime, useResolver } from '../api';
import { ConfirmDanger, NoticeMessage, type Notice, type Option } from '../ui';
import {
  backupQuery,
  isFiltered,
  NO_FILTER,
  type BackupFilterDraft,
  type DateMode,
  type TypeChoice,
} from './backup-filter';
import { VaultError } from './VaultError';

const TYPE_OPTIONS: Option<TypeChoice>[] = [
  { label: 'All types', value: 'all' },
  { label: 'Manual', value: 'manual' },
  { label: 'Scheduled', value: 'scheduled' },
];
const DATE_OPTIONS: Option<DateMode>[] = [
  { label: 'Any date', value: 'any' },
  { label: 'On a date', value: 'day' },
  { label: 'Date range', value: 'range' },
];

/**
 * The schema's completed backups in the vault, newest first, with the seed product's columns, filters by type
 * and by a date or date range, "Select" and "Delete" (after a confirmation); "Backup now" and "Schedule" when
 * there is none yet.
 */
export function AvailableBackups({
  schema,
  selectedId,
  onSelect,
  onSchedule,
}: {
  schema: SchemaSummary;
  selectedId: string | undefined;
  onSelect: (backup: BackupRow | undefined) => void;
  onSchedule: () => void;
}) {
  const [draft, setDraft] = useState<BackupFilterDraft>(NO_FILTER);
  const [pendingDelete, setPendingDelete] = useState<BackupRow | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [busy, setBusy] = useState(false);
  const query = backupQuery(draft);
  const backups = useResolver('listBackups', 'filter' in query ? { schemaId: schema.schemaId, ...query.filter } : null);

  const confirmDelete = async () => {
    if (!pendingDelete) return;
    setBusy(true);
    try {
      const deleted = await callResolver('deleteBackup', { backupId: pendingDelete.id });
      setNotice({
        appearance: 'success',
        text: `Backup ${pendingDelete.n} was moved to the vault's trash; it is deleted for good after ${formatDateTime(deleted.purgeAfter)}.`,
      });
      if (selectedId === pendingDelete.id) onSelect(undefined);
    } catch (err) {
      setNotice({ appearance: 'error', text: `Backup ${pendingDelete.n} was not deleted: ${errorMessage(err)}` });
    } finally {
      setBusy(false);
      setPendingDelete(null);
    }
    await backups.reload();
  };

  const backupNow = async () => {
    try {
      await callResolver('backupNow', { schemaId: schema.schemaId });
      setNotice({
        appearance: 'success',
        text: `Backup of ${schema.name} started. It appears here when it completes.`,
      });
    } catch (err) {
      setNotice({ appearance: 'error', text: `Backup of ${schema.name} did not start: ${errorMessage(err)}` });
    }
  };

  const rows = (backups.data ?? []).map((backup) => ({
    key: backup.id,
    isHighlighted: backup.id === selectedId,
    cells: [
      { key: 'n', content: String(backup.n) },
      { key: 'date', content: formatDateTime(backup.backupDate) },
      { key: 'objects', content: String(backup.objects) },
      { key: 'type', content: backup.type === 'manual' ? 'Manual' : 'Scheduled' },
      {
        key: 'history',
        content: (
          <Lozenge appearance={backup.historyStatus === 'included' ? 'success' : 'default'}>
            {backup.historyStatus}
          </Lozenge>
        ),
      },
      {
        key: 'issues',
        content: (
          <Lozenge appearance={backup.objectsInIssuesStatus === 'included' ? 'success' : 'default'}>
            {backup.objectsInIssuesStatus}
          </Lozenge>
        ),
      },
      {
        key: 'actions',
        content: (
          <Inline space="space.100">
            <Button
              appearance={backup.id === selectedId ? 'primary' : 'default'}
              isSelected={backup.id === selectedId}
              onClick={() => onSelect(backup)}
            >
              Select
            </Button>
            <Button appearance="danger" onClick={() => setPendingDelete(backup)}>
              Delete
            </Button>
          </Inline>
        ),
      },
    ],
  }));

  // the actions are Buttons of the page itself, not element props of the empty state: they stay plain UI Kit nodes
  const emptyState = isFiltered(draft) ? (
    <Stack space="space.100">
      <EmptyState header="No backups match these filters" />
      <Inline alignInline="center">
        <Button onClick={() => setDraft(NO_FILTER)}>Clear filters</Button>
      </Inline>
    </Stack>
  ) : (
    <Stack space="space.100">
      <EmptyState
        header="No backups yet"
        description={`The vault holds no completed backup of ${schema.name}. Back it up now, or schedule daily or weekly backups.`}
      />
      <Inline space="space.100" alignInline="center">
        <Button appearance="primary" onClick={backupNow}>
          Backup now
        </Button>
        <Button onClick={onSchedule}>Schedule</Button>
      </Inline>
    </Stack>
  );

  return (
    <Stack space="space.200">
      <Heading as="h3">Available backups{backups.data ? ` (${backups.data.length})` : ''}</Heading>
      <NoticeMessage notice={notice} />
      <Inline space="space.200" alignBlock="end" shouldWrap>
        <Stack space="space.050">
          <Label labelFor="backup-type-filter">Type</Label>
          <Select
            id="backup-type-filter"
            options={TYPE_OPTIONS}
            value={TYPE_OPTIONS.find((option) => option.value === draft.type)}
            onChange={(option: Option<TypeChoice>) => setDraft({ ...draft, type: option.value })}
          />
        </Stack>
        <Stack space="space.050">
          <Label labelFor="backup-date-filter">Date</Label>
          <Select
            id="backup-date-filter"
            options={DATE_OPTIONS}
            value={DATE_OPTIONS.find((option) => option.value === draft.dateMode)}
            onChange={(option: Option<DateMode>) => setDraft({ ...draft, dateMode: option.value })}
          />
        </Stack>
        {draft.dateMode !== 'any' && (
          <Stack space="space.050">
            <Label labelFor="backup-date-from">{draft.dateMode === 'day' ? 'Day' : 'From'}</Label>
            <DatePicker
              id="backup-date-from"
              value={draft.from}
              onChange={(value: string) => setDraft({ ...draft, from: value })}
            />
          </Stack>
        )}
        {draft.dateMode === 'range' && (
          <Stack space="space.050">
            <Label labelFor="backup-date-to">To</Label>
            <DatePicker
              id="backup-date-to"
              value={draft.to}
              onChange={(value: string) => setDraft({ ...draft, to: value })}
            />
          </Stack>
        )}
      </Inline>
      {'problem' in query && <ErrorMessage>{query.problem}</ErrorMessage>}
      {backups.error && <VaultError what="The backups" message={backups.error} onRetry={backups.reload} />}
      {!backups.data && !backups.error && 'filter' in query && <Spinner label="Loading the backups" />}
      {backups.data && 'filter' in query && backups.data.length === 0 && emptyState}
      {backups.data && 'filter' in query && backups.data.length > 0 && (
        <DynamicTable
          caption={`Backups of ${schema.name}`}
          head={{
            cells: [
              { key: 'n', content: 'N' },
              { key: 'date', content: 'Backup date' },
              { key: 'objects', content: 'Objects' },
              { key: 'type', content: 'Type' },
              { key: 'history', content: 'History status' },
              { key: 'issues', content: 'Objects in issues status' },
              { key: 'actions', content: '' },
            ],
          }}
          rows={rows}
          rowsPerPage={10}
          isLoading={backups.loading}
        />
      )}
      <ConfirmDanger
        title={
          pendingDelete ? `Delete backup ${pendingDelete.n} of ${formatDateTime(pendingDelete.backupDate)}?` : undefined
        }
        confirmLabel="Delete"
        isBusy={busy}
        onConfirm={confirmDelete}
        onCancel={() => setPendingDelete(null)}
      >
        It goes to the vault's trash: it can no longer be restored from here, and it is deleted for good after the trash
        period unless a trusted user takes it back in the vault.
      </ConfirmDanger>
    </Stack>
  );
}
