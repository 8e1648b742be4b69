/**
 * Restores, newest first, paged by the vault's cursor, each row expandable into its details: restored from / to
 * (with links), history / icons / specific types YES or NO, the result message, the full log (.xlsx), the
 * issue-fields step (updated fields, status and date) and its "Restore objects in issues" action. One grid for a
 * schema's restores (schema page) and for the site's restore history (main page). While a restore runs, the grid
 * asks again every few seconds.
 */
import { Fragment, useEffect, useState } from 'react';
import type { ApiError } from '../api/http.js';
import { restoreLogUrl, vault, type RestoreSummary } from '../api/vault.js';
import { plural } from '../lib/dates.js';
import { Link, href } from '../lib/router.js';
import { schemaPath } from '../lib/schema-context.js';
import { asApiError, useResource } from '../lib/use-resource.js';
import { Button } from './Button.js';
import { Pager } from './DataTable.js';
import { DateTime } from './DateTime.js';
import { EmptyState, ErrorState, Loading } from './Feedback.js';
import { IssueFieldsButton, RestoreStatusLozenge, destinationLabel } from './RestoreStatus.js';

const PAGE_SIZE = 20;
const REFRESH_WHILE_RUNNING_MS = 5000;

const KIND_LABELS: Record<RestoreSummary['destination']['kind'], string> = {
  'current-instance': 'This site, new schema',
  'existing-schema': 'Existing schema',
  'another-instance': 'Another instance, new schema',
};

const yesNo = (value: boolean) => (value ? 'YES' : 'NO');

const ISSUE_FIELDS_STATUS: Record<RestoreSummary['issueFields']['status'], string> = {
  not_started: 'Not started',
  pending: 'Pending',
  in_progress: 'In progress',
  completed: 'Completed',
  error: 'Error',
};

const running = (r: RestoreSummary) =>
  r.status === 'pending' ||
  r.status === 'in_progress' ||
  r.issueFields.status === 'pending' ||
  r.issueFields.status === 'in_progress';

