/**
 * Public types of the restore engine (`@assets-vault/shared/restore`): what the caller gives it
 * (a verified snapshot, a target client, a destination, options, a checkpoint store) and what it
 * gets back (a plan, progress, a result, log rows, a verification report, issue-field results).
 *
 * The engine is transport-agnostic. Everything it must remember across process restarts goes
 * through `RestoreCheckpointStore`, which the caller persists (in memory for tests and benches,
 * Postgres in the vault); everything else is recomputed from the snapshot.
 */
import type { AssetsClient } from '../assets-client/index.js';
import type { SnapshotManifest, SnapshotRecord } from '../snapshot/index.js';

// ---------------------------------------------------------------------------------------------
// Inputs

/**
 * A backup the engine may read as often as it needs (it streams it once per pass). `records()`
 * starts a new verifying pass each time (`snapshotFromChunks` wraps the verifying reader): a
 * damaged chunk fails the first pass, which reads everything before any write to Atlassian.
 */
export interface RestoreSnapshot {
  readonly manifest: SnapshotManifest;
  records(): AsyncIterable<SnapshotRecord>;
}

/** Where the objects go. A restore never writes to the source site unless it is also the target. */
export type RestoreDestination =
  /** a new schema on the target site (the "current instance" or another one) */
  | { kind: 'new-schema'; name: string; key: string; description?: string }
  /**
   * an existing schema of the target site: types and attributes matched by name (missing ones are
   * created); `createDuplicates: false` leaves objects whose ID exists in that schema untouched
   * (reported `skipped`), `true` creates every object again
   */
  | { kind: 'existing-schema'; schemaId: string; createDuplicates: boolean };

export interface RestoreOptions {
  /** objects' own avatars (not type icons): restorable on the source site only */
  objectIcons: boolean;
  /** write each object's history into a Textarea attribute `OBJECT_HISTORY` (in the create call) */
  history: boolean;
  /** the backup's object type ids to restore (plus their parents and what their objects reference); all when absent */
  objectTypeIds?: string[];
}

/** A referenced object of another schema, as the snapshot holds it. */
export interface ForeignObjectRef {
  id: string;
  objectKey: string;
  label: string;
  /** the object type in the other schema (source site) */
  objectTypeId: string;
}

/**
 * Re-links references into other schemas. The engine calls `objects` once with every foreign object
 * the restored values reference, then `objectType` for each foreign type an attribute points at.
 */
export interface CrossSchemaResolver {
  /** target object ids by source object id; a missing entry means "cannot be re-linked" */
  objects(refs: ForeignObjectRef[], opts: { signal?: AbortSignal }): Promise<Map<string, string>>;
  /** the target object type for a foreign source type, or undefined */
  objectType(sourceObjectTypeId: string, opts: { signal?: AbortSignal }): Promise<string | undefined>;
}

/**
 * What happens to references into other schemas:
 * - `keep`: same site only: the reference stays as it is when the object still exists (checked live);
 * - `resolver`: re-linked through the caller's resolver (`idMapResolver` for a schema restored earlier
 *   on the target, `matchingResolver` for a schema the user picks, matched by key or label);
 * - `drop`: left empty and logged.
 * Default: `keep` when the target is the source site, else `drop`.
 */
export type CrossSchemaReferences =
  { mode: 'keep' } | { mode: 'drop' } | { mode: 'resolver'; resolver: CrossSchemaResolver };

