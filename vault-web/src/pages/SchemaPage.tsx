/**
 * A schema's Available backups: filters by type and date (range), the grid with Select / Delete, the selected
 * backup's information and its Destination pane, "Backup now" from the vault. Filters and the selection live in
 * the URL, so the screen can be reloaded and shared.
 */
import { lazy, Suspense, useMemo, useState } from 'react';
import type { ApiError } from '../api/http.js';
import { vault, type BackupKind, type BackupRow } from '../api/vault.js';
import { BackupPanel, IncludedLozenge } from '../components/BackupPanel.js';
import { Button } from '../components/Button.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { DataTable } from '../components/DataTable.js';
import { DateRangeFilter } from '../components/DateRangeFilter.js';
import { DateTime } from '../components/DateTime.js';
import { EmptyState, ErrorState, Loading, SectionMessage } from '../components/Feedback.js';
import { SelectField } from '../components/Fields.js';
import { PageHeader } from '../components/Layout.js';
import { dayRangeToInstants, isIsoDay, localeWeekStart, toIsoDay, type DayRange } from '../lib/dates.js';
import { href, Link, useRouter } from '../lib/router.js';
import { backupTitle, schemaPath, useSchema } from '../lib/schema-context.js';
import { asApiError, useResource } from '../lib/use-resource.js';
import { describeProgress, useVaultBackup } from '../lib/use-vault-backup.js';

// the restore options and the restores grid load with the first selected backup or restore, not in the first load
const RestorePane = lazy(() => import('../components/RestorePane.js').then((m) => ({ default: m.RestorePane })));
const RestoresTable = lazy(() => import('../components/RestoresTable.js').then((m) => ({ default: m.RestoresTable })));

const KIND_OPTIONS = [
  { value: '', label: 'All types' },
  { value: 'manual', label: 'Manual' },
  { value: 'scheduled', label: 'Scheduled' },
];

function filtersFrom(search: URLSearchParams): { kind: BackupKind | undefined; range: DayRange | undefined } {
  const kind = search.get('kind');
  const from = search.get('from') ?? '';
  const to = search.get('to') ?? from;
  return {
    kind: kind === 'manual' || kind === 'scheduled' ? kind : undefined,
    range: isIsoDay(from) && isIsoDay(to) && from <= to ? { from, to } : undefined,
  };
}

