/**
 * A backup's schema definitions: the object types (icon, description, parent, flags) with every attribute's type,
 * cardinality, uniqueness, label flag, options, reference type and target; the schema's status and reference
 * types. What a person needs to rebuild or check the schema by hand when Assets is not there to ask.
 */
import { iconUrl, vault, type AttributeDefinition, type BackupDefinitions, type TypeDefinition } from '../api/vault.js';
import { DataTable, TableCard } from '../components/DataTable.js';
import { ErrorState, Loading } from '../components/Feedback.js';
import { PageHeader } from '../components/Layout.js';
import { TypeTree } from '../components/TypeTree.js';
import {
  attributeTypeName,
  cardinality,
  definitionTree,
  inheritedFrom,
  STATUS_CATEGORIES,
} from '../lib/definitions.js';
import { href, Link, useRouter } from '../lib/router.js';
import { backupPath, backupTitle, definitionsPath, schemaPath, useBackupOfSchema } from '../lib/schema-context.js';
import { useResource } from '../lib/use-resource.js';

type StatusType = BackupDefinitions['statusTypes'][number];
type ReferenceType = BackupDefinitions['referenceTypes'][number];

const yesNo = (b: boolean) => (b ? 'Yes' : 'No');
const scope = (global: boolean) => (global ? 'Global' : 'This schema');

export function DefinitionsPage({ schemaId, backupId }: { schemaId: string; backupId: string }) {
  const { location, navigate } = useRouter();
  const context = useBackupOfSchema(schemaId, backupId);
  const definitions = useResource((signal) => vault.definitions(backupId, { signal }), [backupId]);
  const backup = context.data?.backup;
  const d = definitions.data;
  const chosen = location.search.get('type');
  const type = d ? (d.objectTypes.find((t) => t.id === chosen) ?? d.objectTypes[0]) : undefined;
  const here = definitionsPath(schemaId, backupId);

  return (
    <>
      <PageHeader
        title={
          backup
            ? `Definitions of ${backupTitle(backup).toLowerCase()} of ${context.data?.schema.name ?? ''}`
            : 'Definitions'
        }
        crumbs={[
          { label: 'Schemas', to: '/' },
          { label: context.data?.schema.name ?? 'Schema', to: href(schemaPath(schemaId), { backup: backupId }) },
          { label: backup ? backupTitle(backup) : 'Backup', to: backupPath(schemaId, backupId) },
          { label: 'Definitions' },
        ]}
        description={
          d ? (
            <>
              Schema {d.schema.name} ({d.schema.key}) · {d.objectTypes.length.toLocaleString()} object types
              {d.schema.description ? ` · ${d.schema.description}` : ''}
            </>
          ) : undefined
        }
      />
      {context.state === 'error' ? (
        <ErrorState error={context.error} what="The backup could not be loaded" onRetry={context.retry} />
      ) : null}
      {definitions.state === 'loading' ? <Loading>Reading the definitions from the backup…</Loading> : null}
      {definitions.state === 'error' ? (
        <ErrorState error={definitions.error} what="The definitions could not be read" onRetry={definitions.retry} />
      ) : null}
      {d ? (
        <>
          <div className="sidebar-layout">
            <nav className="card" aria-labelledby="definition-types-title">
              <h2 id="definition-types-title">Object types</h2>
              <TypeTree
                label="Object types"
                roots={definitionTree(d.objectTypes)}
                selectedId={type?.id}
                onSelect={(id) => navigate(href(here, { type: id }))}
              />
            </nav>
            {type ? (
              <TypeDefinitionCard
                type={type}
                all={d.objectTypes}
                backupId={backupId}
                typeLink={(id) => href(here, { type: id })}
                objectsLink={href(backupPath(schemaId, backupId), { type: type.id })}
              />
            ) : (
              <section className="card">
                <p>This backup holds no object types.</p>
              </section>
            )}
          </div>
          <div className="split">
            <TableCard<StatusType>
              id="status-types"
              title="Status types"
              rows={d.statusTypes}
              rowKey={(s) => s.id}
              empty={<p className="subtle">No status types.</p>}
              columns={[
                { key: 'name', header: 'Status', isRowHeader: true, cell: (s) => s.name },
                { key: 'category', header: 'Category', cell: (s) => STATUS_CATEGORIES[s.category] ?? s.category },
                { key: 'scope', header: 'Scope', cell: (s) => scope(s.global) },
                { key: 'description', header: 'Description', cell: (s) => s.description ?? '—' },
              ]}
            />
            <TableCard<ReferenceType>
              id="reference-types"
              title="Reference types"
              rows={d.referenceTypes}
              rowKey={(r) => r.id ?? r.name}
              empty={<p className="subtle">No reference types.</p>}
              columns={[
                { key: 'name', header: 'Reference type', isRowHeader: true, cell: (r) => r.name },
                { key: 'scope', header: 'Scope', cell: (r) => scope(r.global) },
                { key: 'description', header: 'Description', cell: (r) => r.description ?? '—' },
              ]}
            />
          </div>
        </>
      ) : null}
    </>
  );
}

