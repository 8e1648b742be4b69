/**
 * A backup's schema definitions: object types (icons, descriptions, parents) with every attribute's kind,
 * cardinality, uniqueness, label flag, options and reference target, plus the status and reference types. They
 * are the structure records at the head of the stored snapshot (read until the first object, each chunk checked
 * against the manifest); the browse tables keep only names. Served by `GET /backups/:id/definitions`, shown by
 * the web UI and written into the JSON export so its typed values can be read back. A backup made with icons holds
 * each type icon's picture too, served by `GET /backups/:id/icons/:iconId` (the UI's CSP allows images from the
 * vault only, and during an outage Atlassian's icon URLs answer nothing).
 */
import { Type, type Static } from '@sinclair/typebox';
import {
  readSnapshot,
  type AttributeRecord,
  type IconRecord,
  type ObjectTypeRecord,
  type ReferenceTypeRecord,
  type SchemaRecord,
  type StatusTypeRecord,
} from '@assets-vault/shared/snapshot';
import { NotFoundError } from '@assets-vault/shared/errors';
import type { VaultDeps } from '../../deps.js';
import * as backupStore from '../backup-store/index.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** Assets attribute kinds (assets-cloud-api.md §4.3); codes the API may add later are shown as `Kind N`. */
const KIND_NAMES: Record<number, string> = { 0: 'Default', 1: 'Object reference', 2: 'User', 4: 'Group', 7: 'Status' };
export const attributeKindName = (type: number) => KIND_NAMES[type] ?? `Kind ${type}`;

export const AttributeDefinition = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  /** the Assets attribute type code (0 default, 1 object reference, 2 user, 4 group, 7 status) */
  type: Type.Integer(),
  kind: Type.String({ description: 'the type code as a name: Default, Object reference, User, Group, Status' }),
  /** for Default attributes: Text, Integer, Boolean, Double, Date, Time, DateTime, Url, Email, Textarea, Select… */
  defaultType: Nullable(Type.String()),
  label: Type.Boolean(),
  unique: Type.Boolean(),
  minimumCardinality: Nullable(Type.Integer()),
  /** -1: unlimited */
  maximumCardinality: Nullable(Type.Integer()),
  /** the options of a Select attribute */
  options: Type.Array(Type.String()),
  referenceObjectTypeId: Nullable(Type.String()),
  referenceObjectTypeName: Nullable(Type.String()),
  referenceType: Nullable(Type.String()),
  system: Type.Boolean(),
  hidden: Type.Boolean(),
});
export type AttributeDefinition = Static<typeof AttributeDefinition>;

export const BackupDefinitions = Type.Object({
  schema: Type.Object({
    id: Type.String(),
    name: Type.String(),
    key: Type.String(),
    description: Nullable(Type.String()),
  }),
  objectTypes: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      description: Nullable(Type.String()),
      icon: Type.Object({
        id: Type.String(),
        name: Type.String(),
        image: Type.Boolean({ description: 'the backup holds the picture: GET /backups/{id}/icons/{iconId}' }),
      }),
      parentId: Nullable(Type.String()),
      abstract: Type.Boolean(),
      inherited: Type.Boolean({ description: "children inherit this type's attributes" }),
      objectCount: Type.Integer(),
      /** the type's own attributes, by position (inherited ones are listed on the parent) */
      attributes: Type.Array(AttributeDefinition),
    }),
  ),
  statusTypes: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      description: Nullable(Type.String()),
      /** 0 inactive, 1 active, 2 pending */
      category: Type.Integer(),
      global: Type.Boolean(),
    }),
  ),
  referenceTypes: Type.Array(
    Type.Object({
      id: Nullable(Type.String()),
      name: Type.String(),
      description: Nullable(Type.String()),
      global: Type.Boolean(),
    }),
  ),
});
export type BackupDefinitions = Static<typeof BackupDefinitions>;

interface StructureRecords {
  schema: SchemaRecord | undefined;
  types: ObjectTypeRecord[];
  attributes: AttributeRecord[];
  statuses: StatusTypeRecord[];
  referenceTypes: ReferenceTypeRecord[];
  icons: IconRecord[];
}