export function SchemaPage({ schemaId }: { schemaId: string }) {
  const { location, navigate } = useRouter();
  const schema = useSchema(schemaId);
  const { kind, range } = filtersFrom(location.search);
  const selectedId = location.search.get('backup') ?? undefined;
  const restoreId = location.search.get('restore') ?? undefined;
  // the restores grid asks again when a restore started or ended here
  const [restoresVersion, setRestoresVersion] = useState(0);
  const weekStartsOn = useMemo(() => localeWeekStart(), []);
  const backups = useResource(
    (signal) =>
      vault.listBackups(
        schemaId,
        { ...(kind ? { kind } : {}), ...(range ? dayRangeToInstants(range) : {}) },
        { signal },
      ),
    [schemaId, kind, range?.from, range?.to],
  );
  const [toDelete, setToDelete] = useState<BackupRow | undefined>();
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<ApiError | undefined>();
  const [notice, setNotice] = useState<string | undefined>();

  const setQuery = (changes: Record<string, string | undefined>, options: { replace?: boolean } = {}) => {
    const current = Object.fromEntries(location.search.entries());
    navigate(href(schemaPath(schemaId), { ...current, ...changes }), options);
  };
  const backupNow = useVaultBackup(schemaId, (job) => {
    backups.reload();
    if (job.backupId) setQuery({ backup: job.backupId, kind: undefined, from: undefined, to: undefined });
  });

  const rows = backups.data?.items ?? [];
  const selected = rows.find((b) => b.id === selectedId);
  const filtered = kind !== undefined || range !== undefined;
  const schemaName = schema.data?.name ?? 'Schema';
  const running = backupNow.status.state === 'starting' || backupNow.status.state === 'running';

  const confirmDelete = async () => {
    if (!toDelete) return;
    setDeleting(true);
    setDeleteError(undefined);
    try {
      await vault.deleteBackup(toDelete.id);
      setNotice(`${backupTitle(toDelete)} was moved to the trash.`);
      if (toDelete.id === selectedId) setQuery({ backup: undefined }, { replace: true });
      setToDelete(undefined);
      backups.reload();
    } catch (err) {
      setDeleteError(asApiError(err));
    } finally {
      setDeleting(false);
    }
  };

  return (
    <>
      <PageHeader
        title={schema.data ? `${schema.data.name} (${schema.data.key})` : 'Schema'}
        crumbs={[{ label: 'Schemas', to: '/' }, { label: schemaName }]}
        description="Available backups of this schema. Select one to see its information, browse or export it."
        actions={
          <Button appearance="primary" onClick={() => void backupNow.start()} isLoading={running}>
            Backup now
          </Button>
        }
      />
      {schema.state === 'error' ? (
        <ErrorState error={schema.error} what="The schema could not be loaded" onRetry={schema.retry} />
      ) : null}
      <BackupNowStatus
        status={backupNow.status}
        onResume={backupNow.resume}
        onDismiss={backupNow.dismiss}
        onUnsynced={() => void backupNow.start({ unsyncedSchema: true })}
      />
      {notice ? (
        <SectionMessage appearance="success" actions={<Button onClick={() => setNotice(undefined)}>Dismiss</Button>}>
          <p>{notice}</p>
        </SectionMessage>
      ) : null}

      <div className="toolbar" role="search" aria-label="Filter backups">
        <SelectField
          label="Type"
          value={kind ?? ''}
          options={KIND_OPTIONS}
          onChange={(event) => setQuery({ kind: event.target.value || undefined })}
        />
        <DateRangeFilter
          label="Backup date"
          value={range}
          today={toIsoDay(new Date())}
          weekStartsOn={weekStartsOn}
          onChange={(next) => setQuery({ from: next?.from, to: next?.to })}
        />
      </div>

      {backups.state === 'loading' ? (
        <Loading>{backups.data ? 'Updating the list of backups…' : 'Loading backups…'}</Loading>
      ) : null}
      {backups.state === 'error' ? (
        <ErrorState error={backups.error} what="The backups could not be loaded" onRetry={backups.retry} />
      ) : null}
      {backups.data ? (
        <DataTable<BackupRow>
          caption={`Available backups${filtered ? ' (filtered)' : ''}`}
          rows={rows}
          rowKey={(b) => b.id}
          busy={backups.state === 'loading'}
          isSelected={(b) => b.id === selectedId}
          pageSize={20}
          empty={
            filtered ? (
              <EmptyState
                title="No backup matches these filters"
                actions={
                  <Button onClick={() => setQuery({ kind: undefined, from: undefined, to: undefined })}>
                    Clear filters
                  </Button>
                }
              />
            ) : (
              <EmptyState
                title="No backups yet"
                actions={
                  <Button appearance="primary" onClick={() => void backupNow.start()} isLoading={running}>
                    Backup now
                  </Button>
                }
              >
                <p>
                  Back up this schema now from the vault with the site's stored credentials, or schedule daily or weekly
                  backups in the Jira app (Apps → Assets Backup Vault → Backup configuration).
                </p>
              </EmptyState>
            )
          }
          columns={[
            { key: 'n', header: 'N', numeric: true, isRowHeader: true, cell: (b) => b.n },
            { key: 'date', header: 'Backup date', cell: (b) => <DateTime iso={b.backupDate} /> },
            { key: 'objects', header: 'Objects', numeric: true, cell: (b) => b.objects.toLocaleString() },
            {
              key: 'type',
              header: 'Type',
              cell: (b) => (
                <>
                  {b.type === 'manual' ? 'Manual' : 'Scheduled'}
                  {b.warnings.length > 0 ? (
                    <span className="subtlest">
                      {' '}
                      · {b.warnings.length} {b.warnings.length === 1 ? 'warning' : 'warnings'}
                    </span>
                  ) : null}
                </>
              ),
            },
            { key: 'history', header: 'History', cell: (b) => <IncludedLozenge status={b.historyStatus} /> },
            {
              key: 'issues',
              header: 'Objects in issues',
              cell: (b) => <IncludedLozenge status={b.objectsInIssuesStatus} />,
            },
            {
              key: 'actions',
              header: <span className="visually-hidden">Actions</span>,
              cell: (b) => (
                <div className="table__actions">
                  <Button
                    aria-pressed={b.id === selectedId}
                    aria-label={`Select backup ${b.n}`}
                    onClick={() => setQuery({ backup: b.id === selectedId ? undefined : b.id, restore: undefined })}
                  >
                    {b.id === selectedId ? 'Selected' : 'Select'}
                  </Button>
                  <Button
                    appearance="subtle"
                    aria-label={`Delete backup ${b.n}`}
                    onClick={() => {
                      setDeleteError(undefined);
                      setToDelete(b);
                    }}
                  >
                    Delete
                  </Button>
                </div>
              ),
            },
          ]}
        />
      ) : null}

      {selected ? (
        <div className="split">
          <BackupPanel schemaId={schemaId} backup={selected} others={rows.filter((b) => b.id !== selected.id)} />
          <Suspense fallback={<Loading>Loading the restore options…</Loading>}>
            <RestorePane
              key={selected.id}
              backup={selected}
              schemaName={schemaName}
              restoreId={restoreId}
              onStarted={(id) => {
                setQuery({ restore: id });
                setRestoresVersion((v) => v + 1);
              }}
              onClose={() => setQuery({ restore: undefined })}
              onEnded={() => setRestoresVersion((v) => v + 1)}
            />
          </Suspense>
        </div>
      ) : null}

      <section aria-labelledby="restores-title" className="stack">
        <h2 id="restores-title">Restores</h2>
        <Suspense fallback={<Loading>Loading restores…</Loading>}>
          <RestoresTable caption={`Restores of ${schemaName}`} schemaId={schemaId} refreshKey={restoresVersion} />
        </Suspense>
      </section>

      <ConfirmDialog
        open={toDelete !== undefined}
        title={toDelete ? `Delete ${backupTitle(toDelete).toLowerCase()}?` : 'Delete backup?'}
        confirmLabel="Delete"
        appearance="danger"
        isWorking={deleting}
        onCancel={() => setToDelete(undefined)}
        onConfirm={() => void confirmDelete()}
      >
        {toDelete ? (
          <p>
            {backupTitle(toDelete)} of {schemaName} from <DateTime iso={toDelete.backupDate} /> (
            {toDelete.objects.toLocaleString()} objects) moves to the trash: it can no longer be browsed, exported or
            restored, and is removed for good after the trash period unless it is restored from Settings › Trash.
          </p>
        ) : null}
        {deleteError ? <ErrorState error={deleteError} what="The backup was not deleted" /> : null}
      </ConfirmDialog>
    </>
  );
}

