/**
 * Snapshot format v1 records: one TypeBox schema per record kind, discriminated on `kind`.
 * Payloads keep what a restore needs (raw values, every id a value points at, names for mapping
 * across sites) and drop what is derivable, volatile or secret (workspaceId/globalId, `_links`,
 * embedded definitions, avatar media tokens). SNAPSHOT_FORMAT.md documents every field.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { IdString, IsoTimestamp } from '../model/index.js';

const Opt = <T extends TSchema>(schema: T) => Type.Optional(schema);

/** The record kinds a v1 writer emits, in the order a backup writes them. */
export const RECORD_KINDS = [
  'schema',
  'schemaConfig',
  'icon',
  'statusType',
  'referenceType',
  'objectType',
  'attribute',
  'object',
  'history',
  'issueRef',
] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export const SchemaRecordSchema = Type.Object({
  kind: Type.Literal('schema'),
  id: IdString,
  name: Type.String(),
  objectSchemaKey: Type.String(),
  description: Opt(Type.String()),
  status: Opt(Type.String()),
  created: IsoTimestamp,
  updated: IsoTimestamp,
  objectCount: Type.Number(),
  objectTypeCount: Type.Number(),
  canManage: Opt(Type.Boolean()),
});
export type SchemaRecord = Static<typeof SchemaRecordSchema>;

/** Per-schema properties (`GET /global/config/objectschema/{id}`). */
export const SchemaConfigRecordSchema = Type.Object({
  kind: Type.Literal('schemaConfig'),
  allowOtherObjectSchema: Opt(Type.Boolean()),
  validateQuickCreate: Opt(Type.Boolean()),
  quickCreateObjects: Opt(Type.Boolean()),
});
export type SchemaConfigRecord = Static<typeof SchemaConfigRecordSchema>;

/** An icon used by the schema's object types; images only when the backup captured icons. */
export const IconRecordSchema = Type.Object({
  kind: Type.Literal('icon'),
  id: IdString,
  name: Type.String(),
  url16: Opt(Type.String()),
  url48: Opt(Type.String()),
  png16Base64: Opt(Type.String()),
  png48Base64: Opt(Type.String()),
});
export type IconRecord = Static<typeof IconRecordSchema>;

export const StatusTypeRecordSchema = Type.Object({
  kind: Type.Literal('statusType'),
  id: IdString,
  name: Type.String(),
  description: Opt(Type.String()),
  category: Type.Number(),
  /** absent: a global status */
  objectSchemaId: Opt(IdString),
});
export type StatusTypeRecord = Static<typeof StatusTypeRecordSchema>;

export const ReferenceTypeRecordSchema = Type.Object({
  kind: Type.Literal('referenceType'),
  id: Opt(IdString),
  name: Type.String(),
  description: Opt(Type.String()),
  color: Opt(Type.String()),
  url16: Opt(Type.String()),
  removable: Opt(Type.Boolean()),
  /** absent: a global reference type */
  objectSchemaId: Opt(IdString),
});
export type ReferenceTypeRecord = Static<typeof ReferenceTypeRecordSchema>;

export const ObjectTypeRecordSchema = Type.Object({
  kind: Type.Literal('objectType'),
  id: IdString,
  name: Type.String(),
  description: Opt(Type.String()),
  /** the icon is restored by name; its image is in an `icon` record when icons were captured */
  icon: Type.Object({ id: IdString, name: Type.String() }),
  position: Type.Number(),
  created: IsoTimestamp,
  updated: IsoTimestamp,
  objectCount: Type.Number(),
  /** normalised to a string (the API sends a number or a string) */
  parentObjectTypeId: Opt(IdString),
  type: Opt(Type.Number()),
  inherited: Type.Boolean(),
  abstractObjectType: Type.Boolean(),
  parentObjectTypeInherited: Type.Boolean(),
});
export type ObjectTypeRecord = Static<typeof ObjectTypeRecordSchema>;

export const AttributeRecordSchema = Type.Object({
  kind: Type.Literal('attribute'),
  id: IdString,
  /** the object type that owns the definition (inherited copies are not repeated) */
  objectTypeId: IdString,
  name: Type.String(),
  description: Opt(Type.String()),
  label: Type.Boolean(),
  /** attribute kind; a missing API `type` is written as 0 (assets-cloud-api.md §4.3) */
  type: Type.Number(),
  defaultType: Opt(Type.Object({ id: Type.Number(), name: Type.String() })),
  typeValue: Opt(Type.String()),
  typeValueMulti: Opt(Type.Array(Type.String())),
  additionalValue: Opt(Type.String()),
  /** type 1: the reference type, by id and by name (names map across sites) */
  referenceType: Opt(Type.Object({ id: Opt(IdString), name: Type.String() })),
  referenceObjectTypeId: Opt(IdString),
  editable: Opt(Type.Boolean()),
  system: Opt(Type.Boolean()),
  indexed: Type.Boolean(),
  sortable: Opt(Type.Boolean()),
  summable: Opt(Type.Boolean()),
  minimumCardinality: Opt(Type.Number()),
  maximumCardinality: Opt(Type.Number()),
  suffix: Opt(Type.String()),
  removable: Opt(Type.Boolean()),
  hidden: Opt(Type.Boolean()),
  includeChildObjectTypes: Opt(Type.Boolean()),
  uniqueAttribute: Opt(Type.Boolean()),
  regexValidation: Opt(Type.String()),
  qlQuery: Opt(Type.String()),
  iql: Opt(Type.String()),
  options: Opt(Type.String()),
  position: Type.Number(),
});
export type AttributeRecord = Static<typeof AttributeRecordSchema>;

