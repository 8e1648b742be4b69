import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt, NullableTimestamp, Timestamp } from './site.js';

export type BackupKind = 'manual' | 'scheduled';
/** `uploading` until the manifest verified every chunk; only `completed` backups are ever restored or browsed. */
export type BackupStatus = 'uploading' | 'completed';

/** One backup of one Assets schema of a site (architecture.md "Snapshot upload"). */
export interface BackupTable {
  id: Generated<string>;
  site_id: string;
  schema_id: string;
  schema_name: string;
  schema_key: string;
  kind: BackupKind;
  status: ColumnType<BackupStatus, BackupStatus | undefined, BackupStatus>;
  /** `{history, icons, issueRefs}` as announced when the upload opened */
  options: ColumnType<unknown, string, string>;
  started_at: Timestamp;
  completed_at: NullableTimestamp;
  /** The verified manifest (format v1), set once at completion; immutable afterwards. */
  manifest: ColumnType<unknown, string | null | undefined, string | null>;
  object_count: number | null;
  content_sha256: string | null;
  /** The `webhook-id` of the signed call that opened it: a retried open returns the same backup. */
  opened_by_webhook_id: string;
  /** SHA-256 of the signed body that opened it (migration 0015); null for vault-side backups and older rows */
  opened_body_sha256: ColumnType<Buffer | null, Buffer | null | undefined, never>;
  /** when its browse tables were committed (with the completion, or rebuilt from the chunks) */
  browse_built_at: NullableTimestamp;
  /** when the trigram search index of its browse tables was built (after completion) */
  search_indexed_at: NullableTimestamp;
  created_at: CreatedAt;
  /** in the trash since (migration 0017): invisible everywhere but the trash list; null = not trashed */
  trashed_at: NullableTimestamp;
  /** who deleted it (`forge`, `system` for retention, or a user's e-mail) */
  trashed_by: string | null;
  /** when housekeeping purges it for good (trashed_at + BACKUP_TRASH_DAYS) */
  purge_after: NullableTimestamp;
}

/** The stored gzip NDJSON chunks of a backup, exactly as uploaded (hash checked on arrival). */
export interface BackupChunkTable {
  backup_id: string;
  seq: number;
  sha256: string;
  size_bytes: number;
  bytes: Buffer;
  created_at: CreatedAt;
}

export interface BackupTables {
  backup: BackupTable;
  backup_chunk: BackupChunkTable;
}
