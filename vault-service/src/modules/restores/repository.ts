/**
 * SQL of the restores module, the one owner of `restore_job`, `restore_object`, `restore_issue_fields_job`
 * and `restore_issue_field`. Jobs run on the shared lease queue (db/job-queue.ts); checkpoint rows are
 * upserted in batches by source object id (checkpoint-store.ts turns them into the engine's store).
 */
import {
  logRowOf,
  type IssueFieldResult,
  type ObjectCheckpointRow,
  type ObjectIntent,
  type ObjectOutcome,
  type ReferenceUpdate,
  type RestoreLogRow,
  type VerificationReport,
} from '@assets-vault/shared/restore';
import { sql, type Selectable } from 'kysely';
import { jobQueue, type Lease } from '../../db/job-queue.js';
import type { RestoreJobStatus, RestoreTables } from '../../db/tables/restore.js';
import type { Executor } from '../../db/types.js';
import type { RestoreOptionsInput, RestoreSummary } from './schemas.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A malformed id cannot exist: "not found" without asking Postgres (which would raise a cast error). */
export const isRestoreId = (id: string) => UUID.test(id);

export type RestoreSource = RestoreSummary['source'];
export type RestoreDestinationRecord = RestoreSummary['destination'];

/**
 * How a run connects to the destination: the site's stored credentials, a stored target instance, or
 * a target typed into the restore form and not saved (its token in the credentials store under
 * `restore-target:<restore id>`, kept for the issue-fields step).
 */
export type RestoreTargetRef = { kind: 'site' } | { kind: 'target-instance'; id: string } | { kind: 'own' };

export interface RestoreProgressRecord {
  phase: string;
  done: number;
  total: number;
  objectsPerMinute: number | null;
  etaSeconds: number | null;
}

export interface RestoreCountsRecord {
  created: number;
  skipped: number;
  failed: number;
  warnings: number;
}

export interface IssueFieldsRecord {
  status: RestoreJobStatus;
  updatedFields: number;
  failedFields: number;
  message: string | null;
  updatedAt: Date;
  endedAt: Date | null;
}

export interface RestoreJob {
  id: string;
  siteId: string;
  backupId: string;
  backupCreatedAt: Date;
  source: RestoreSource;
  destination: RestoreDestinationRecord;
  target: RestoreTargetRef;
  options: RestoreOptionsInput;
  status: RestoreJobStatus;
  progress: RestoreProgressRecord | null;
  counts: RestoreCountsRecord | null;
  verification: VerificationReport | null;
  warningsSample: string[];
  resultMessage: string | null;
  errorCode: string | null;
  attempts: number;
  maxAttempts: number;
  createdBy: string;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
  /** the issue-fields step, once asked for */
  issueFields: IssueFieldsRecord | null;
}

type JobRow = Selectable<RestoreTables['restore_job']>;
type IssueRow = Selectable<RestoreTables['restore_issue_fields_job']>;

const toIssueFields = (r: IssueRow): IssueFieldsRecord => ({
  status: r.status,
  updatedFields: r.updated_fields,
  failedFields: r.failed_fields,
  message: r.result_message,
  updatedAt: r.updated_at,
  endedAt: r.ended_at,
});

const toJob = (r: JobRow, issue: IssueRow | undefined): RestoreJob => ({
  id: r.id,
  siteId: r.site_id,
  backupId: r.backup_id,
  backupCreatedAt: r.backup_created_at,
  source: r.source as RestoreSource,
  destination: r.destination as RestoreDestinationRecord,
  target: r.target as RestoreTargetRef,
  options: r.options as RestoreOptionsInput,
  status: r.status,
  progress: r.progress as RestoreProgressRecord | null,
  counts: r.counts as RestoreCountsRecord | null,
  verification: r.verification as VerificationReport | null,
  warningsSample: (r.warnings_sample as string[] | null) ?? [],
  resultMessage: r.result_message,
  errorCode: r.error_code,
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  createdBy: r.created_by,
  createdAt: r.created_at,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  issueFields: issue ? toIssueFields(issue) : null,
});