/** Knobs with defaults chosen by measurement (restore.bench.ts); tests shrink the waits. */
export interface RestoreTuning {
  /** object creates/updates in flight (the client's pacer still applies); default RESTORE_CONCURRENCY (32) */
  concurrency?: number;
  /** snapshot passes for object creates at most; default 4 */
  maxPasses?: number;
  /** longest chain of creates that wait for each other's ids; default 12 (longer chains defer a reference) */
  maxDependencyDepth?: number;
  /** objects held back waiting for a later object of the same pass; default 10,000 */
  maxBufferedObjects?: number;
  /** intents persisted together before their creates are sent; default 32 */
  intentBatchSize?: number;
  /** outcomes persisted together; default 200, and at least every `outcomeFlushMs` (default 1,000) */
  outcomeBatchSize?: number;
  outcomeFlushMs?: number;
  /** consecutive non-validation failures that stop the restore; default 10 */
  circuitBreakerThreshold?: number;
  /** after an abort, how long in-flight requests may finish before they are cut; default 5,000 ms */
  abortGraceMs?: number;
  /** a lookup that finds nothing looks again after this; default 2,000 ms (AQL indexing lag) */
  lookupSettleMs?: number;
  /** server vs our clock: objects created this long before an intent still match it; default 300,000 ms */
  clockSkewToleranceMs?: number;
  /** run the verification pass at the end; default true */
  verify?: boolean;
}

export interface PlanRestoreInput {
  snapshot: RestoreSnapshot;
  /** the target site's client (paced) */
  client: AssetsClient;
  destination: RestoreDestination;
  options: RestoreOptions;
  /**
   * the target's object allowance when the caller knows it (plan limit); `GET /usage` tells the
   * current count but not the limit (assets-cloud-api.md §3.8, §7.4)
   */
  objectAllowance?: number;
  crossSchema?: CrossSchemaReferences;
  signal?: AbortSignal;
}

export interface RunRestoreInput extends PlanRestoreInput {
  checkpoints: RestoreCheckpointStore;
  onProgress?: (progress: RestoreProgress) => void;
  onEvent?: (event: RestoreEvent) => void;
  tuning?: RestoreTuning;
  now?: () => Date;
}

// ---------------------------------------------------------------------------------------------
// Plan (POST time, before any write)

/** Why a type is part of the restore. */
export type PlannedTypeRole = 'selected' | 'parent' | 'referenced';

export interface PlannedObjectType {
  sourceId: string;
  name: string;
  parentSourceId?: string;
  abstract: boolean;
  role: PlannedTypeRole;
  /** objects of this type in the backup */
  objectsInBackup: number;
  /** existing-schema: the type of the same name there, when it exists */
  existingTargetId?: string;
}

export interface RestorePlan {
  destination: RestoreDestination;
  options: RestoreOptions;
  source: { siteUrl: string; workspaceId: string; schemaId: string; schemaName: string; schemaKey: string };
  target: { workspaceId: string; sameSite: boolean; schemaId?: string; schemaName: string; schemaKey: string };
  /** every type the restore creates or maps, parents first */
  objectTypes: PlannedObjectType[];
  /** types the selection brings in (parents, types referenced by the selected types) */
  extraObjectTypes: PlannedObjectType[];
  /** objects at most (objects of selected types plus every object of referenced types) */
  objectsUpperBound: number;
  /** objects at least (objects of the selected types) */
  objectsLowerBound: number;
  usage?: { totalObjects: number; allowance?: number };
  crossSchema: CrossSchemaReferences['mode'];
  /** things the user should know before starting (icons without a match, avatars elsewhere, …) */
  warnings: string[];
}

// ---------------------------------------------------------------------------------------------
// Checkpoints (what survives a crash)

/** Persisted before a create is sent; an intent without an outcome is looked up before any retry. */
export interface ObjectIntent {
  sourceId: string;
  /** 1 for the first create of this object, +1 for each later one */
  attempt: number;
  /** ISO time just before the create was sent */
  at: string;
}

export type ObjectAction = 'created' | 'skipped' | 'failed' | 'excluded';

/** The create outcome of one backup object. */
export interface ObjectOutcome {
  sourceId: string;
  sourceKey: string;
  sourceObjectTypeId: string;
  objectTypeName: string;
  /**
   * created: a new object; skipped: an object with that ID exists in the target schema (existing
   * schema, duplicates off) and was left unchanged; failed: the target refused it; excluded: not
   * among the selected object types and not referenced by them
   */
  action: ObjectAction;
  targetId?: string;
  targetKey?: string;
  /** some reference values are set by a later `PUT` (cycles, forward references) */
  referencesPending: boolean;
  /** ISO time of the outcome */
  at: string;
  warnings: string[];
  errors: string[];
}

