/**
 * What the vault holds for a site, as both of its doors answer it: the session API (`/api/v1/schemas`, …) and
 * the signed Forge API (`/api/v1/forge/site/…`). One schema per shape, so the web UI and the Jira app read the
 * same fields.
 */
import { Type, type Static } from '@sinclair/typebox';
import { BackupKind } from './backups.js';

export const SchemaSummary = Type.Object({
  schemaId: Type.String(),
  name: Type.String(),
  key: Type.String(),
  /** objects in the schema as the Forge app last reported it (0 when unknown) */
  objectCount: Type.Integer(),
  /** chosen for backup in the Forge app */
  synced: Type.Boolean(),
  backupsCount: Type.Integer(),
  lastBackup: Type.Union([
    Type.Object({
      id: Type.String(),
      completedAt: Type.String({ format: 'date-time' }),
      kind: Type.String(),
      objects: Type.Integer(),
    }),
    Type.Null(),
  ]),
});
export type SchemaSummary = Static<typeof SchemaSummary>;
export const SchemaList = Type.Object({ items: Type.Array(SchemaSummary) });
export type SchemaList = Static<typeof SchemaList>;

/** An Assets schema id (decimal). */
export const SchemaId = Type.String({ pattern: '^[0-9]+$', maxLength: 20 });

/** Filters of the backups grid: kind, and a completion-time range (either end optional). */
export const BackupListQuery = Type.Object({
  kind: Type.Optional(BackupKind),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
});
export type BackupListQuery = Static<typeof BackupListQuery>;

/** One row of the backups grid: N (1 = oldest), date, objects, type, history, objects in issues. */
export const BackupRow = Type.Object({
  id: Type.String(),
  n: Type.Integer(),
  backupDate: Type.String({ format: 'date-time' }),
  objects: Type.Integer(),
  type: BackupKind,
  historyStatus: Type.Union([Type.Literal('included'), Type.Literal('not included')]),
  objectsInIssuesStatus: Type.Union([Type.Literal('included'), Type.Literal('not included')]),
  /** `preparing` while its browse tables are (re)built from the chunks: browsing answers 409 meanwhile */
  browse: Type.Union([Type.Literal('ready'), Type.Literal('preparing')]),
  /** `indexing` until the search index is built: search works, only slower on large backups */
  search: Type.Union([Type.Literal('indexed'), Type.Literal('indexing')]),
  /** the manifest's warnings, for a human (e.g. objects deleted while the backup ran); usually empty */
  warnings: Type.Array(Type.String()),
});
export type BackupRow = Static<typeof BackupRow>;
export const BackupList = Type.Object({ items: Type.Array(BackupRow) });
export type BackupList = Static<typeof BackupList>;

export interface ObjectTypeNode {
  id: string;
  name: string;
  parentId: string | null;
  abstract: boolean;
  objectCount: number;
  children: ObjectTypeNode[];
}
/** Nodes nest through `children`: a recursive schema, so the serializer keeps every level. */
export const ObjectTypeNode = Type.Recursive(
  (This) =>
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      parentId: Type.Union([Type.String(), Type.Null()]),
      abstract: Type.Boolean(),
      objectCount: Type.Integer(),
      children: Type.Array(This),
    }),
  { $id: 'ObjectTypeNode' },
);
export const ObjectTypeTree = Type.Object({ items: Type.Array(ObjectTypeNode) });
export type ObjectTypeTree = { items: ObjectTypeNode[] };
