import type { ColumnType, Generated } from 'kysely';

export type RestoreJobStatus = 'pending' | 'in_progress' | 'completed' | 'error';

type Json = ColumnType<unknown, string | null | undefined, string | null>;
type JobStatus = ColumnType<RestoreJobStatus, RestoreJobStatus | undefined, RestoreJobStatus>;
type Count = ColumnType<number, number | undefined, number>;
type Time = ColumnType<Date, Date | undefined, Date>;
type MaybeTime = ColumnType<Date | null, Date | null | undefined, Date | null>;

/** A restore of a backup (migration 0018); owned by modules/restores. */
export interface RestoreJobTable {
  id: Generated<string>;
  site_id: string;
  backup_id: string;
  backup_created_at: Date;
  source_schema_id: string;
  source: ColumnType<unknown, string, string>;
  destination: ColumnType<unknown, string, string>;
  target: ColumnType<unknown, string, string>;
  options: ColumnType<unknown, string, string>;
  status: JobStatus;
  /** the engine's RestoreState (a `json` column: read back with its keys in their order) */
  state: Json;
  progress: Json;
  counts: Json;
  verification: Json;
  warnings_sample: Json;
  result_message: string | null;
  error_code: string | null;
  attempts: Count;
  max_attempts: Count;
  run_after: Time;
  locked_by: string | null;
  locked_until: MaybeTime;
  created_by: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: Time;
  started_at: MaybeTime;
  ended_at: MaybeTime;
}

/** One backup object of a restore: intent, outcome and reference update (the engine's checkpoint rows). */
export interface RestoreObjectTable {
  restore_id: string;
  source_id: string;
  intent: Json;
  outcome: Json;
  reference_update: Json;
  outcome_seq: ColumnType<string | null, string | null | undefined, string | null>;
}

/** The issue-fields step of a completed restore (id = the restore's id). */
export interface RestoreIssueFieldsJobTable {
  id: string;
  site_id: string;
  status: JobStatus;
  updated_fields: Count;
  failed_fields: Count;
  result_message: string | null;
  error_code: string | null;
  progress: Json;
  attempts: Count;
  max_attempts: Count;
  run_after: Time;
  locked_by: string | null;
  locked_until: MaybeTime;
  requested_by: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: Time;
  ended_at: MaybeTime;
}

/** Per-issue results of the issue-fields step. */
export interface RestoreIssueFieldTable {
  restore_id: string;
  issue_id: string;
  result: ColumnType<unknown, string, string>;
}

export interface RestoreTables {
  restore_job: RestoreJobTable;
  restore_object: RestoreObjectTable;
  restore_issue_fields_job: RestoreIssueFieldsJobTable;
  restore_issue_field: RestoreIssueFieldTable;
}