/** The later `PUT` of an object's reference attributes. */
export interface ReferenceUpdate {
  sourceId: string;
  status: 'done' | 'failed';
  at: string;
  warnings: string[];
  errors: string[];
}

/** What the store holds for one object: its last intent and its outcome (with any reference update applied). */
export interface ObjectCheckpointRow {
  sourceId: string;
  intent?: ObjectIntent;
  outcome?: ObjectOutcome;
  references?: ReferenceUpdate;
}

/** One row of the restore log (the vault's .xlsx objects sheet). */
export interface RestoreLogRow {
  objectTypeName: string;
  sourceObjectTypeId: string;
  sourceId: string;
  sourceKey: string;
  targetId?: string;
  targetKey?: string;
  action: ObjectAction;
  warnings: string[];
  errors: string[];
}

export interface IssueFieldResult {
  issueId: string;
  issueKey: string;
  /** names of the Assets fields whose value changed */
  updatedFields: string[];
  status: 'updated' | 'unchanged' | 'not_found' | 'failed';
  at: string;
  error?: string;
}

/**
 * Durable memory of one restore. Writes are batched by the engine (intents per batch of creates,
 * outcomes every few hundred objects or second); each call must be durable when its promise resolves.
 */
export interface RestoreCheckpointStore {
  loadState(): Promise<RestoreState | undefined>;
  /** replaces the state; the engine never calls it twice at once */
  saveState(state: RestoreState): Promise<void>;
  /** upserts the intent of each object (the latest attempt wins) */
  recordIntents(intents: ObjectIntent[]): Promise<void>;
  /** upserts the outcome of each object */
  recordOutcomes(outcomes: ObjectOutcome[]): Promise<void>;
  /** attaches the reference update to each object's row */
  recordReferenceUpdates(updates: ReferenceUpdate[]): Promise<void>;
  /** every object row, in any order (read once per run to rebuild the id map) */
  objectRows(): AsyncIterable<ObjectCheckpointRow>;
  /** log rows of every object with an outcome, in the order outcomes were first recorded */
  logRows(): AsyncIterable<RestoreLogRow>;
  /** upserts per-issue results of `restoreIssueFields`, keyed by issueId */
  recordIssueFieldResults(results: IssueFieldResult[]): Promise<void>;
  issueFieldResults(): AsyncIterable<IssueFieldResult>;
}

export type RestorePhase =
  'analysis' | 'structure' | 'duplicates' | 'objects' | 'references' | 'constraints' | 'verification' | 'done';

/** Source → target ids of the structure, and what was loosened for the load. */
export interface StructureMap {
  objectTypes: Record<string, string>;
  attributes: Record<string, string>;
  statuses: Record<string, string>;
  referenceTypes: Record<string, string>;
  /** source type id → the `OBJECT_HISTORY` attribute objects of that type write (own or inherited) */
  historyAttributes: Record<string, string>;
  /** constraints loosened during the load and tightened after it (assets-cloud-api.md §6 rule 5) */
  relaxed: RelaxedAttribute[];
  /** human-readable notes about the structure (unmatched icons, skipped attributes, …) */
  warnings: string[];
}

export interface RelaxedAttribute {
  objectTypeId: string;
  attributeId: string;
  name: string;
  uniqueAttribute?: boolean;
  minimumCardinality?: number;
  /** rewritten to target ids; set after the load because its filter would refuse objects during it */
  qlQuery?: string;
}

/** The engine's own state, saved at every phase change and with progress. Plain JSON. */
export interface RestoreState {
  stateVersion: 1;
  /** the backup this state belongs to: another one refuses to resume */
  snapshotSha256: string;
  destination: RestoreDestination;
  options: RestoreOptions;
  phase: RestorePhase;
  startedAt: string;
  updatedAt: string;
  /** new schema: when its create was sent (a schema with that key created later is ours) */
  schemaIntentAt?: string;
  target?: RestoreTarget;
  structure?: StructureMap;
  /** constraints tightened after the load */
  constraintsRestored?: boolean;
  progress: RestoreProgress;
  counts: RestoreCounts;
  verification?: VerificationReport;
}

