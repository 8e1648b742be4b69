/**
 * The restore engine: a verified snapshot → an Assets schema on a target site, through the paced
 * Assets client, resumable from a checkpoint store the caller persists. Entry points (added by the
 * following commits): `planRestore` (validation at POST time), `runRestore`, `restoreIssueFields`.
 */
export {
  RESTORE_PLAN_ERROR_STATUS,
  RestorePlanError,
  RestoreRunError,
  type RestorePlanErrorCode,
  type RestoreRunErrorCode,
} from './errors.js';
export { RESTORE_CREATE_RATE_FACTOR, restoreRatesPerMinute, type RestoreRateOptions } from './pacing.js';
export type {
  CrossSchemaReferences,
  CrossSchemaResolver,
  ForeignObjectRef,
  IssueFieldResult,
  ObjectAction,
  ObjectCheckpointRow,
  ObjectIntent,
  ObjectOutcome,
  PlanRestoreInput,
  PlannedObjectType,
  PlannedTypeRole,
  ReferenceUpdate,
  RelaxedAttribute,
  RestoreApiCalls,
  RestoreCheckpointStore,
  RestoreCounts,
  RestoreDestination,
  RestoreEvent,
  RestoreIssueFieldsInput,
  RestoreIssueFieldsResult,
  RestoreLogRow,
  RestoreOptions,
  RestorePhase,
  RestorePlan,
  RestoreProgress,
  RestoreResult,
  RestoreSnapshot,
  RestoreState,
  RestoreTarget,
  RestoreTuning,
  RunRestoreInput,
  StructureMap,
  VerificationIssue,
  VerificationReport,
} from './types.js';