function TypeIcon({ backupId, icon }: { backupId: string; icon: TypeDefinition['icon'] }) {
  // the name says what the picture shows; the picture is decoration next to it
  return icon.image ? (
    <img className="type-icon" src={iconUrl(backupId, icon.id)} alt="" width={24} height={24} />
  ) : null;
}

function TypeDefinitionCard({
  type,
  all,
  backupId,
  typeLink,
  objectsLink,
}: {
  type: TypeDefinition;
  all: readonly TypeDefinition[];
  backupId: string;
  typeLink: (id: string) => string;
  objectsLink: string;
}) {
  const parent = all.find((t) => t.id === type.parentId);
  const inherited = inheritedFrom(all, type);
  const typeName = (id: string | null) => all.find((t) => t.id === id)?.name;
  return (
    <section className="card stack" aria-labelledby="type-definition-title">
      <h2 id="type-definition-title" className="type-heading">
        <TypeIcon backupId={backupId} icon={type.icon} />
        {type.name}
      </h2>
      <dl className="details" aria-label={`About the object type ${type.name}`}>
        <dt>Description</dt>
        <dd>{type.description ?? '—'}</dd>
        <dt>Icon</dt>
        <dd>
          {type.icon.name}
          {type.icon.image ? '' : ' (the backup was made without icons)'}
        </dd>
        <dt>Parent type</dt>
        <dd>{parent ? <Link to={typeLink(parent.id)}>{parent.name}</Link> : 'None (a top-level type)'}</dd>
        <dt>Abstract</dt>
        <dd>{type.abstract ? 'Yes (no objects of its own)' : 'No'}</dd>
        <dt>Children inherit its attributes</dt>
        <dd>{yesNo(type.inherited)}</dd>
        <dt>Objects in the backup</dt>
        <dd>
          <Link to={objectsLink}>{type.objectCount.toLocaleString()}</Link>
        </dd>
      </dl>
      <AttributeTable
        caption={`Attributes of ${type.name}`}
        attributes={type.attributes}
        typeName={typeName}
        typeLink={typeLink}
      />
      {inherited.map((ancestor) => (
        <AttributeTable
          key={ancestor.id}
          caption={`Attributes inherited from ${ancestor.name}`}
          attributes={ancestor.attributes}
          typeName={typeName}
          typeLink={typeLink}
        />
      ))}
    </section>
  );
}

function AttributeTable({
  caption,
  attributes,
  typeName,
  typeLink,
}: {
  caption: string;
  attributes: AttributeDefinition[];
  typeName: (id: string | null) => string | undefined;
  typeLink: (id: string) => string;
}) {
  return (
    <DataTable<AttributeDefinition>
      caption={caption}
      rows={attributes}
      rowKey={(a) => a.id}
      empty={<p className="subtle">{caption}: none.</p>}
      columns={[
        {
          key: 'name',
          header: 'Attribute',
          isRowHeader: true,
          cell: (a) => (
            <>
              {a.name}
              {a.description ? <span className="field__hint"> — {a.description}</span> : null}
            </>
          ),
        },
        {
          key: 'type',
          header: 'Type',
          cell: (a) => `${attributeTypeName(a)}${a.system ? ' (system)' : ''}${a.hidden ? ' (hidden)' : ''}`,
        },
        { key: 'cardinality', header: 'Cardinality', cell: cardinality },
        { key: 'unique', header: 'Unique', cell: (a) => yesNo(a.unique) },
        { key: 'label', header: 'Label', cell: (a) => yesNo(a.label) },
        { key: 'options', header: 'Options', cell: (a) => (a.options.length > 0 ? a.options.join(', ') : '—') },
        {
          key: 'reference',
          header: 'Reference',
          cell: (a) =>
            a.referenceObjectTypeId === null ? (
              '—'
            ) : (
              <>
                {a.referenceType ?? 'Reference'} →{' '}
                {typeName(a.referenceObjectTypeId) !== undefined ? (
                  <Link to={typeLink(a.referenceObjectTypeId)}>{typeName(a.referenceObjectTypeId)}</Link>
                ) : (
                  // a type of another schema: the backup of this one holds its id only
                  (a.referenceObjectTypeName ?? `object type ${a.referenceObjectTypeId} of another schema`)
                )}
              </>
            ),
        },
      ]}
    />
  );
}
