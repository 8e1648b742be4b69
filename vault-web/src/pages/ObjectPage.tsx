/** One object as it was in the backup: every attribute, references as links, history and issues. */
import { vault, type ObjectDetail } from '../api/vault.js';
import { TableCard } from '../components/DataTable.js';
import { DateTime } from '../components/DateTime.js';
import { EmptyState, ErrorState, Loading, Lozenge } from '../components/Feedback.js';
import { PageHeader } from '../components/Layout.js';
import { href, Link } from '../lib/router.js';
import { backupPath, backupTitle, objectPath, schemaPath, useBackupOfSchema } from '../lib/schema-context.js';
import { typeNames } from '../lib/type-names.js';
import { useResource } from '../lib/use-resource.js';

type Attribute = ObjectDetail['attributes'][number];
type HistoryEntry = ObjectDetail['history'][number];
type Issue = ObjectDetail['issues'][number];

export function ObjectPage({ schemaId, backupId, objectId }: { schemaId: string; backupId: string; objectId: string }) {
  const context = useBackupOfSchema(schemaId, backupId);
  const types = useResource((signal) => vault.objectTypes(backupId, { signal }), [backupId]);
  const object = useResource((signal) => vault.getObject(backupId, objectId, { signal }), [backupId, objectId]);
  const names = types.data ? typeNames(types.data.items) : new Map<string, string>();
  const o = object.data;
  const typeName = o ? (names.get(o.objectTypeId) ?? o.objectTypeId) : undefined;
  const backup = context.data?.backup;

  const renderValues = (a: Attribute) =>
    a.values.length === 0 ? (
      <span className="subtlest">(empty)</span>
    ) : (
      <ul className="values">
        {a.values.map((v, i) => (
          <li key={i}>
            {v.reference ? (
              <Link to={objectPath(schemaId, backupId, v.reference.id)}>
                {v.reference.label} ({v.reference.key})
              </Link>
            ) : v.status ? (
              <Lozenge>{v.status.name}</Lozenge>
            ) : v.user ? (
              (v.user.displayName ?? v.displayValue)
            ) : (
              v.displayValue
            )}
          </li>
        ))}
      </ul>
    );

  return (
    <>
      <PageHeader
        title={o ? `${o.label} (${o.key})` : 'Object'}
        crumbs={[
          { label: 'Schemas', to: '/' },
          { label: context.data?.schema.name ?? 'Schema', to: href(schemaPath(schemaId), { backup: backupId }) },
          { label: backup ? backupTitle(backup) : 'Backup', to: backupPath(schemaId, backupId) },
          ...(o && typeName
            ? [{ label: typeName, to: href(backupPath(schemaId, backupId), { type: o.objectTypeId }) }]
            : []),
          { label: o?.key ?? 'Object' },
        ]}
        description={
          o ? (
            <>
              {typeName} · created <DateTime iso={o.created} /> · updated <DateTime iso={o.updated} />
              {backup ? (
                <>
                  {' '}
                  · as backed up <DateTime iso={backup.backupDate} />
                </>
              ) : null}
            </>
          ) : undefined
        }
      />
      {object.state === 'loading' ? <Loading>Loading the object…</Loading> : null}
      {object.state === 'error' ? (
        <ErrorState error={object.error} what="The object could not be loaded" onRetry={object.retry} />
      ) : null}
      {o ? (
        <>
          <TableCard<Attribute>
            id="attributes"
            title="Attributes"
            rows={o.attributes}
            rowKey={(a) => a.id}
            columns={[
              { key: 'name', header: 'Attribute', isRowHeader: true, cell: (a) => a.name },
              { key: 'value', header: 'Value', cell: renderValues },
            ]}
          />
          <div className="split">
            <TableCard<HistoryEntry>
              id="history"
              title="History"
              rows={[...o.history].reverse()}
              rowKey={(h) => h.id}
              pageSize={20}
              empty={
                <p className="subtle">
                  {backup?.historyStatus === 'included'
                    ? 'No history entries.'
                    : 'This backup was made without object history.'}
                </p>
              }
              columns={[
                { key: 'when', header: 'When', cell: (h) => <DateTime iso={h.created} /> },
                { key: 'who', header: 'Who', cell: (h) => h.actor.displayName ?? h.actor.name ?? 'Unknown' },
                {
                  key: 'what',
                  header: 'Change',
                  cell: (h) =>
                    h.affectedAttribute ? (
                      <>
                        {h.affectedAttribute}: {h.oldValue ? <del>{h.oldValue}</del> : null}
                        {h.oldValue && h.newValue ? ' → ' : null}
                        {h.newValue ? <ins>{h.newValue}</ins> : null}
                      </>
                    ) : (
                      `Change type ${h.type}`
                    ),
                },
              ]}
            />
            <TableCard<Issue>
              id="issues"
              title="Jira issues"
              caption="Jira issues referring to this object"
              rows={o.issues}
              rowKey={(i) => `${i.issueId}-${i.fieldId}`}
              pageSize={20}
              empty={
                <EmptyState title="No issues">
                  <p>
                    {backup?.objectsInIssuesStatus === 'included'
                      ? 'No Jira issue referred to this object when it was backed up.'
                      : 'This backup was made without objects in issues.'}
                  </p>
                </EmptyState>
              }
              columns={[
                { key: 'key', header: 'Issue', isRowHeader: true, cell: (i) => i.issueKey },
                { key: 'field', header: 'Field', cell: (i) => i.fieldName },
              ]}
            />
          </div>
        </>
      ) : null}
    </>
  );
}
