import { Type, type Static } from '@sinclair/typebox';

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

export const BackupKindFilter = Type.Union([Type.Literal('manual'), Type.Literal('scheduled')]);
export const BackupListQuery = Type.Object({
  kind: Type.Optional(BackupKindFilter),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
});
export const SchemaParams = Type.Object({ schemaId: Type.String({ pattern: '^[0-9]+$', maxLength: 20 }) });

/** One row of the backups grid: N (1 = oldest), date, objects, type, history, objects in issues. */
export const BackupRow = Type.Object({
  id: Type.String(),
  n: Type.Integer(),
  backupDate: Type.String({ format: 'date-time' }),
  objects: Type.Integer(),
  type: BackupKindFilter,
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
export const BackupIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** A deleted backup waiting in the trash until `purgeAfter`. */
export const TrashRow = Type.Object({
  id: Type.String(),
  schemaId: Type.String(),
  schemaName: Type.String(),
  schemaKey: Type.String(),
  type: BackupKindFilter,
  backupDate: Type.String({ format: 'date-time' }),
  objects: Type.Integer(),
  deletedAt: Type.String({ format: 'date-time' }),
  /** a user's e-mail, `system` (retention) or `forge` (deleted in the Forge app) */
  deletedBy: Type.String(),
  purgeAfter: Type.String({ format: 'date-time' }),
});
export type TrashRow = Static<typeof TrashRow>;
export const TrashList = Type.Object({ items: Type.Array(TrashRow), trashDays: Type.Integer() });
