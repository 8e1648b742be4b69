/**
 * Browse a backup, what users need most during an outage: the object type tree with counts, a search over
 * labels, keys and attribute values with paging, links to each object, exports of the whole backup or one type.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { exportUrl, vault, type ObjectSummary } from '../api/vault.js';
import { EXPORT_FORMATS } from '../components/BackupPanel.js';
import { Button } from '../components/Button.js';
import { DataTable, Pager } from '../components/DataTable.js';
import { DateTime } from '../components/DateTime.js';
import { EmptyState, ErrorState, Loading } from '../components/Feedback.js';
import { TextField } from '../components/Fields.js';
import { PageHeader } from '../components/Layout.js';
import { TypeTree } from '../components/TypeTree.js';
import { href, Link, useRouter } from '../lib/router.js';
import {
  backupPath,
  backupTitle,
  comparePath,
  definitionsPath,
  objectPath,
  schemaPath,
  useBackupOfSchema,
} from '../lib/schema-context.js';
import { totalObjects, typeNames } from '../lib/type-names.js';
import { useResource } from '../lib/use-resource.js';

const PAGE_SIZE = 50;

export function BrowsePage({ schemaId, backupId }: { schemaId: string; backupId: string }) {
  const { location, navigate } = useRouter();
  const context = useBackupOfSchema(schemaId, backupId);
  const types = useResource((signal) => vault.objectTypes(backupId, { signal }), [backupId]);
  const typeId = location.search.get('type') ?? undefined;
  const q = location.search.get('q') ?? '';
  const [draft, setDraft] = useState(q);
  // cursors of the pages so far for this query (the API pages forward with an opaque keyset cursor)
  const queryKey = `${typeId ?? ''}\n${q}`;
  const [paging, setPaging] = useState<{ key: string; cursors: (string | undefined)[] }>({
    key: queryKey,
    cursors: [undefined],
  });
  const cursors = paging.key === queryKey ? paging.cursors : [undefined];
  const setCursors = (update: (c: (string | undefined)[]) => (string | undefined)[]) =>
    setPaging({ key: queryKey, cursors: update(cursors) });
  const cursor = cursors[cursors.length - 1];
  useEffect(() => setDraft(q), [q]);
  const objects = useResource(
    (signal) =>
      vault.listObjects(
        backupId,
        {
          ...(q ? { q } : {}),
          ...(typeId ? { objectTypeId: typeId } : {}),
          ...(cursor ? { cursor } : {}),
          limit: PAGE_SIZE,
        },
        { signal },
      ),
    [backupId, typeId, q, cursor],
  );

  const names = types.data ? typeNames(types.data.items) : new Map<string, string>();
  const typeName = typeId ? names.get(typeId) : undefined;
  const setQuery = (changes: Record<string, string | undefined>) =>
    navigate(href(backupPath(schemaId, backupId), { type: typeId, q: q || undefined, ...changes }));
  const search = (event: FormEvent) => {
    event.preventDefault();
    setQuery({ q: draft.trim() || undefined });
  };
  const backup = context.data?.backup;
  const title = backup ? `${backupTitle(backup)} of ${context.data?.schema.name ?? ''}` : 'Backup';

  return (
    <>
      <PageHeader
        title={title}
        crumbs={[
          { label: 'Schemas', to: '/' },
          { label: context.data?.schema.name ?? 'Schema', to: href(schemaPath(schemaId), { backup: backupId }) },
          { label: backup ? backupTitle(backup) : 'Backup' },
        ]}
        description={
          backup ? (
            <>
              Backed up <DateTime iso={backup.backupDate} /> · {backup.objects.toLocaleString()} objects
            </>
          ) : undefined
        }
        actions={
          <>
            <Link className="button" to={definitionsPath(schemaId, backupId)}>
              Schema definitions
            </Link>
            <Link className="button" to={comparePath(schemaId, backupId, 'live')}>
              Compare with live schema
            </Link>
          </>
        }
      />
      {context.state === 'error' ? (
        <ErrorState error={context.error} what="The backup could not be loaded" onRetry={context.retry} />
      ) : null}
      <div className="sidebar-layout">
        <nav className="card" aria-labelledby="types-title">
          <h2 id="types-title">Object types</h2>
          {types.state === 'loading' ? <Loading>Loading object types…</Loading> : null}
          {types.state === 'error' ? (
            <ErrorState error={types.error} what="The object types could not be loaded" onRetry={types.retry} />
          ) : null}
          {types.data ? (
            <>
              <Button
                appearance="subtle"
                className="tree-all"
                aria-pressed={typeId === undefined}
                onClick={() => setQuery({ type: undefined })}
              >
                All object types ({totalObjects(types.data.items).toLocaleString()})
              </Button>
              <TypeTree
                label="Object types"
                roots={types.data.items}
                selectedId={typeId}
                onSelect={(id) => setQuery({ type: id })}
              />
            </>
          ) : null}
        </nav>
        <section className="card" aria-labelledby="objects-title">
          <h2 id="objects-title">{typeName ? `Objects of type ${typeName}` : 'All objects'}</h2>
          <form className="toolbar" role="search" onSubmit={search}>
            <TextField
              label="Search objects"
              type="search"
              value={draft}
              hint={
                backup?.search === 'indexing'
                  ? 'The search index is being built: searching may be slower.'
                  : 'Label, key or any attribute value.'
              }
              onChange={(event) => setDraft(event.target.value)}
            />
            <Button type="submit" appearance="primary">
              Search
            </Button>
          </form>
          <div className="field">
            <span className="field__label" id="export-label">
              {typeName ? `Export objects of type ${typeName}` : 'Export the whole backup'}
            </span>
            <div className="button-group" role="group" aria-labelledby="export-label">
              {EXPORT_FORMATS.map((f) => (
                <a key={f.format} className="button" href={exportUrl(backupId, f.format, typeId)} download>
                  {f.label}
                </a>
              ))}
            </div>
          </div>
          {objects.state === 'loading' && !objects.data ? <Loading>Loading objects…</Loading> : null}
          {objects.state === 'error' ? (
            <ErrorState error={objects.error} what="The objects could not be loaded" onRetry={objects.retry} />
          ) : null}
          {objects.data ? (
            <DataTable<ObjectSummary>
              caption={q ? `Objects matching “${q}”` : 'Objects'}
              rows={objects.data.items}
              rowKey={(o) => o.id}
              busy={objects.state === 'loading'}
              empty={<EmptyState title={q ? `No object matches “${q}”` : 'No objects'} />}
              columns={[
                {
                  key: 'key',
                  header: 'Key',
                  isRowHeader: true,
                  cell: (o) => <Link to={objectPath(schemaId, backupId, o.id)}>{o.key}</Link>,
                },
                { key: 'label', header: 'Label', cell: (o) => o.label },
                { key: 'type', header: 'Object type', cell: (o) => names.get(o.objectTypeId) ?? o.objectTypeId },
                { key: 'updated', header: 'Updated', cell: (o) => <DateTime iso={o.updated} /> },
              ]}
              footer={
                cursors.length > 1 || objects.data.nextCursor ? (
                  <Pager
                    label={`Page ${cursors.length}`}
                    hasPrevious={cursors.length > 1}
                    hasNext={objects.data.nextCursor !== null}
                    onPrevious={() => setCursors((c) => c.slice(0, -1))}
                    onNext={() => {
                      const next = objects.data?.nextCursor;
                      if (next) setCursors((c) => [...c, next]);
                    }}
                  />
                ) : null
              }
            />
          ) : null}
        </section>
      </div>
    </>
  );
}
