/**
 * Errors of the restore engine. Plan errors are what the vault answers with a 4xx at POST time
 * (nothing has been written then); run errors end a restore with status `failed`.
 */
import { AppError } from '../errors.js';

/** Stable codes of problems found before any write. */
export const RESTORE_PLAN_ERROR_STATUS = {
  /** the new schema's name is empty or too long */
  invalid_schema_name: 400,
  /** the new schema's key breaks the Assets rule: 2–10 upper-case letters and digits, starting with a letter */
  invalid_schema_key: 400,
  /** selected object type ids that the backup does not have */
  unknown_object_types: 400,
  /** a schema of that name already exists on the target */
  schema_name_taken: 409,
  /** a schema with that key already exists on the target */
  schema_key_taken: 409,
  /** the existing schema is not on the target */
  target_schema_not_found: 422,
  /** the existing schema is a system schema (`canManage: false`) */
  target_schema_not_manageable: 422,
  /** an attribute kind the public API cannot write (Confluence, version, project, unknown codes) */
  unsupported_attribute_kind: 422,
  /** the target would hold more objects than its allowance */
  object_allowance_exceeded: 422,
  /** the backup already has an `OBJECT_HISTORY` attribute on a restored type */
  history_attribute_conflict: 422,
  /** the backup holds no schema (empty or damaged snapshot) */
  invalid_snapshot: 422,
  /** the backup is of a system schema (`canManage: false`, e.g. JSM's Services), which Assets manages itself */
  source_schema_not_restorable: 422,
  /** the target refused the credentials (401/403) */
  target_unauthorized: 422,
  /** the target could not be reached (network, 5xx after retries, no Assets workspace) */
  target_unreachable: 422,
  /** the checkpoint store holds a restore of another backup, destination or options */
  checkpoint_mismatch: 409,
  /** issue fields are restored after the restore completed */
  restore_not_finished: 409,
} as const;
export type RestorePlanErrorCode = keyof typeof RESTORE_PLAN_ERROR_STATUS;

/** Bad input for a restore, found before anything was written on the target. */
export class RestorePlanError extends AppError {
  override name = 'RestorePlanError';
  declare readonly code: RestorePlanErrorCode;

  constructor(code: RestorePlanErrorCode, message: string, options?: { details?: unknown; cause?: unknown }) {
    super(code, message, RESTORE_PLAN_ERROR_STATUS[code], { ...options, expose: true });
  }
}

export type RestoreRunErrorCode =
  /** consecutive failures that are not validation errors (target down, throttled for good, …) */
  | 'circuit_open'
  /** the target refused the credentials during the run */
  | 'target_unauthorized'
  /** the backup failed verification while being read */
  | 'snapshot_invalid'
  /** a structure step failed (schema, type, attribute, status or reference type) */
  | 'structure_failed';

/** Why a started restore stopped; `retryable` tells the job runner whether a later attempt may succeed. */
export class RestoreRunError extends AppError {
  override name = 'RestoreRunError';
  declare readonly code: RestoreRunErrorCode;
  readonly retryable: boolean;

  constructor(code: RestoreRunErrorCode, message: string, options: { retryable: boolean; cause?: unknown }) {
    super(code, message, 502, { cause: options.cause, expose: true });
    this.retryable = options.retryable;
  }
}
