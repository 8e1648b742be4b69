/**
 * Snapshot upload (architecture.md "Snapshot upload"): open a backup, PUT its chunks, complete it
 * with the manifest (`@assets-vault/shared/snapshot`). Every call is signed over its raw body.
 */
import { Type, type Static } from '@sinclair/typebox';

export const BackupKind = Type.Union([Type.Literal('manual'), Type.Literal('scheduled')]);
export type BackupKind = Static<typeof BackupKind>;

export const OpenBackupBody = Type.Object({
  cloudId: Type.String({ minLength: 1, maxLength: 200 }),
  siteUrl: Type.String({ minLength: 1, maxLength: 500 }),
  schema: Type.Object({
    id: Type.String({ pattern: '^[0-9]+$', maxLength: 20 }),
    name: Type.String({ minLength: 1, maxLength: 500 }),
    key: Type.String({ minLength: 1, maxLength: 100 }),
    objectCount: Type.Optional(Type.Integer({ minimum: 0 })),
  }),
  kind: BackupKind,
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

/** The header of a chunk upload that carries the hex SHA-256 of its body. */
export const CHUNK_SHA256_HEADER = 'x-content-sha256';

/**
 * The `webhook-id` of a chunk upload. The signature covers the body only; this id binds it to one
 * backup, sequence number and content, so a captured chunk cannot be replayed into another backup or
 * position. Deployed Forge app versions send it: changing it is a breaking contract change.
 */
export function chunkWebhookId(backupId: string, seq: number, sha256: string): string {
  return `chunk_${backupId}_${seq}_${sha256}`;
}

/** Paths of the signed Forge API, as the vault serves them. */
export const forgeApiPaths = {
  events: '/api/v1/forge/events',
  backups: '/api/v1/forge/backups',
  chunk: (backupId: string, seq: number) => `/api/v1/forge/backups/${encodeURIComponent(backupId)}/chunks/${seq}`,
  complete: (backupId: string) => `/api/v1/forge/backups/${encodeURIComponent(backupId)}/complete`,
} as const;
