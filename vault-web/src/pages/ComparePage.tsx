/**
 * A backup compared with the live schema (snapshotted now with the stored credentials) or with another backup:
 * objects added, removed and changed, changed attributes side by side ("before" is this backup).
 */
import { vault, type BackupRow, type Diff } from '../api/vault.js';
import { Button } from '../components/Button.js';
import { DataTable } from '../components/DataTable.js';
import { DateTime } from '../components/DateTime.js';
import { ErrorState, Loading, SectionMessage } from '../components/Feedback.js';
import { SelectField } from '../components/Fields.js';
import { PageHeader } from '../components/Layout.js';
import { formatDateTime } from '../lib/dates.js';
import { href, Link, useRouter } from '../lib/router.js';
import {
  backupPath,
  backupTitle,
  comparePath,
  objectPath,
  schemaPath,
  useBackupOfSchema,
} from '../lib/schema-context.js';
import { typeNames } from '../lib/type-names.js';
import { useResource } from '../lib/use-resource.js';

type DiffObject = Diff['added'][number];
type Changed = Diff['changed'][number];
type ChangedAttribute = Changed['attributes'][number];

const valueList = (values: string[]) =>
  values.length === 0 ? <span className="subtlest">(empty)</span> : values.join('; ');

export function ComparePage({ schemaId, backupId }: { schemaId: string; backupId: string }) {
  const { location, navigate } = useRouter();
  const against = location.search.get('against') ?? 'live';
  const context = useBackupOfSchema(schemaId, backupId);
  const types = useResource((signal) => vault.objectTypes(backupId, { signal }), [backupId]);
  const diff = useResource((signal) => vault.diffBackup(backupId, against, { signal }), [backupId, against]);
  const names = types.data ? typeNames(types.data.items) : new Map<string, string>();
  const backup = context.data?.backup;
  const other: BackupRow | undefined = context.data?.backups.find((b) => b.id === against);
  const thisLabel = backup ? backupTitle(backup) : 'This backup';
  const otherLabel = against === 'live' ? 'Live schema' : other ? backupTitle(other) : 'Other backup';
  const objectLink = (o: DiffObject, inBackup: string | undefined) =>
    inBackup ? <Link to={objectPath(schemaId, inBackup, o.id)}>{o.key}</Link> : o.key;
  const objectColumns = (inBackup: string | undefined) => [
    { key: 'key', header: 'Key', isRowHeader: true, cell: (o: DiffObject) => objectLink(o, inBackup) },
    { key: 'label', header: 'Label', cell: (o: DiffObject) => o.label },
    { key: 'type', header: 'Object type', cell: (o: DiffObject) => names.get(o.objectTypeId) ?? o.objectTypeId },
  ];

  return (
    <>
      <PageHeader
        title={`Compare ${thisLabel.toLowerCase()} with ${against === 'live' ? 'the live schema' : otherLabel.toLowerCase()}`}
        crumbs={[
          { label: 'Schemas', to: '/' },
          { label: context.data?.schema.name ?? 'Schema', to: href(schemaPath(schemaId), { backup: backupId }) },
          { label: thisLabel, to: backupPath(schemaId, backupId) },
          { label: 'Compare' },
        ]}
        description="“Before” is this backup; “after” is what it is compared with."
      />
      {context.data ? (
        <form
          className="toolbar"
          onSubmit={(event) => {
            event.preventDefault();
            const value = new FormData(event.currentTarget).get('against');
            if (typeof value === 'string') navigate(comparePath(schemaId, backupId, value));
          }}
        >
          <SelectField
            label="Compare with"
            name="against"
            key={against}
            defaultValue={against}
            options={[
              { value: 'live', label: 'Live schema (read now from Atlassian)' },
              ...context.data.backups
                .filter((b) => b.id !== backupId)
                .map((b) => ({ value: b.id, label: `${backupTitle(b)} · ${formatDateTime(b.backupDate)}` })),
            ]}
          />
          <Button type="submit">Compare</Button>
        </form>
      ) : null}
      {diff.state === 'loading' ? (
        <Loading>
          {against === 'live'
            ? 'Reading the live schema from Atlassian and comparing (this can take a few minutes for a large schema)…'
            : 'Comparing the two backups…'}
        </Loading>
      ) : null}
      {diff.state === 'error' ? (
        <ErrorState error={diff.error} what="The comparison could not be made" onRetry={diff.retry} />
      ) : null}
      {diff.state === 'ready' ? (
        <>
          <SectionMessage appearance="information" title="Differences">
            <p>
              {diff.data.summary.added.toLocaleString()} added · {diff.data.summary.removed.toLocaleString()} removed ·{' '}
              {diff.data.summary.changed.toLocaleString()} changed
              {diff.data.against.kind === 'live' ? (
                <>
                  {' '}
                  (live schema read <DateTime iso={diff.data.against.capturedAt} />)
                </>
              ) : null}
            </p>
            {diff.data.truncated ? <p>Only the first 500 objects of each list are shown.</p> : null}
          </SectionMessage>
          <section className="card" aria-labelledby="changed-title">
            <h2 id="changed-title">Changed objects ({diff.data.summary.changed.toLocaleString()})</h2>
            <DataTable<Changed>
              caption="Changed objects"
              captionHidden
              rows={diff.data.changed}
              rowKey={(c) => c.id}
              pageSize={10}
              empty={<p className="subtle">No object changed.</p>}
              columns={[
                {
                  key: 'object',
                  header: 'Object',
                  isRowHeader: true,
                  cell: (c) => (
                    <>
                      {objectLink(c, backupId)} {c.label}
                      {c.labelBefore !== undefined && c.labelBefore !== c.label ? (
                        <span className="subtlest"> (was {c.labelBefore})</span>
                      ) : null}
                    </>
                  ),
                },
                {
                  key: 'attributes',
                  header: 'Changed attributes',
                  cell: (c) => (
                    <DataTable<ChangedAttribute>
                      caption={`Changed attributes of ${c.key}`}
                      captionHidden
                      rows={c.attributes}
                      rowKey={(a) => a.attributeId}
                      columns={[
                        { key: 'name', header: 'Attribute', isRowHeader: true, cell: (a) => a.name },
                        {
                          key: 'before',
                          header: `Before (${thisLabel})`,
                          cell: (a) => <span className="diff-before">{valueList(a.before)}</span>,
                        },
                        {
                          key: 'after',
                          header: `After (${otherLabel})`,
                          cell: (a) => <span className="diff-after">{valueList(a.after)}</span>,
                        },
                      ]}
                    />
                  ),
                },
              ]}
            />
          </section>
          <div className="split">
            <section className="card" aria-labelledby="removed-title">
              <h2 id="removed-title">
                Only in {thisLabel.toLowerCase()} ({diff.data.summary.removed.toLocaleString()})
              </h2>
              <DataTable<DiffObject>
                caption={`Objects only in ${thisLabel.toLowerCase()}`}
                captionHidden
                rows={diff.data.removed}
                rowKey={(o) => o.id}
                pageSize={20}
                empty={<p className="subtle">None.</p>}
                columns={objectColumns(backupId)}
              />
            </section>
            <section className="card" aria-labelledby="added-title">
              <h2 id="added-title">
                Only in {otherLabel.toLowerCase()} ({diff.data.summary.added.toLocaleString()})
              </h2>
              <DataTable<DiffObject>
                caption={`Objects only in ${otherLabel.toLowerCase()}`}
                captionHidden
                rows={diff.data.added}
                rowKey={(o) => o.id}
                pageSize={20}
                empty={<p className="subtle">None.</p>}
                columns={objectColumns(other?.id)}
              />
            </section>
          </div>
        </>
      ) : null}
    </>
  );
}