export interface RestoreTarget {
  workspaceId: string;
  sameSite: boolean;
  schemaId: string;
  schemaKey: string;
  schemaName: string;
}

// ---------------------------------------------------------------------------------------------
// Progress, events, result

export interface RestoreProgress {
  phase: RestorePhase;
  /** objects with an outcome (created, skipped or failed) */
  objectsDone: number;
  /** objects this restore handles (excluded ones not counted) */
  objectsTotal: number;
  /** over the last minute */
  objectsPerMinute: number;
  /** seconds to the end of the object phase at the current rate; absent when unknown */
  etaSeconds?: number;
  referencesDone: number;
  referencesTotal: number;
  /** object pass (1-based) and how many the plan needs */
  pass: number;
  passes: number;
}

export interface RestoreCounts {
  total: number;
  created: number;
  skipped: number;
  failed: number;
  excluded: number;
  /** warnings on object rows plus structure warnings */
  warnings: number;
  referencesSet: number;
  referencesFailed: number;
  /** creates whose outcome was unknown and were looked up, and how many of those had happened */
  lookups: number;
  lookupsFound: number;
}

/** For logs and metrics; never carries object contents. */
export type RestoreEvent =
  | { type: 'phase'; phase: RestorePhase }
  | { type: 'pass'; pass: number; objects: number }
  | { type: 'lookup'; sourceId: string; found: boolean }
  | { type: 'object_failed'; sourceId: string; status?: number }
  | { type: 'retry_later'; sourceId: string; code: string }
  | { type: 'circuit_open'; failures: number };

export interface VerificationIssue {
  kind:
    | 'missing_object'
    | 'wrong_type'
    | 'label'
    | 'value'
    | 'reference'
    | 'status'
    | 'avatar'
    | 'history'
    | 'structure'
    | 'count';
  sourceId?: string;
  sourceKey?: string;
  targetId?: string;
  attribute?: string;
  detail: string;
}

export interface VerificationReport {
  objectsChecked: number;
  objectsMatching: number;
  /** counts by kind of difference */
  differences: Partial<Record<VerificationIssue['kind'], number>>;
  /** the first differences found (at most 50) */
  examples: VerificationIssue[];
  /** objects in the target schema / objects this restore should have put or left there */
  targetObjectCount: number;
  expectedObjectCount: number;
}

export interface RestoreApiCalls {
  objectCreates: number;
  objectUpdates: number;
  lookups: number;
  reads: number;
  structureWrites: number;
}

export interface RestoreResult {
  /** completed: every object has an outcome; failed: stopped by an error; aborted: stopped by the signal, resumable */
  status: 'completed' | 'failed' | 'aborted';
  /** "Operation success", or the cause in one sentence */
  message: string;
  error?: { code: string; message: string; retryable: boolean };
  target?: RestoreTarget;
  counts: RestoreCounts;
  structureWarnings: string[];
  verification?: VerificationReport;
  /** calls the engine made (retries inside the client not counted) */
  apiCalls: RestoreApiCalls;
  passes: number;
  durationMs: number;
}

// ---------------------------------------------------------------------------------------------
// Jira issue fields

export interface RestoreIssueFieldsInput {
  snapshot: RestoreSnapshot;
  /** the target site's client (its Jira side is written) */
  client: AssetsClient;
  /** the restore's checkpoints: old → new ids come from its outcomes; per-issue results go there */
  checkpoints: RestoreCheckpointStore;
  signal?: AbortSignal;
  onProgress?: (p: { issuesDone: number; issuesTotal: number }) => void;
  /** issues updated in parallel; default 4 (Jira's per-issue and burst limits apply) */
  concurrency?: number;
  now?: () => Date;
}

export interface RestoreIssueFieldsResult {
  status: 'completed' | 'aborted';
  message: string;
  issues: number;
  updated: number;
  unchanged: number;
  notFound: number;
  failed: number;
}
