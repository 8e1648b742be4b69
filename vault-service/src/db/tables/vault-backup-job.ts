import type { ColumnType, Generated } from 'kysely';

export type VaultBackupJobStatus = 'queued' | 'running' | 'completed' | 'failed';

/** A "Backup now" run by the vault with the site's stored credentials (migrations 0006, 0007). */
export interface VaultBackupJobTable {
  id: Generated<string>;
  site_id: string;
  schema_id: string;
  options: ColumnType<unknown, string, string>;
  requested_by: string;
  status: ColumnType<VaultBackupJobStatus, VaultBackupJobStatus | undefined, VaultBackupJobStatus>;
  progress: ColumnType<unknown, string | null | undefined, string | null>;
  /** the partial backup while running; the completed one afterwards */
  backup_id: string | null;
  /** the engine's BackupCursor for the chunks in `backup_id`, saved at checkpoints (migration 0007) */
  cursor: ColumnType<unknown, string | null | undefined, string | null>;
  attempts: ColumnType<number, number | undefined, number>;
  max_attempts: ColumnType<number, number | undefined, number>;
  run_after: ColumnType<Date, Date | undefined, Date>;
  locked_by: string | null;
  locked_until: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** a fixed, safe message of the last failure (details are logged, never stored: migration 0016) */
  last_error: string | null;
  /** its stable code (`assets_unreachable`, `assets_unauthorized`, …) */
  error_code: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  finished_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface VaultBackupJobTables {
  vault_backup_job: VaultBackupJobTable;
}
