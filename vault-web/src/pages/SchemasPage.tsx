/**
 * The main page: the site's backed-up schemas (Restore opens the schema's page to pick a backup) and the site's
 * restore history.
 */
import { lazy, Suspense } from 'react';
import { vault, type SchemaSummary } from '../api/vault.js';
import { DataTable } from '../components/DataTable.js';
import { DateTime } from '../components/DateTime.js';
import { EmptyState, ErrorState, Loading, Lozenge } from '../components/Feedback.js';
import { PageHeader } from '../components/Layout.js';
import { Link, useRouter } from '../lib/router.js';
import { schemaPath } from '../lib/schema-context.js';
import { useResource } from '../lib/use-resource.js';
import { Button } from '../components/Button.js';

// the history grid is not needed to show the schemas: it loads after them, outside the first load
const RestoresTable = lazy(() => import('../components/RestoresTable.js').then((m) => ({ default: m.RestoresTable })));

export function SchemasPage() {
  const schemas = useResource((signal) => vault.listSchemas({ signal }), []);
  const { navigate } = useRouter();
  return (
    <>
      <PageHeader
        title="Backed-up schemas"
        description="The Assets schemas of your site that are backed up in this vault. Pick one to see its backups."
      />
      {schemas.state === 'loading' ? <Loading>Loading schemas…</Loading> : null}
      {schemas.state === 'error' ? (
        <ErrorState error={schemas.error} what="The schemas could not be loaded" onRetry={schemas.retry} />
      ) : null}
      {schemas.state === 'ready' ? (
        <DataTable<SchemaSummary>
          caption="Synced schemas"
          rows={schemas.data.items}
          rowKey={(s) => s.schemaId}
          pageSize={25}
          empty={
            <EmptyState title="No schema is backed up yet">
              <p>
                A Jira administrator chooses the schemas to back up in the Jira app: Apps → Assets Backup Vault → Backup
                configuration.
              </p>
            </EmptyState>
          }
          columns={[
            {
              key: 'name',
              header: 'Name',
              isRowHeader: true,
              cell: (s) => (
                <>
                  <Link to={schemaPath(s.schemaId)}>{s.name}</Link> {s.synced ? null : <Lozenge>Not synced</Lozenge>}
                </>
              ),
            },
            { key: 'key', header: 'Key', cell: (s) => s.key },
            { key: 'objects', header: 'Objects', numeric: true, cell: (s) => s.objectCount.toLocaleString() },
            {
              key: 'last',
              header: 'Last backup',
              cell: (s) => (s.lastBackup ? <DateTime iso={s.lastBackup.completedAt} /> : 'Never'),
            },
            { key: 'count', header: 'Backups', numeric: true, cell: (s) => s.backupsCount.toLocaleString() },
            {
              key: 'actions',
              header: <span className="visually-hidden">Actions</span>,
              cell: (s) => (
                <Button aria-label={`Restore ${s.name}`} onClick={() => navigate(schemaPath(s.schemaId))}>
                  Restore
                </Button>
              ),
            },
          ]}
        />
      ) : null}
      <section aria-labelledby="history-title" className="stack">
        <h2 id="history-title">Restore history</h2>
        <Suspense fallback={<Loading>Loading the restore history…</Loading>}>
          <RestoresTable caption="Restore history of the site" />
        </Suspense>
      </section>
    </>
  );
}