/** A person as stored in values and history: `key` is the Atlassian accountId. */
export const UserRefSchema = Type.Object({
  key: Opt(Type.String()),
  name: Opt(Type.String()),
  displayName: Opt(Type.String()),
  emailAddress: Opt(Type.String()),
  isDeleted: Opt(Type.Boolean()),
});
export type UserRef = Static<typeof UserRefSchema>;

export const ValueRecordSchema = Type.Object({
  value: Opt(Type.String()),
  displayValue: Type.String(),
  searchValue: Opt(Type.String()),
  referencedType: Opt(Type.Boolean()),
  additionalValue: Opt(Type.String()),
  referencedObject: Opt(
    Type.Object({ id: IdString, objectKey: Type.String(), label: Type.String(), objectTypeId: IdString }),
  ),
  user: Opt(UserRefSchema),
  group: Opt(Type.Object({ name: Type.String() })),
  status: Opt(Type.Object({ id: IdString, name: Type.String(), category: Type.Number() })),
});
export type ValueRecord = Static<typeof ValueRecordSchema>;

export const ObjectRecordSchema = Type.Object({
  kind: Type.Literal('object'),
  id: IdString,
  objectKey: Type.String(),
  label: Type.String(),
  objectTypeId: IdString,
  created: IsoTimestamp,
  updated: IsoTimestamp,
  /** epoch ms of the last change */
  timestamp: Type.Number(),
  hasAvatar: Type.Boolean(),
  /** only when `hasAvatar`: the avatar's ids and URLs, never its media token */
  avatar: Opt(
    Type.Object({
      id: Opt(Type.String()),
      avatarUUID: Opt(Type.String()),
      url16: Opt(Type.String()),
      url48: Opt(Type.String()),
      url72: Opt(Type.String()),
      url144: Opt(Type.String()),
      url288: Opt(Type.String()),
    }),
  ),
  extendedInfo: Opt(Type.Object({ openIssuesExists: Type.Boolean(), attachmentsExists: Type.Boolean() })),
  attributes: Type.Array(
    Type.Object({
      objectTypeAttributeId: IdString,
      objectAttributeValues: Type.Array(ValueRecordSchema),
    }),
  ),
});
export type ObjectRecord = Static<typeof ObjectRecordSchema>;

export const HistoryEntryRecordSchema = Type.Object({
  id: IdString,
  /** opaque change code, kept raw (assets-cloud-api.md §4.7) */
  type: Type.Number(),
  created: IsoTimestamp,
  actor: UserRefSchema,
  /** attribute NAME, as the API gives it */
  affectedAttribute: Opt(Type.String()),
  oldValue: Opt(Type.String()),
  newValue: Opt(Type.String()),
});
export type HistoryEntryRecord = Static<typeof HistoryEntryRecordSchema>;

/** The whole history of one object, oldest entry first. Objects without entries get no record. */
export const HistoryRecordSchema = Type.Object({
  kind: Type.Literal('history'),
  objectId: IdString,
  entries: Type.Array(HistoryEntryRecordSchema),
});
export type HistoryRecord = Static<typeof HistoryRecordSchema>;

/** One Jira issue's Assets field, reduced to the objects of this schema. */
export const IssueRefRecordSchema = Type.Object({
  kind: Type.Literal('issueRef'),
  issueId: IdString,
  issueKey: Type.String(),
  /** e.g. customfield_10191 */
  fieldId: Type.String(),
  fieldName: Type.String(),
  objectIds: Type.Array(IdString),
});
export type IssueRefRecord = Static<typeof IssueRefRecordSchema>;

export const RECORD_SCHEMAS = {
  schema: SchemaRecordSchema,
  schemaConfig: SchemaConfigRecordSchema,
  icon: IconRecordSchema,
  statusType: StatusTypeRecordSchema,
  referenceType: ReferenceTypeRecordSchema,
  objectType: ObjectTypeRecordSchema,
  attribute: AttributeRecordSchema,
  object: ObjectRecordSchema,
  history: HistoryRecordSchema,
  issueRef: IssueRefRecordSchema,
} as const satisfies Record<RecordKind, TSchema>;

export const SnapshotRecordSchema = Type.Union([
  SchemaRecordSchema,
  SchemaConfigRecordSchema,
  IconRecordSchema,
  StatusTypeRecordSchema,
  ReferenceTypeRecordSchema,
  ObjectTypeRecordSchema,
  AttributeRecordSchema,
  ObjectRecordSchema,
  HistoryRecordSchema,
  IssueRefRecordSchema,
]);
export type SnapshotRecord = Static<typeof SnapshotRecordSchema>;

/** True for the kinds this reader knows; other kinds come from a newer writer and are skipped. */
export function isKnownRecordKind(kind: unknown): kind is RecordKind {
  return typeof kind === 'string' && (RECORD_KINDS as readonly string[]).includes(kind);
}
