import { Type, type Static } from '@sinclair/typebox';
import { BackupKind, SchemaId } from '@assets-vault/shared/contract';

// the shapes the Forge app reads too live in the wire contract (site-data.ts)
export { BackupList, BackupListQuery, BackupRow, SchemaList, SchemaSummary } from '@assets-vault/shared/contract';

export const SchemaParams = Type.Object({ schemaId: SchemaId });
export const BackupIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** A deleted backup waiting in the trash until `purgeAfter`. */
export const TrashRow = Type.Object({
  id: Type.String(),
  schemaId: Type.String(),
  schemaName: Type.String(),
  schemaKey: Type.String(),
  type: BackupKind,
  backupDate: Type.String({ format: 'date-time' }),
  objects: Type.Integer(),
  deletedAt: Type.String({ format: 'date-time' }),
  /** a user's e-mail, `system` (retention) or `forge` (deleted in the Forge app) */
  deletedBy: Type.String(),
  purgeAfter: Type.String({ format: 'date-time' }),
});
export type TrashRow = Static<typeof TrashRow>;
export const TrashList = Type.Object({ items: Type.Array(TrashRow), trashDays: Type.Integer() });