function BackupNowStatus({
  status,
  onResume,
  onDismiss,
  onUnsynced,
}: {
  status: ReturnType<typeof useVaultBackup>['status'];
  onResume: () => void;
  onDismiss: () => void;
  /** back up a schema the site's admins did not choose, after the vault said so */
  onUnsynced: () => void;
}) {
  switch (status.state) {
    case 'idle':
      return null;
    case 'starting':
      return <Loading>Starting a backup from the vault…</Loading>;
    case 'running':
      return <Loading>{describeProgress(status.job)}</Loading>;
    case 'completed':
      return (
        <SectionMessage
          appearance="success"
          title="Backup completed"
          actions={<Button onClick={onDismiss}>Dismiss</Button>}
        >
          <p>The new backup is selected below.</p>
        </SectionMessage>
      );
    case 'failed':
      return (
        <SectionMessage
          appearance="error"
          title="The backup failed"
          actions={<Button onClick={onDismiss}>Dismiss</Button>}
        >
          <p>{status.job.error ?? 'The vault gave no reason.'}</p>
        </SectionMessage>
      );
    case 'error':
      return (
        <SectionMessage
          appearance="error"
          title={status.jobId ? 'The backup could not be followed' : 'The backup could not be started'}
          actions={
            <>
              {status.error.code === 'schema_not_synced' ? (
                <Button appearance="primary" onClick={onUnsynced}>
                  Back up this unsynced schema
                </Button>
              ) : null}
              <Button onClick={onResume}>{status.jobId ? 'Keep following' : 'Try again'}</Button>
              <Button appearance="subtle" onClick={onDismiss}>
                Dismiss
              </Button>
            </>
          }
        >
          <p>{status.error.message}</p>
          {status.error.code === 'no_credentials' || status.error.code === 'vault_backups_disabled' ? (
            <p>
              <Link to="/settings">Open the settings</Link> to store the site's Assets API credentials and allow backups
              from the vault.
            </p>
          ) : null}
        </SectionMessage>
      );
  }
}