// ---------------------------------------------------------------------------------------------
// restore_job

export async function insertRestoreJob(
  db: Executor,
  siteId: string,
  input: Pick<
    RestoreJob,
    'backupId' | 'backupCreatedAt' | 'source' | 'destination' | 'target' | 'options' | 'createdBy'
  > & { now: Date },
): Promise<string> {
  const row = await db
    .insertInto('restore_job')
    .values({
      site_id: siteId,
      backup_id: input.backupId,
      backup_created_at: input.backupCreatedAt,
      source_schema_id: input.source.schemaId,
      source: JSON.stringify(input.source),
      destination: JSON.stringify(input.destination),
      target: JSON.stringify(input.target),
      options: JSON.stringify(input.options),
      created_by: input.createdBy,
      run_after: input.now,
      created_at: input.now,
      updated_at: input.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function withIssueFields(db: Executor, rows: JobRow[]): Promise<RestoreJob[]> {
  if (rows.length === 0) return [];
  const issues = await db
    .selectFrom('restore_issue_fields_job')
    .selectAll()
    .where(
      'id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  const byId = new Map(issues.map((i) => [i.id, i]));
  return rows.map((r) => toJob(r, byId.get(r.id)));
}

/** The site's restore; undefined for an unknown or another site's id. */
export async function findRestoreJob(db: Executor, siteId: string, id: string): Promise<RestoreJob | undefined> {
  if (!isRestoreId(id)) return undefined;
  const rows = await db
    .selectFrom('restore_job')
    .selectAll()
    .where('site_id', '=', siteId)
    .where('id', '=', id)
    .execute();
  return (await withIssueFields(db, rows))[0];
}

/** The site's restores, newest first, after `before` (the keyset of the previous page). */
export async function listRestoreJobs(
  db: Executor,
  siteId: string,
  input: { sourceSchemaId?: string; before?: { createdAt: Date; id: string }; limit: number },
): Promise<RestoreJob[]> {
  let query = db.selectFrom('restore_job').selectAll().where('site_id', '=', siteId);
  if (input.sourceSchemaId !== undefined) query = query.where('source_schema_id', '=', input.sourceSchemaId);
  const before = input.before;
  if (before !== undefined)
    query = query.where((w) =>
      w.or([
        w('created_at', '<', before.createdAt),
        w.and([w('created_at', '=', before.createdAt), w('id', '<', before.id)]),
      ]),
    );
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(input.limit).execute();
  return withIssueFields(db, rows);
}

/**
 * Whether a restore reads the backup: one pending or in progress, or the issue-fields step of one
 * (it reads the backup's issue references). Deletes and retention leave such a backup alone; they get
 * this check as `VaultDeps.backupInUse`.
 */
export async function isBackupInUseByRestore(db: Executor, backupId: string): Promise<boolean> {
  const active = ['pending', 'in_progress'] as const;
  const row = await db
    .selectFrom('restore_job as r')
    .leftJoin('restore_issue_fields_job as i', 'i.id', 'r.id')
    .select('r.id')
    .where('r.backup_id', '=', backupId)
    .where((w) => w.or([w('r.status', 'in', active), w('i.status', 'in', active)]))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

const STATUSES = { queued: 'pending', running: 'in_progress', completed: 'completed', failed: 'error' } as const;
const restoreQueue = jobQueue('restore_job', STATUSES);

/** The given JSON columns, serialised; one left undefined keeps its stored value. */
function jsonColumns<K extends string>(values: Record<K, object | undefined>): Partial<Record<K, string>> {
  const set: Partial<Record<K, string>> = {};
  for (const key of Object.keys(values) as K[]) if (values[key]) set[key] = JSON.stringify(values[key]);
  return set;
}

export async function claimRestoreJob(db: Executor, lease: Lease): Promise<RestoreJob | undefined> {
  const row = await restoreQueue.claim(db, lease);
  if (!row) return undefined;
  // the first attempt's start is when the restore started
  if (row.started_at === null)
    await db.updateTable('restore_job').set({ started_at: lease.now }).where('id', '=', row.id).execute();
  return toJob({ ...row, started_at: row.started_at ?? lease.now }, undefined);
}

export async function claimExhaustedRestoreJob(db: Executor, lease: Lease): Promise<RestoreJob | undefined> {
  const row = await restoreQueue.claimExhausted(db, lease);
  return row && toJob(row, undefined);
}

/** A longer lease with the latest progress while this runner holds the restore; false when it does not. */
export async function renewRestoreJob(
  db: Executor,
  id: string,
  lease: Lease,
  update: { progress?: RestoreProgressRecord; counts?: RestoreCountsRecord },
): Promise<boolean> {
  return restoreQueue.renew(db, id, lease, jsonColumns({ progress: update.progress, counts: update.counts }));
}

/** The engine's state, only while this runner holds the restore (false: the lease was lost). */
export async function saveRestoreState(
  db: Executor,
  id: string,
  lease: Lease,
  input: { state: unknown; counts: RestoreCountsRecord },
): Promise<boolean> {
  return restoreQueue.renew(db, id, lease, {
    state: JSON.stringify(input.state),
    counts: JSON.stringify(input.counts),
  });
}

export async function loadRestoreState(db: Executor, id: string): Promise<unknown> {
  const row = await db.selectFrom('restore_job').select('state').where('id', '=', id).executeTakeFirst();
  return row?.state ?? undefined;
}

/** Locks the restore's row if this runner holds it (ending it in one transaction with its audit entry). */
export async function lockHeldRestoreJob(db: Executor, id: string, workerId: string): Promise<boolean> {
  return (await restoreQueue.lockHeld(db, id, workerId)) !== undefined;
}

export interface RestoreEnd {
  workerId: string;
  now: Date;
  outcome: 'completed' | 'failed';
  resultMessage: string;
  errorCode: string | null;
  counts?: RestoreCountsRecord;
  progress?: RestoreProgressRecord;
  verification?: VerificationReport;
  warningsSample?: string[];
  destination?: RestoreDestinationRecord;
}

export async function finishRestoreJob(db: Executor, id: string, end: RestoreEnd): Promise<boolean> {
  return restoreQueue.finish(db, id, {
    workerId: end.workerId,
    now: end.now,
    outcome: end.outcome,
    set: {
      result_message: end.resultMessage,
      error_code: end.errorCode,
      ended_at: end.now,
      ...jsonColumns({
        counts: end.counts,
        progress: end.progress,
        verification: end.verification,
        warnings_sample: end.warningsSample,
        destination: end.destination,
      }),
    },
  });
}

/** Where the new schema landed, as soon as it exists (the grid links to it while the restore runs). */
export async function setRestoreDestination(
  db: Executor,
  id: string,
  destination: RestoreDestinationRecord,
): Promise<void> {
  await db
    .updateTable('restore_job')
    .set({ destination: JSON.stringify(destination) })
    .where('id', '=', id)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// restore_object: the engine's checkpoint rows

/** One upsert per batch; a source id twice in one batch keeps its last value (Postgres refuses both). */
function lastById<T extends { sourceId: string }>(items: readonly T[]): T[] {
  return [...new Map(items.map((i) => [i.sourceId, i])).values()];
}

/**
 * One column of the objects' rows (`intent`, `outcome` or `reference_update`), upserted by source id; an
 * object's first outcome also fixes its place in the log (`outcome_seq`).
 */
async function upsertObjectColumn(
  db: Executor,
  restoreId: string,
  column: 'intent' | 'outcome' | 'reference_update',
  items: readonly { sourceId: string }[],
): Promise<void> {
  if (items.length === 0) return;
  const seq = column === 'outcome';
  await db
    .insertInto('restore_object')
    .values(
      lastById(items).map((item) => ({
        restore_id: restoreId,
        source_id: item.sourceId,
        [column]: JSON.stringify(item),
        ...(seq ? { outcome_seq: sql<string>`nextval('restore_outcome_seq')` } : {}),
      })),
    )
    .onConflict((oc) =>
      oc.columns(['restore_id', 'source_id']).doUpdateSet({
        [column]: sql.ref(`excluded.${column}`),
        // the log keeps the order in which outcomes were first recorded
        ...(seq ? { outcome_seq: sql<string>`coalesce(restore_object.outcome_seq, excluded.outcome_seq)` } : {}),
      }),
    )
    .execute();
}

export const upsertIntents = (db: Executor, restoreId: string, intents: readonly ObjectIntent[]) =>
  upsertObjectColumn(db, restoreId, 'intent', intents);
export const upsertOutcomes = (db: Executor, restoreId: string, outcomes: readonly ObjectOutcome[]) =>
  upsertObjectColumn(db, restoreId, 'outcome', outcomes);
export const upsertReferenceUpdates = (db: Executor, restoreId: string, updates: readonly ReferenceUpdate[]) =>
  upsertObjectColumn(db, restoreId, 'reference_update', updates);

/** A page of checkpoint rows by source id. */
export async function objectRowsAfter(
  db: Executor,
  restoreId: string,
  afterSourceId: string | undefined,
  limit: number,
): Promise<ObjectCheckpointRow[]> {
  let query = db
    .selectFrom('restore_object')
    .select(['source_id', 'intent', 'outcome', 'reference_update'])
    .where('restore_id', '=', restoreId);
  if (afterSourceId !== undefined) query = query.where('source_id', '>', afterSourceId);
  const rows = await query.orderBy('source_id').limit(limit).execute();
  return rows.map((r) => ({
    sourceId: r.source_id,
    ...(r.intent ? { intent: r.intent as ObjectIntent } : {}),
    ...(r.outcome ? { outcome: r.outcome as ObjectOutcome } : {}),
    ...(r.reference_update ? { references: r.reference_update as ReferenceUpdate } : {}),
  }));
}

/** A page of log rows in the order outcomes were first recorded; `seq` is the keyset. */
export async function logRowsAfter(
  db: Executor,
  restoreId: string,
  afterSeq: string | undefined,
  limit: number,
): Promise<{ seq: string; row: RestoreLogRow }[]> {
  let query = db
    .selectFrom('restore_object')
    .select(['outcome_seq', 'outcome', 'reference_update'])
    .where('restore_id', '=', restoreId)
    .where('outcome_seq', 'is not', null);
  if (afterSeq !== undefined) query = query.where('outcome_seq', '>', afterSeq);
  const rows = await query.orderBy('outcome_seq').limit(limit).execute();
  return rows.map((r) => ({
    seq: String(r.outcome_seq),
    row: logRowOf(r.outcome as ObjectOutcome, (r.reference_update as ReferenceUpdate | null) ?? undefined),
  }));
}

/** The first object warnings of a restore, `<key>: <warning>`, for the detail view. */
export async function objectWarningsSample(db: Executor, restoreId: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('restore_object')
    .select(['outcome'])
    .where('restore_id', '=', restoreId)
    .where(sql<boolean>`jsonb_array_length(outcome->'warnings') > 0`)
    .orderBy('outcome_seq')
    .limit(limit)
    .execute();
  return rows.flatMap((r) => {
    const o = r.outcome as ObjectOutcome;
    return o.warnings.map((w) => `${o.sourceKey}: ${w}`);
  });
}

// ---------------------------------------------------------------------------------------------
// the issue-fields step

const issueQueue = jobQueue('restore_issue_fields_job', STATUSES);

export interface IssueFieldsJob {
  id: string;
  siteId: string;
  attempts: number;
  maxAttempts: number;
  requestedBy: string;
}

const toIssueJob = (r: IssueRow): IssueFieldsJob => ({
  id: r.id,
  siteId: r.site_id,
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  requestedBy: r.requested_by,
});

/**
 * Queues the step (again, after an earlier run ended); false while one is pending or running. The
 * caller holds the restore's row lock, so two requests cannot both queue it.
 */
export async function queueIssueFieldsJob(
  db: Executor,
  input: { restoreId: string; siteId: string; requestedBy: string; now: Date },
): Promise<boolean> {
  const queued = await db
    .insertInto('restore_issue_fields_job')
    .values({
      id: input.restoreId,
      site_id: input.siteId,
      requested_by: input.requestedBy,
      run_after: input.now,
      created_at: input.now,
      updated_at: input.now,
    })
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet({
          status: 'pending',
          requested_by: input.requestedBy,
          attempts: 0,
          run_after: input.now,
          updated_at: input.now,
          result_message: null,
          error_code: null,
          ended_at: null,
        })
        .where('restore_issue_fields_job.status', 'not in', ['pending', 'in_progress']),
    )
    .returning('id')
    .executeTakeFirst();
  return queued !== undefined;
}

/** Locks the site's restore row for the caller's transaction; its status, or undefined. */
export async function lockRestoreJob(
  db: Executor,
  siteId: string,
  id: string,
): Promise<{ status: RestoreJobStatus; backupId: string } | undefined> {
  if (!isRestoreId(id)) return undefined;
  return db
    .selectFrom('restore_job')
    .select(['status', 'backup_id as backupId'])
    .where('site_id', '=', siteId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function claimIssueFieldsJob(db: Executor, lease: Lease): Promise<IssueFieldsJob | undefined> {
  const row = await issueQueue.claim(db, lease);
  return row && toIssueJob(row);
}

export async function claimExhaustedIssueFieldsJob(db: Executor, lease: Lease): Promise<IssueFieldsJob | undefined> {
  const row = await issueQueue.claimExhausted(db, lease);
  return row && toIssueJob(row);
}

export async function renewIssueFieldsJob(
  db: Executor,
  id: string,
  lease: Lease,
  progress: { issuesDone: number; issuesTotal: number } | undefined,
): Promise<boolean> {
  return issueQueue.renew(db, id, lease, progress ? { progress: JSON.stringify(progress) } : {});
}

export async function finishIssueFieldsJob(
  db: Executor,
  id: string,
  input: {
    workerId: string;
    now: Date;
    outcome: 'completed' | 'failed';
    message: string;
    errorCode: string | null;
    updatedFields?: number;
    failedFields?: number;
  },
): Promise<boolean> {
  return issueQueue.finish(db, id, {
    workerId: input.workerId,
    now: input.now,
    outcome: input.outcome,
    set: {
      result_message: input.message,
      error_code: input.errorCode,
      ended_at: input.now,
      ...(input.updatedFields !== undefined ? { updated_fields: input.updatedFields } : {}),
      ...(input.failedFields !== undefined ? { failed_fields: input.failedFields } : {}),
    },
  });
}

/**
 * A restore or its issue-fields step back to the queue, due at `runAfter`, with the failure its user
 * sees meanwhile; only while this runner holds it.
 */
export async function requeueRestoreWork(
  db: Executor,
  step: 'restore' | 'issue-fields',
  id: string,
  input: { workerId: string; now: Date; runAfter: Date; failure: { code: string; message: string } },
): Promise<void> {
  const requeue = { workerId: input.workerId, now: input.now, runAfter: input.runAfter };
  const set = { result_message: input.failure.message, error_code: input.failure.code };
  if (step === 'restore') await restoreQueue.requeue(db, id, { ...requeue, set });
  else await issueQueue.requeue(db, id, { ...requeue, set });
}

export async function upsertIssueFieldResults(
  db: Executor,
  restoreId: string,
  results: readonly IssueFieldResult[],
): Promise<void> {
  if (results.length === 0) return;
  const byIssue = [...new Map(results.map((r) => [r.issueId, r])).values()];
  await db
    .insertInto('restore_issue_field')
    .values(byIssue.map((r) => ({ restore_id: restoreId, issue_id: r.issueId, result: JSON.stringify(r) })))
    .onConflict((oc) =>
      oc.columns(['restore_id', 'issue_id']).doUpdateSet({ result: (eb) => eb.ref('excluded.result') }),
    )
    .execute();
}

export async function issueFieldResultsAfter(
  db: Executor,
  restoreId: string,
  afterIssueId: string | undefined,
  limit: number,
): Promise<IssueFieldResult[]> {
  let query = db.selectFrom('restore_issue_field').select(['result']).where('restore_id', '=', restoreId);
  if (afterIssueId !== undefined) query = query.where('issue_id', '>', afterIssueId);
  const rows = await query.orderBy('issue_id').limit(limit).execute();
  return rows.map((r) => r.result as IssueFieldResult);
}

/** Fields pointed at the new objects, and issues whose fields could not be (failed or not found). */
export async function issueFieldTotals(
  db: Executor,
  restoreId: string,
): Promise<{ updatedFields: number; failedFields: number }> {
  const row = await db
    .selectFrom('restore_issue_field')
    .select([
      sql<number>`coalesce(sum(jsonb_array_length(result->'updatedFields')) filter (where result->>'status' = 'updated'), 0)::int`.as(
        'updated',
      ),
      sql<number>`(count(*) filter (where result->>'status' in ('failed', 'not_found')))::int`.as('failed'),
    ])
    .where('restore_id', '=', restoreId)
    .executeTakeFirstOrThrow();
  return { updatedFields: row.updated, failedFields: row.failed };
}

// ---------------------------------------------------------------------------------------------
// earlier restores, for references into other schemas

/**
 * Completed restores of the site to `targetSiteUrl` from backups of `sourceSiteUrl`, newest first, with
 * the object types they mapped (source id → target id): the schemas a new restore's references into
 * other schemas can follow.
 */
export async function listEarlierRestoreMaps(
  db: Executor,
  siteId: string,
  input: { targetSiteUrl: string; sourceSiteUrl: string; exclude?: string },
): Promise<{ id: string; objectTypes: Record<string, string> }[]> {
  let query = db
    .selectFrom('restore_job')
    .select(['id', sql<Record<string, string> | null>`(state::jsonb)->'structure'->'objectTypes'`.as('types')])
    .where('site_id', '=', siteId)
    .where('status', '=', 'completed')
    .where(sql<string>`destination->>'siteUrl'`, '=', input.targetSiteUrl)
    .where(sql<string>`source->>'siteUrl'`, '=', input.sourceSiteUrl);
  if (input.exclude !== undefined) query = query.where('id', '!=', input.exclude);
  const rows = await query.orderBy('ended_at', 'desc').execute();
  return rows.map((r) => ({ id: r.id, objectTypes: r.types ?? {} }));
}

/** Target ids of `sourceIds` in the restores `restoreIds` (the first restore listed wins). */
export async function targetIdsIn(
  db: Executor,
  restoreIds: readonly string[],
  sourceIds: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (restoreIds.length === 0 || sourceIds.length === 0) return out;
  const rows = await db
    .selectFrom('restore_object')
    .select(['restore_id', 'source_id', sql<string | null>`outcome->>'targetId'`.as('target_id')])
    .where('restore_id', 'in', restoreIds)
    .where('source_id', 'in', sourceIds)
    .where(sql<string>`outcome->>'action'`, 'in', ['created', 'skipped'])
    .execute();
  const rank = new Map(restoreIds.map((id, i) => [id, i]));
  const best = new Map<string, number>();
  for (const r of rows) {
    const at = rank.get(r.restore_id) ?? Infinity;
    if (r.target_id === null || at >= (best.get(r.source_id) ?? Infinity)) continue;
    best.set(r.source_id, at);
    out.set(r.source_id, r.target_id);
  }
  return out;
}
