/**
 * A restore's status as text (never colour alone): the lozenge of the grids, and the live status of the
 * Destination pane — pending; in progress with a progress bar, objects per minute and the time left; completed
 * with "Operation success", or error with its cause.
 */
import type { RestoreDetail, RestoreSummary } from '../api/vault.js';
import { restoreLogUrl } from '../api/vault.js';
import { formatDuration, plural } from '../lib/dates.js';
import type { RestoreStatusState } from '../lib/use-restore-status.js';
import { Button } from './Button.js';
import { ErrorState, Loading, Lozenge, SectionMessage, type LozengeAppearance } from './Feedback.js';

const STATUS: Record<RestoreSummary['status'], { label: string; appearance: LozengeAppearance }> = {
  pending: { label: 'Pending', appearance: 'default' },
  in_progress: { label: 'In progress', appearance: 'inprogress' },
  completed: { label: 'Completed', appearance: 'success' },
  error: { label: 'Error', appearance: 'removed' },
};

export const restoreStatusLabel = (status: RestoreSummary['status']) => STATUS[status].label;

export function RestoreStatusLozenge({ status }: { status: RestoreSummary['status'] }) {
  return <Lozenge appearance={STATUS[status].appearance}>{STATUS[status].label}</Lozenge>;
}

/** The engine's phases in words (`pending`: the vault has not started the engine yet). */
const PHASES: Record<string, string> = {
  pending: 'starting',
  analysis: 'reading the backup',
  structure: 'schema and object types',
  duplicates: 'looking for objects already there',
  objects: 'objects',
  references: 'references',
  constraints: 'attribute rules',
  verification: 'comparing with the backup',
  done: 'finishing',
};

export const destinationLabel = (d: RestoreSummary['destination']) =>
  `${d.schemaName} (${d.schemaKey}) on ${d.targetName ? `${d.targetName}, ` : ''}${d.siteUrl}`;

function Progress({ restore }: { restore: RestoreSummary }) {
  const { done, total, phase, objectsPerMinute, etaSeconds } = restore.progress;
  const percent = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0;
  return (
    <div className="restore-progress">
      <label className="field__label" htmlFor={`progress-${restore.id}`}>
        {phase ? `Restoring (${PHASES[phase] ?? phase})` : 'Restoring'}: {done.toLocaleString()} of{' '}
        {total.toLocaleString()} objects
        {total > 0 ? ` (${percent} %)` : ''}
      </label>
      <progress id={`progress-${restore.id}`} max={Math.max(total, 1)} value={Math.min(done, Math.max(total, 1))}>
        {percent} %
      </progress>
      <p className="subtle">
        {objectsPerMinute !== null
          ? `${Math.round(objectsPerMinute).toLocaleString()} objects per minute`
          : 'Measuring the speed…'}
        {etaSeconds !== null ? ` · about ${formatDuration(etaSeconds)} left` : ''}
      </p>
    </div>
  );
}

/** The live status of one restore (the Destination pane after "Restore"). */
export function RestoreLiveStatus({
  status,
  onFollow,
  onIssueFields,
  issueFieldsBusy,
}: {
  status: RestoreStatusState;
  onFollow: () => void;
  onIssueFields?: (() => void) | undefined;
  issueFieldsBusy?: boolean;
}) {
  const restore = status.restore;
  if (status.state === 'error')
    return (
      <>
        {restore ? <Summary restore={restore} /> : null}
        <ErrorState error={status.error} what="The restore's status could not be read" onRetry={onFollow} />
      </>
    );
  if (!restore) return <Loading>Reading the restore's status…</Loading>;
  return (
    <>
      <Summary restore={restore} />
      {restore.status === 'pending' ? (
        <Loading>Pending: the restore waits for the vault's restore worker to start it.</Loading>
      ) : null}
      {restore.status === 'in_progress' ? <Progress restore={restore} /> : null}
      {restore.status === 'completed' ? (
        <SectionMessage appearance="success" title={restore.resultMessage ?? 'Operation success'}>
          <p>
            {plural(restore.counts.created, 'object')} created
            {restore.counts.skipped > 0 ? `, ${restore.counts.skipped.toLocaleString()} skipped` : ''}
            {restore.counts.failed > 0 ? `, ${restore.counts.failed.toLocaleString()} failed` : ''}
            {restore.counts.warnings > 0 ? `, ${plural(restore.counts.warnings, 'warning')}` : ''}.
          </p>
          {restore.destination.schemaUrl ? (
            <p>
              <a href={restore.destination.schemaUrl} target="_blank" rel="noreferrer">
                Open {restore.destination.schemaName} in Assets
              </a>
            </p>
          ) : null}
        </SectionMessage>
      ) : null}
      {restore.status === 'error' ? (
        <SectionMessage appearance="error" title="The restore failed">
          <p>{restore.resultMessage ?? 'The vault gave no cause.'}</p>
        </SectionMessage>
      ) : null}
      {restore.warningsSample.length > 0 ? (
        <SectionMessage appearance="warning" title={plural(restore.counts.warnings, 'warning')}>
          <ul>
            {restore.warningsSample.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </SectionMessage>
      ) : null}
      {restore.status === 'completed' || restore.status === 'error' ? (
        <div className="button-group">
          <a className="button" href={restoreLogUrl(restore.id)} download>
            Download full log (.xlsx)
          </a>
          {onIssueFields && restore.status === 'completed' ? (
            <IssueFieldsButton restore={restore} onStart={onIssueFields} busy={issueFieldsBusy ?? false} />
          ) : null}
        </div>
      ) : null}
    </>
  );
}

function Summary({ restore }: { restore: RestoreDetail }) {
  return (
    <p>
      <RestoreStatusLozenge status={restore.status} /> Backup of {restore.source.schemaName} to{' '}
      {destinationLabel(restore.destination)}
    </p>
  );
}

/** "Restore objects in issues": offered once a restore completed, until its issue-fields step runs. */
export function IssueFieldsButton({
  restore,
  onStart,
  busy,
}: {
  restore: RestoreSummary;
  onStart: () => void;
  busy: boolean;
}) {
  const running = restore.issueFields.status === 'pending' || restore.issueFields.status === 'in_progress';
  return (
    <Button
      onClick={onStart}
      isLoading={busy || running}
      disabled={restore.status !== 'completed'}
      aria-label={`Restore objects in issues (restore of ${restore.source.schemaName} to ${restore.destination.schemaName})`}
    >
      Restore objects in issues
    </Button>
  );
}
