import type { ColumnType, Generated } from 'kysely';

export type VaultBackupJobStatus = 'queued' | 'running' | 'completed' | 'failed';

/** A "Backup now" run by the vault with the site's stored credentials (migration 0006). */
export interface VaultBackupJobTable {
  id: Generated<string>;
  site_id: string;
  schema_id: string;
  options: ColumnType<unknown, string, string>;
  requested_by: string;
  status: ColumnType<VaultBackupJobStatus, VaultBackupJobStatus | undefined, VaultBackupJobStatus>;
  progress: ColumnType<unknown, string | null | undefined, string | null>;
  backup_id: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  max_attempts: ColumnType<number, number | undefined, number>;
  run_after: ColumnType<Date, Date | undefined, Date>;
  locked_by: string | null;
  locked_until: ColumnType<Date | null, Date | null | undefined, Date | null>;
  last_error: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  finished_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface VaultBackupJobTables {
  vault_backup_job: VaultBackupJobTable;
}
