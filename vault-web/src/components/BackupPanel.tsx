/** The selected backup: its information and what can be done with it now (browse, compare, export). */
import { useState } from 'react';
import { exportUrl, type BackupRow, type ExportFormat } from '../api/vault.js';
import { formatDateTime } from '../lib/dates.js';
import { Link } from '../lib/router.js';
import { backupPath, backupTitle, comparePath, definitionsPath } from '../lib/schema-context.js';
import { DateTime } from './DateTime.js';
import { Lozenge, SectionMessage } from './Feedback.js';
import { SelectField } from './Fields.js';

export const EXPORT_FORMATS: { format: ExportFormat; label: string }[] = [
  { format: 'csv', label: 'CSV' },
  { format: 'xlsx', label: 'XLSX' },
  { format: 'json', label: 'JSON' },
];

export function IncludedLozenge({ status }: { status: 'included' | 'not included' }) {
  return <Lozenge appearance={status === 'included' ? 'success' : 'default'}>{status}</Lozenge>;
}

export function BackupPanel({
  schemaId,
  backup,
  others,
}: {
  schemaId: string;
  backup: BackupRow;
  others: BackupRow[];
}) {
  const [against, setAgainst] = useState(others[0]?.id ?? '');
  const preparing = backup.browse === 'preparing';
  return (
    <section className="card" aria-labelledby="backup-panel-title">
      <h2 id="backup-panel-title">{backupTitle(backup)}</h2>
      <dl className="details">
        <dt>Backup date</dt>
        <dd>
          <DateTime iso={backup.backupDate} />
        </dd>
        <dt>Objects</dt>
        <dd>{backup.objects.toLocaleString()}</dd>
        <dt>Type</dt>
        <dd>{backup.type === 'manual' ? 'Manual' : 'Scheduled'}</dd>
        <dt>Object history</dt>
        <dd>
          <IncludedLozenge status={backup.historyStatus} />
        </dd>
        <dt>Objects in issues</dt>
        <dd>
          <IncludedLozenge status={backup.objectsInIssuesStatus} />
        </dd>
        <dt>Search</dt>
        <dd>{backup.search === 'indexed' ? 'Indexed' : 'Index being built (search works, slower)'}</dd>
      </dl>
      {backup.warnings.length > 0 ? (
        <SectionMessage
          appearance="warning"
          title={`The backup reported ${backup.warnings.length === 1 ? 'a warning' : `${backup.warnings.length} warnings`}`}
        >
          <ul>
            {backup.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </SectionMessage>
      ) : null}
      {preparing ? (
        <SectionMessage appearance="information" title="Being prepared for browsing">
          <p>The vault is rebuilding this backup's browse tables from its stored chunks. Try again in a minute.</p>
        </SectionMessage>
      ) : (
        <>
          <div className="button-group">
            <Link className="button button--primary" to={backupPath(schemaId, backup.id)}>
              Browse objects
            </Link>
            <Link className="button" to={definitionsPath(schemaId, backup.id)}>
              Schema definitions
            </Link>
            <Link className="button" to={comparePath(schemaId, backup.id, 'live')}>
              Compare with live schema
            </Link>
          </div>
          {others.length > 0 ? (
            <div className="toolbar">
              <SelectField
                label="Compare with another backup"
                value={against}
                onChange={(event) => setAgainst(event.target.value)}
                options={others.map((o) => ({
                  value: o.id,
                  label: `${backupTitle(o)} · ${formatDateTime(o.backupDate)}`,
                }))}
              />
              <Link className="button" to={comparePath(schemaId, backup.id, against)}>
                Compare
              </Link>
            </div>
          ) : null}
          <div className="field">
            <span className="field__label" id="export-all-label">
              Export the whole backup
            </span>
            <div className="button-group" role="group" aria-labelledby="export-all-label">
              {EXPORT_FORMATS.map((f) => (
                <a key={f.format} className="button" href={exportUrl(backup.id, f.format)} download>
                  {f.label}
                </a>
              ))}
            </div>
          </div>
        </>
      )}
    </section>
  );
}