async function readStructureRecords(
  deps: Pick<VaultDeps, 'db'>,
  siteId: string,
  backupId: string,
): Promise<StructureRecords> {
  const { backup, manifest, chunks } = await backupStore.openStoredSnapshot(deps.db, siteId, backupId);
  // a backup in the trash is as gone for its definitions as for browsing and export
  if (backup.trashedAt) throw new NotFoundError('Backup not found');
  const out: StructureRecords = {
    schema: undefined,
    types: [],
    attributes: [],
    statuses: [],
    referenceTypes: [],
    icons: [],
  };
  for await (const r of readSnapshot(manifest, chunks)) {
    // structure records come first (SNAPSHOT_FORMAT.md): stop at the first object, history or issue record
    if (r.kind === 'object' || r.kind === 'history' || r.kind === 'issueRef') break;
    if (r.kind === 'schema') out.schema = r;
    else if (r.kind === 'objectType') out.types.push(r);
    else if (r.kind === 'attribute') out.attributes.push(r);
    else if (r.kind === 'statusType') out.statuses.push(r);
    else if (r.kind === 'referenceType') out.referenceTypes.push(r);
    else if (r.kind === 'icon') out.icons.push(r);
  }
  return out;
}

const splitOptions = (options: string | undefined) =>
  options
    ? options
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean)
    : [];

function attributeDefinition(a: AttributeRecord, typeNames: Map<string, string>): AttributeDefinition {
  return {
    id: a.id,
    name: a.name,
    description: a.description ?? null,
    type: a.type,
    kind: attributeKindName(a.type),
    defaultType: a.type === 0 ? (a.defaultType?.name ?? null) : null,
    label: a.label,
    unique: a.uniqueAttribute ?? false,
    minimumCardinality: a.minimumCardinality ?? null,
    maximumCardinality: a.maximumCardinality ?? null,
    options: splitOptions(a.options),
    referenceObjectTypeId: a.referenceObjectTypeId ?? null,
    referenceObjectTypeName: a.referenceObjectTypeId ? (typeNames.get(a.referenceObjectTypeId) ?? null) : null,
    referenceType: a.referenceType?.name ?? null,
    system: a.system ?? false,
    hidden: a.hidden ?? false,
  };
}

/** The definitions of a completed backup of the site; 404 for an unknown or another site's backup. */
export async function backupDefinitions(
  deps: Pick<VaultDeps, 'db'>,
  siteId: string,
  backupId: string,
): Promise<BackupDefinitions> {
  const s = await readStructureRecords(deps, siteId, backupId);
  const typeNames = new Map(s.types.map((t) => [t.id, t.name]));
  const pictured = new Set(s.icons.filter((i) => iconPicture(i) !== undefined).map((i) => i.id));
  const byType = new Map<string, AttributeRecord[]>();
  for (const a of s.attributes) byType.set(a.objectTypeId, [...(byType.get(a.objectTypeId) ?? []), a]);
  return {
    schema: {
      id: s.schema?.id ?? '',
      name: s.schema?.name ?? '',
      key: s.schema?.objectSchemaKey ?? '',
      description: s.schema?.description ?? null,
    },
    objectTypes: s.types.map((t) => ({
      id: t.id,
      name: t.name,
      description: t.description ?? null,
      icon: { id: t.icon.id, name: t.icon.name, image: pictured.has(t.icon.id) },
      parentId: t.parentObjectTypeId ?? null,
      abstract: t.abstractObjectType,
      inherited: t.inherited,
      objectCount: t.objectCount,
      attributes: (byType.get(t.id) ?? [])
        .sort((a, b) => a.position - b.position)
        .map((a) => attributeDefinition(a, typeNames)),
    })),
    statusTypes: s.statuses.map((st) => ({
      id: st.id,
      name: st.name,
      description: st.description ?? null,
      category: st.category,
      global: st.objectSchemaId === undefined,
    })),
    referenceTypes: s.referenceTypes.map((rt) => ({
      id: rt.id ?? null,
      name: rt.name,
      description: rt.description ?? null,
      global: rt.objectSchemaId === undefined,
    })),
  };
}

/** The larger picture the backup holds of an icon (48 px, else 16 px). */
const iconPicture = (icon: IconRecord): string | undefined => icon.png48Base64 ?? icon.png16Base64;

/** The PNG of an object type icon as the backup holds it; 404 when the backup was made without icons. */
export async function backupIconPng(
  deps: Pick<VaultDeps, 'db'>,
  siteId: string,
  backupId: string,
  iconId: string,
): Promise<Buffer> {
  const s = await readStructureRecords(deps, siteId, backupId);
  const icon = s.icons.find((i) => i.id === iconId);
  const picture = icon ? iconPicture(icon) : undefined;
  if (picture === undefined) throw new NotFoundError('This backup holds no picture of that icon');
  return Buffer.from(picture, 'base64');
}