export function RestoresTable({
  caption,
  schemaId,
  refreshKey = 0,
}: {
  caption: string;
  /** only the restores of this (source) schema; else every restore of the site, with a Schema column */
  schemaId?: string | undefined;
  /** changes when a restore was started or ended elsewhere on the page */
  refreshKey?: number;
}) {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const restores = useResource(
    (signal) =>
      vault.listRestores(
        { limit: PAGE_SIZE, ...(schemaId ? { schemaId } : {}), ...(cursor ? { cursor } : {}) },
        { signal },
      ),
    [schemaId, cursor, refreshKey],
  );
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const [issueFields, setIssueFields] = useState<{ id?: string; error?: ApiError; restoreId?: string }>({});

  const items = restores.data?.items ?? [];
  const anyRunning = items.some(running);
  const { reload } = restores;
  useEffect(() => {
    if (!anyRunning || restores.state !== 'ready') return;
    const timer = setTimeout(reload, REFRESH_WHILE_RUNNING_MS);
    return () => clearTimeout(timer);
  }, [anyRunning, restores.state, reload]);

  const toggle = (id: string) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const startIssueFields = async (r: RestoreSummary) => {
    setIssueFields({ id: r.id });
    try {
      await vault.startIssueFields(r.id);
      setIssueFields({});
      reload();
    } catch (err) {
      setIssueFields({ error: asApiError(err), restoreId: r.id });
    }
  };

  const columns = schemaId ? 6 : 7;
  return (
    <div>
      {restores.state === 'loading' && !restores.data ? <Loading>Loading restores…</Loading> : null}
      {restores.state === 'error' ? (
        <ErrorState error={restores.error} what="The restores could not be loaded" onRetry={restores.retry} />
      ) : null}
      {restores.data && items.length === 0 && cursors.length === 1 ? (
        <EmptyState title="No restores yet">
          <p>Select a backup of a schema and choose Restore in its Destination pane.</p>
        </EmptyState>
      ) : null}
      {restores.data && items.length > 0 ? (
        <div className="table-wrap">
          <table
            className={restores.state === 'loading' ? 'table table--busy' : 'table'}
            aria-busy={restores.state === 'loading' || undefined}
          >
            <caption>{caption}</caption>
            <thead>
              <tr>
                {schemaId ? null : <th scope="col">Schema</th>}
                <th scope="col">Destination</th>
                <th scope="col">Started</th>
                <th scope="col">Ended</th>
                <th scope="col">Status</th>
                <th scope="col">Result</th>
                <th scope="col">
                  <span className="visually-hidden">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => {
                const expanded = open.has(r.id);
                const detailsId = `restore-details-${r.id}`;
                return (
                  <Fragment key={r.id}>
                    <tr>
                      {schemaId ? null : (
                        <th scope="row">
                          <SchemaName restore={r} />
                        </th>
                      )}
                      {schemaId ? (
                        <th scope="row">{destinationLabel(r.destination)}</th>
                      ) : (
                        <td>{destinationLabel(r.destination)}</td>
                      )}
                      <td>
                        <DateTime iso={r.startedAt ?? r.createdAt} />
                      </td>
                      <td>{r.endedAt ? <DateTime iso={r.endedAt} /> : '—'}</td>
                      <td>
                        <RestoreStatusLozenge status={r.status} />
                      </td>
                      <td>
                        {r.resultMessage ? (
                          <Button
                            appearance="link"
                            aria-expanded={expanded}
                            aria-controls={detailsId}
                            onClick={() => toggle(r.id)}
                          >
                            {r.resultMessage}
                          </Button>
                        ) : (
                          '—'
                        )}
                      </td>
                      <td>
                        <Button
                          appearance="subtle"
                          aria-expanded={expanded}
                          aria-controls={detailsId}
                          aria-label={`${expanded ? 'Hide' : 'Show'} details of the restore to ${r.destination.schemaName} started ${new Date(r.startedAt ?? r.createdAt).toLocaleString()}`}
                          onClick={() => toggle(r.id)}
                        >
                          {expanded ? 'Hide details' : 'Details'}
                        </Button>
                      </td>
                    </tr>
                    {expanded ? (
                      <tr id={detailsId} className="table__details">
                        <td colSpan={columns}>
                          <RestoreDetails
                            restore={r}
                            busy={issueFields.id === r.id}
                            error={issueFields.restoreId === r.id ? issueFields.error : undefined}
                            onIssueFields={() => void startIssueFields(r)}
                          />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {restores.data && (cursors.length > 1 || restores.data.nextCursor) ? (
        <Pager
          label={`${caption}: page ${cursors.length}`}
          hasPrevious={cursors.length > 1}
          hasNext={restores.data.nextCursor !== undefined}
          onPrevious={() => setCursors((c) => c.slice(0, -1))}
          onNext={() => {
            const next = restores.data?.nextCursor;
            if (next) setCursors((c) => [...c, next]);
          }}
        />
      ) : null}
    </div>
  );
}

/** The restored schema, linked to Assets once the restore succeeded. */
function SchemaName({ restore }: { restore: RestoreSummary }) {
  const name = `${restore.source.schemaName} (${restore.source.schemaKey})`;
  return restore.status === 'completed' && restore.destination.schemaUrl ? (
    <a href={restore.destination.schemaUrl} target="_blank" rel="noreferrer">
      {name}
    </a>
  ) : (
    <>{name}</>
  );
}

function RestoreDetails({
  restore: r,
  busy,
  error,
  onIssueFields,
}: {
  restore: RestoreSummary;
  busy: boolean;
  error: ApiError | undefined;
  onIssueFields: () => void;
}) {
  const fields = r.issueFields;
  return (
    <div className="stack">
      <dl className="details">
        <dt>Restored from</dt>
        <dd>
          <Link to={href(schemaPath(r.source.schemaId), { backup: r.backupId })}>
            Backup of {r.source.schemaName} ({r.source.schemaKey}) from <DateTime iso={r.backupCreatedAt} />
          </Link>{' '}
          on {r.source.siteUrl}
        </dd>
        <dt>Restored to</dt>
        <dd>
          {r.destination.schemaUrl ? (
            <a href={r.destination.schemaUrl} target="_blank" rel="noreferrer">
              {destinationLabel(r.destination)}
            </a>
          ) : (
            destinationLabel(r.destination)
          )}{' '}
          · {KIND_LABELS[r.destination.kind]}
          {r.destination.kind === 'existing-schema'
            ? ` · duplicate objects ${yesNo(r.destination.createDuplicates ?? false)}`
            : ''}
        </dd>
        <dt>Object history</dt>
        <dd>{yesNo(r.options.history)}</dd>
        <dt>Object icons</dt>
        <dd>{yesNo(r.options.objectIcons)}</dd>
        <dt>Specific object types</dt>
        <dd>
          {yesNo(r.options.objectTypeIds !== null)}
          {r.options.objectTypeIds !== null ? ` (${r.options.objectTypeIds.length.toLocaleString()} chosen)` : ''}
        </dd>
        <dt>Result message</dt>
        <dd>{r.resultMessage ?? (r.status === 'pending' ? 'Pending' : 'Running')}</dd>
        <dt>Objects</dt>
        <dd>
          {r.counts.created.toLocaleString()} created, {r.counts.skipped.toLocaleString()} skipped,{' '}
          {r.counts.failed.toLocaleString()} failed, {plural(r.counts.warnings, 'warning')}
        </dd>
        <dt>Started by</dt>
        <dd>{r.createdBy}</dd>
        <dt>Updated fields</dt>
        <dd>
          {fields.updatedFields.toLocaleString()}
          {fields.failedFields > 0 ? ` (${fields.failedFields.toLocaleString()} failed)` : ''}
        </dd>
        <dt>Field update status</dt>
        <dd>
          {ISSUE_FIELDS_STATUS[fields.status]}
          {fields.message ? ` · ${fields.message}` : ''}
        </dd>
        <dt>Field update date</dt>
        <dd>{fields.updatedAt ? <DateTime iso={fields.updatedAt} /> : '—'}</dd>
      </dl>
      <div className="button-group">
        {r.status === 'completed' || r.status === 'error' ? (
          <a
            className="button"
            href={restoreLogUrl(r.id)}
            download
            aria-label={`Download full log (.xlsx) of the restore to ${r.destination.schemaName}`}
          >
            Download full log (.xlsx)
          </a>
        ) : null}
        {r.status === 'completed' ? <IssueFieldsButton restore={r} onStart={onIssueFields} busy={busy} /> : null}
      </div>
      {error ? <ErrorState error={error} what="The objects in issues were not restored" /> : null}
    </div>
  );
}
