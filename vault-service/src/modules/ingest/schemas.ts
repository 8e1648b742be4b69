import { Type, type Static } from '@sinclair/typebox';

export const OpenBackupBody = Type.Object({
  cloudId: Type.String({ minLength: 1, maxLength: 200 }),
  siteUrl: Type.String({ minLength: 1, maxLength: 500 }),
  schema: Type.Object({
    id: Type.String({ pattern: '^[0-9]+$', maxLength: 20 }),
    name: Type.String({ minLength: 1, maxLength: 500 }),
    key: Type.String({ minLength: 1, maxLength: 100 }),
    objectCount: Type.Optional(Type.Integer({ minimum: 0 })),
  }),
  kind: Type.Union([Type.Literal('manual'), Type.Literal('scheduled')]),
  startedAt: Type.String({ format: 'date-time' }),
  options: Type.Object({ history: Type.Boolean(), icons: Type.Boolean(), issueRefs: Type.Boolean() }),
});
export type OpenBackupBody = Static<typeof OpenBackupBody>;

export const OpenBackupResponse = Type.Object({ backupId: Type.String() });
export const BackupParams = Type.Object({ backupId: Type.String({ maxLength: 64 }) });
export const ChunkParams = Type.Object({
  backupId: Type.String({ maxLength: 64 }),
  seq: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
});
export const ChunkResponse = Type.Object({ seq: Type.Integer(), sha256: Type.String(), stored: Type.Boolean() });
export const CompleteResponse = Type.Object({
  status: Type.Literal('completed'),
  backupId: Type.String(),
  objectCount: Type.Integer(),
  records: Type.Integer(),
  chunks: Type.Integer(),
  contentSha256: Type.String(),
});
export type CompleteResponse = Static<typeof CompleteResponse>;
