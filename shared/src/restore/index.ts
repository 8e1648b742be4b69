/**
 * The restore engine: a verified snapshot → an Assets schema on a target site, through the paced
 * Assets client, resumable from a checkpoint store the caller persists. Entry points: `planRestore`
 * (validation at POST time, nothing written), `runRestore` (run or resume), `restoreIssueFields`
 * (Jira issue fields, after a restore). README.md in this folder describes the design.
 */
export {
  aqlString,
  idMapResolver,
  matchingResolver,
  sameSiteResolver,
  type MatchingResolverOptions,
} from './cross-schema.js';
export { DEFAULT_RESTORE_TUNING, runRestore } from './engine.js';
export { restoreIssueFields } from './issue-fields.js';
export { createMemoryCheckpointStore, logRowOf, type MemoryCheckpointStore } from './memory-store.js';
export { planRestore } from './plan.js';
export { SCHEMA_KEY_PATTERN, schemaInputProblems } from './schema-rules.js';
export { snapshotFromChunks } from './snapshot-access.js';
export { HISTORY_ATTRIBUTE_NAME, historyLine, historyText } from './values.js';
export {
  RESTORE_PLAN_ERROR_STATUS,
  RestorePlanError,
  RestoreRunError,
  type RestorePlanErrorCode,
  type RestoreRunErrorCode,
} from './errors.js';
export {
  RESTORE_CONCURRENCY,
  RESTORE_CREATE_RATE_FACTOR,
  restorePacerOptions,
  restoreRatesPerMinute,
  type RestoreRateOptions,
} from './pacing.js';
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
