/**
 * `runRestore`: one restore from a verified snapshot to a target site, resumable from its checkpoint
 * store. Phases, each recorded in the state before the next starts:
 *
 *   analysis      full verifying pass over the snapshot (a damaged backup stops here, before any
 *                 write), object graph, scope of a partial restore, checkpoint rows → id map
 *   structure     schema (or the existing one), statuses, reference types, types, attributes
 *   duplicates    existing schema without duplicates: objects whose ID exists there are `skipped`
 *   objects       creates in the planned order, one snapshot pass per planned pass
 *   references    `PUT` of the references left for later
 *   constraints   uniqueness, required attributes and filters put back
 *   verification  the target compared with the backup
 *
 * A run started on a finished restore returns its result again; on an unfinished one it carries
 * on from the phase it reached (objects with an outcome are not created again).
 */
import { setMaxListeners } from 'node:events';
import { AssetsApiError, AssetsTransportError } from '../assets-client/index.js';
import { AttributeKind } from '../model/index.js';
import { SnapshotIntegrityError } from '../snapshot/index.js';
import { analyseObjects, readStructure, type ObjectGraph, type SnapshotStructure } from './analysis.js';
import { rewriteAql } from './aql-rewrite.js';
import { CREATED, EXCLUDED, FAILED, NONE, ObjectBook, SKIPPED } from './book.js';
import { sameSiteResolver } from './cross-schema.js';
import { RestorePlanError, RestoreRunError } from './errors.js';
import { Checkpointer, ObjectLoader, outcomeOf, type ObjectRunContext, type Tuning } from './objects.js';
import { planOrdering } from './ordering.js';
import {
  addParents,
  checkAttributes,
  checkNewSchemaFree,
  checkNewSchemaInput,
  checkSourceSchema,
  crossSchemaMode,
  existingSchema,
  listSchemas,
  orderedRoles,
  targetError,
  typeScope,
} from './plan.js';
import { RESTORE_CONCURRENCY } from './pacing.js';
import { restoreStructure, tightenConstraints } from './structure.js';
import type {
  CrossSchemaResolver,
  PlannedTypeRole,
  RestoreApiCalls,
  RestoreCounts,
  RestoreEvent,
  RestorePhase,
  RestoreProgress,
  RestoreResult,
  RestoreState,
  RestoreTarget,
  RunRestoreInput,
} from './types.js';
import { verifyRestore } from './verify.js';

/** Defaults of RestoreTuning (restore.bench.ts measured them). */
export const DEFAULT_RESTORE_TUNING: Tuning = Object.freeze({
  concurrency: RESTORE_CONCURRENCY,
  maxPasses: 4,
  maxDependencyDepth: 12,
  maxBufferedObjects: 10_000,
  intentBatchSize: 32,
  outcomeBatchSize: 200,
  outcomeFlushMs: 1_000,
  circuitBreakerThreshold: 10,
  abortGraceMs: 5_000,
  lookupSettleMs: 2_000,
  clockSkewToleranceMs: 300_000,
  verify: true,
});

const PHASES: readonly RestorePhase[] = [
  'analysis',
  'structure',
  'duplicates',
  'objects',
  'references',
  'constraints',
  'verification',
  'done',
];
const reached = (state: RestoreState, phase: RestorePhase) => PHASES.indexOf(state.phase) >= PHASES.indexOf(phase);
const DUPLICATE_BATCH = 100;
const PROGRESS_INTERVAL_MS = 500;
const STATE_INTERVAL_MS = 2_000;

const zeroCounts = (): RestoreCounts => ({
  total: 0,
  created: 0,
  skipped: 0,
  failed: 0,
  excluded: 0,
  warnings: 0,
  referencesSet: 0,
  referencesFailed: 0,
  lookups: 0,
  lookupsFound: 0,
});

/** Objects per minute over the last minute, and the time left at that rate. */
class RateMeter {
  private readonly samples: { at: number; done: number }[] = [];
  sample(at: number, done: number): void {
    this.samples.push({ at, done });
    while (this.samples.length > 2 && at - (this.samples[1]?.at ?? at) >= 60_000) this.samples.shift();
  }
  perMinute(): number {
    const first = this.samples[0],
      last = this.samples[this.samples.length - 1];
    if (first === undefined || last === undefined || last.at - first.at < 1_000) return 0;
    return ((last.done - first.done) * 60_000) / (last.at - first.at);
  }
}

/** Runs (or resumes) a restore; see the module comment. Throws only for bugs and checkpoint-store failures. */
export async function runRestore(input: RunRestoreInput): Promise<RestoreResult> {
  const started = Date.now();
  const tuning: Tuning = { ...DEFAULT_RESTORE_TUNING, ...input.tuning };
  const now = input.now ?? (() => new Date());
  const { client, checkpoints, snapshot, destination, options, signal } = input;
  const manifest = snapshot.manifest;
  const calls: RestoreApiCalls = { objectCreates: 0, objectUpdates: 0, lookups: 0, reads: 0, structureWrites: 0 };
  const emit = (e: RestoreEvent) => {
    try {
      input.onEvent?.(e);
    } catch {
      /* a broken log sink must not break a restore */
    }
  };
  const callOpts = signal ? { signal } : {};

  let state = await checkpoints.loadState();
  if (state !== undefined) {
    const same =
      state.snapshotSha256 === manifest.contentSha256 &&
      JSON.stringify(state.destination) === JSON.stringify(destination) &&
      JSON.stringify(state.options) === JSON.stringify(options);
    if (!same)
      throw new RestorePlanError(
        'checkpoint_mismatch',
        'The checkpoints belong to a restore of another backup, destination or options',
      );
    if (state.phase === 'done') return finalResult(state, 'completed', undefined, calls, state.counts, started);
  }

  const counts = state?.counts ?? zeroCounts();
  let progress: RestoreProgress = state?.progress ?? {
    phase: 'analysis',
    objectsDone: 0,
    objectsTotal: 0,
    objectsPerMinute: 0,
    referencesDone: 0,
    referencesTotal: 0,
    pass: 0,
    passes: 0,
  };
  const meter = new RateMeter();
  let lastProgressAt = 0;
  let lastStateAt = 0;
  let book: ObjectBook | undefined;
  let checkpointer: Checkpointer | undefined;

  const report = (force = false) => {
    const at = Date.now();
    if (!force && at - lastProgressAt < PROGRESS_INTERVAL_MS) return;
    lastProgressAt = at;
    if (book !== undefined) {
      const { total, done } = book.progress();
      meter.sample(at, done);
      const rate = meter.perMinute();
      progress = {
        ...progress,
        objectsDone: done,
        objectsTotal: total,
        objectsPerMinute: Math.round(rate),
        referencesDone: counts.referencesSet + counts.referencesFailed,
      };
      if (rate > 0 && progress.phase === 'objects') progress.etaSeconds = Math.round(((total - done) * 60) / rate);
      else delete progress.etaSeconds;
    }
    try {
      input.onProgress?.({ ...progress });
    } catch {
      /* progress sinks must not break a restore */
    }
  };
  // saves run one after the other, each with the state as it is when its turn comes: a periodic
  // save started before a phase change can never land after it
  let saving: Promise<void> = Promise.resolve();
  const save = (): Promise<void> => {
    const turn = saving.then(async () => {
      if (state === undefined) return;
      state.progress = { ...progress };
      state.counts = { ...counts };
      state.updatedAt = now().toISOString();
      lastStateAt = Date.now();
      await checkpoints.saveState(structuredClone(state));
    });
    saving = turn.catch(() => undefined);
    return turn;
  };
  const setPhase = async (phase: RestorePhase) => {
    progress = { ...progress, phase };
    emit({ type: 'phase', phase });
    if (state !== undefined) state.phase = phase;
    report(true);
    await save();
  };

  try {
    // ---- analysis: every run re-reads (and so re-verifies) the whole backup before writing
    progress = { ...progress, phase: 'analysis' };
    emit({ type: 'phase', phase: 'analysis' });
    report(true);
    if (destination.kind === 'new-schema') checkNewSchemaInput(destination);
    const structure = await readStructure(snapshot);
    checkSourceSchema(structure);
    const roles = typeScope(structure, options.objectTypeIds);
    checkAttributes(structure, roles.keys(), options.history);
    const graph = await analyseObjects(snapshot, structure);
    const workspaceId = await client.getWorkspaceId(callOpts).catch((err: unknown) => {
      throw targetError(err);
    });
    const sameSite = workspaceId === manifest.source.workspaceId;
    const objects = new ObjectBook(graph);
    book = objects;
    const types = objectScope(structure, graph, roles, options.objectTypeIds, objects);
    let loadedWarnings = 0;
    for await (const row of checkpoints.objectRows()) {
      book.load(row);
      loadedWarnings += (row.outcome?.warnings.length ?? 0) + (row.references?.warnings.length ?? 0);
    }

    if (state === undefined) {
      // a fresh restore: the destination is checked live once more (the plan was checked at POST time)
      try {
        if (destination.kind === 'new-schema') await checkNewSchemaFree(client, destination, signal);
        else await existingSchema(client, destination.schemaId, signal);
        const creates =
          destination.kind === 'new-schema' || destination.createDuplicates ? objects.progress().total : 0;
        if (input.objectAllowance !== undefined && creates > 0) {
          calls.reads++;
          const usage = await client.getUsage(callOpts);
          if (usage.totalObjectsCount + creates > input.objectAllowance)
            throw new RestorePlanError(
              'object_allowance_exceeded',
              `The target holds ${usage.totalObjectsCount} objects; ${creates} more would exceed its allowance of ${input.objectAllowance}`,
            );
        }
      } catch (err) {
        throw targetError(err);
      }
      const at = now().toISOString();
      state = {
        stateVersion: 1,
        snapshotSha256: manifest.contentSha256,
        destination,
        options,
        phase: 'structure',
        startedAt: at,
        updatedAt: at,
        progress,
        counts,
      };
      await save();
    }
    const st: RestoreState = state;
    if (st.phase !== progress.phase) {
      progress = { ...progress, phase: st.phase };
      report(true);
    }

    // ---- structure
    const crossSchema = crossSchemaMode(input, sameSite);
    const resolver: CrossSchemaResolver | undefined =
      crossSchema.mode === 'resolver'
        ? crossSchema.resolver
        : crossSchema.mode === 'keep' && sameSite
          ? sameSiteResolver(client)
          : undefined;
    const foreignRefs = [...graph.foreign.values()];
    let foreign = new Map<string, string>();
    if (resolver !== undefined && foreignRefs.length > 0) foreign = await resolver.objects(foreignRefs, callOpts);
    if (!reached(st, 'duplicates') || st.structure === undefined || st.target === undefined) {
      await setPhase('structure');
      const target = await ensureSchema(input, st, structure, workspaceId, sameSite, tuning, save, calls);
      st.target = target;
      await save();
      const map = await restoreStructure({
        client,
        structure,
        types,
        targetSchemaId: target.schemaId,
        newSchema: destination.kind === 'new-schema',
        history: options.history,
        usedStatusIds: graph.usedStatusIds,
        maxValues: graph.maxValues,
        foreignType: async (id) => (resolver === undefined ? undefined : resolver.objectType(id, callOpts)),
        calls,
        ...callOpts,
      });
      st.structure = map;
      await setPhase('duplicates');
    }
    const target = st.target;
    const map = st.structure;
    if (target === undefined || map === undefined) throw new Error('structure phase left no target');
    counts.total = book.progress().total;
    counts.warnings = loadedWarnings + map.warnings.length;

    const hard = new AbortController();
    // every request in flight listens to it (client, pacer, transport): more than Node's default 10
    setMaxListeners(4 * tuning.concurrency + 16, hard.signal);
    const ctx: ObjectRunContext = {
      client,
      snapshot,
      structure,
      graph,
      map,
      book,
      options,
      sameSite,
      foreign,
      checkpoints,
      tuning,
      calls,
      counts,
      now,
      emit,
      signal,
      hard,
      stop: {},
      onOutcome: () => report(),
    };
    const cp = new Checkpointer(ctx, () => {
      report();
      if (Date.now() - lastStateAt >= STATE_INTERVAL_MS) void save().catch(() => undefined);
    });
    checkpointer = cp;
    const loader = new ObjectLoader(ctx, cp);

    // ---- duplicates and exclusions
    if (!reached(st, 'objects')) {
      if (destination.kind === 'existing-schema' && !destination.createDuplicates)
        await markExistingObjects(ctx, target.schemaId, cp);
      const at = now().toISOString();
      for (let i = 0; i < graph.count; i++) {
        if (book.inScope[i] === 1 || book.status[i] !== NONE) continue;
        book.settle(i, EXCLUDED);
        cp.outcomes.add(
          outcomeOf(graph, structure, i, {
            action: 'excluded',
            referencesPending: false,
            at,
            warnings: [],
            errors: [],
          }),
        );
      }
      await cp.flush();
      await setPhase('objects');
    }
    recount(book, counts);

    // ---- objects
    const stopped = (): RestoreResult | undefined => {
      const reason = ctx.stop.reason;
      if (reason === undefined && !signal?.aborted) return undefined;
      recount(ctx.book, counts);
      if (reason === undefined || reason.kind === 'aborted')
        return finalResult(st, 'aborted', undefined, calls, counts, started);
      const error = new RestoreRunError(reason.kind, reason.message, { retryable: reason.kind === 'circuit_open' });
      return finalResult(st, 'failed', error, calls, counts, started);
    };
    if (st.phase === 'objects') {
      const toCreate = new Uint8Array(graph.count);
      for (let i = 0; i < graph.count; i++) toCreate[i] = book.inScope[i] === 1 && book.status[i] !== SKIPPED ? 1 : 0;
      const ordering = planOrdering({
        count: graph.count,
        toCreate,
        refStart: graph.refStart,
        refTargets: graph.refTargets,
        maxDepth: tuning.maxDependencyDepth,
        maxPasses: tuning.maxPasses,
        maxBuffered: tuning.maxBufferedObjects,
      });
      loader.pendingPlan = ordering.pending;
      progress = { ...progress, passes: ordering.passes };
      for (let p = 0; p < ordering.passes; p++) {
        progress = { ...progress, pass: p + 1 };
        emit({ type: 'pass', pass: p + 1, objects: ordering.pass.filter((x) => x === p).length });
        const ok = await loader.runPass(p, ordering);
        await cp.flush();
        await save();
        if (!ok) return stopped() ?? finalResult(st, 'aborted', undefined, calls, counts, started);
      }
      await setPhase('references');
    }

    // ---- references
    if (st.phase === 'references') {
      let pending = 0;
      for (let i = 0; i < graph.count; i++)
        if (book.status[i] === CREATED && book.referencesPending[i] === 1 && book.referencesDone[i] !== 1) pending++;
      progress = { ...progress, referencesTotal: counts.referencesSet + counts.referencesFailed + pending };
      const ok = await loader.runReferencePass();
      await cp.flush();
      if (!ok) return stopped() ?? finalResult(st, 'aborted', undefined, calls, counts, started);
      await setPhase('constraints');
    }

    // ---- constraints
    if (st.phase === 'constraints') {
      if (st.constraintsRestored !== true) {
        const warnings = await tightenConstraints(
          client,
          map.relaxed,
          (ql) => rewriteAql(ql, aqlMaps(structure, graph, objects, map, target)),
          calls,
          signal,
        );
        map.warnings.push(...warnings);
        counts.warnings += warnings.length;
        st.constraintsRestored = true;
      }
      await setPhase('verification');
    }

    // ---- verification
    if (st.phase === 'verification') {
      if (tuning.verify) {
        st.verification = await verifyRestore({
          client,
          snapshot,
          structure,
          graph,
          book,
          map,
          loader,
          options,
          sameSite,
          targetSchemaId: target.schemaId,
          newSchema: destination.kind === 'new-schema',
          types,
          calls,
          signal,
        });
      }
      recount(book, counts);
      await setPhase('done');
    }
    return finalResult(st, 'completed', undefined, calls, counts, started);
  } catch (err) {
    await checkpointer?.flush().catch(() => undefined);
    if (book !== undefined) recount(book, counts);
    const failedState: RestoreState =
      state ??
      ({
        stateVersion: 1,
        snapshotSha256: manifest.contentSha256,
        destination,
        options,
        phase: 'analysis',
        startedAt: new Date(started).toISOString(),
        updatedAt: now().toISOString(),
        progress,
        counts,
      } satisfies RestoreState);
    if (signal?.aborted) {
      await save().catch(() => undefined);
      return finalResult(failedState, 'aborted', undefined, calls, counts, started);
    }
    const error = runError(err);
    if (error === undefined) throw err;
    await save().catch(() => undefined);
    return finalResult(failedState, 'failed', error, calls, counts, started);
  }
}

/** Known failures as the error of a failed result; undefined for bugs (they are thrown). */
function runError(err: unknown): RestorePlanError | RestoreRunError | undefined {
  if (err instanceof RestorePlanError || err instanceof RestoreRunError) return err;
  if (err instanceof SnapshotIntegrityError)
    return new RestoreRunError('snapshot_invalid', `The backup failed verification: ${err.message}`, {
      retryable: false,
      cause: err,
    });
  if (err instanceof AssetsApiError && (err.status === 401 || err.status === 403))
    return new RestoreRunError('target_unauthorized', `The target refused the credentials (${err.status})`, {
      retryable: false,
      cause: err,
    });
  if (err instanceof AssetsApiError || err instanceof AssetsTransportError)
    return new RestoreRunError('structure_failed', `The target refused a structure change: ${err.message}`, {
      retryable: !(err instanceof AssetsApiError && err.status === 400),
      cause: err,
    });
  return undefined;
}

/** Objects this restore handles: all, or those of the selected types and the objects they reference. */
function objectScope(
  structure: SnapshotStructure,
  graph: ObjectGraph,
  roles: Map<string, PlannedTypeRole>,
  objectTypeIds: string[] | undefined,
  book: ObjectBook,
): Set<string> {
  if (objectTypeIds === undefined) {
    book.inScope.fill(1);
    return new Set(roles.keys());
  }
  const selected = new Set(objectTypeIds);
  for (let i = 0; i < graph.count; i++) {
    if (!selected.has(graph.typeIds[i] ?? '')) continue;
    book.inScope[i] = 1;
    for (let k = graph.refStart[i] ?? 0; k < (graph.refStart[i + 1] ?? 0); k++)
      book.inScope[graph.refTargets[k] ?? 0] = 1;
  }
  // a referenced object whose type the attribute definitions did not announce still brings its type
  const all = new Map(roles);
  for (let i = 0; i < graph.count; i++) {
    const t = graph.typeIds[i] ?? '';
    if (book.inScope[i] === 1 && !all.has(t)) all.set(t, 'referenced');
  }
  addParents(structure, all);
  return new Set(orderedRoles(structure, all).keys());
}

/** The new schema (intent stored first, so a lost answer is found by its key), or the existing one. */
async function ensureSchema(
  input: RunRestoreInput,
  state: RestoreState,
  structure: SnapshotStructure,
  workspaceId: string,
  sameSite: boolean,
  tuning: Tuning,
  save: () => Promise<void>,
  calls: RestoreApiCalls,
): Promise<RestoreTarget> {
  const { client, destination, signal } = input;
  const callOpts = signal ? { signal } : {};
  if (state.target !== undefined) return state.target;
  if (destination.kind === 'existing-schema') {
    const schema = await existingSchema(client, destination.schemaId, signal);
    calls.reads++;
    const hasForeign = [...structure.attributeById.values()].some(
      (a) => a.type === AttributeKind.Reference && a.typeValue !== undefined && !structure.typeById.has(a.typeValue),
    );
    if (hasForeign && structure.config?.allowOtherObjectSchema === true) {
      const config = await client.getSchemaConfig(schema.id, callOpts);
      if (config.allowOtherObjectSchema !== true) {
        calls.structureWrites++;
        await client.setSchemaConfig(schema.id, { ...config, allowOtherObjectSchema: true }, callOpts);
      }
    }
    return { workspaceId, sameSite, schemaId: schema.id, schemaKey: schema.objectSchemaKey, schemaName: schema.name };
  }
  const name = destination.name.trim();
  const ours = async (intentAt: string) => {
    const since = Date.parse(intentAt) - tuning.clockSkewToleranceMs;
    const found = (await listSchemas(client, signal)).find((s) => s.objectSchemaKey === destination.key);
    if (found === undefined) return undefined;
    if (found.name !== name || Date.parse(found.created) < since)
      throw new RestorePlanError(
        'schema_key_taken',
        `A schema with the key ${destination.key} appeared on the target meanwhile`,
      );
    return found;
  };
  let schema = state.schemaIntentAt === undefined ? undefined : await ours(state.schemaIntentAt);
  if (schema === undefined) {
    const intentAt = new Date().toISOString();
    state.schemaIntentAt = intentAt;
    await save();
    calls.structureWrites++;
    schema = await client.createObjectSchema(
      {
        name,
        objectSchemaKey: destination.key,
        ...(destination.description ? { description: destination.description } : {}),
      },
      { ...callOpts, findExisting: () => ours(intentAt) },
    );
  }
  const config = structure.config;
  if (config !== undefined) {
    const { kind: _kind, ...properties } = config;
    if (Object.keys(properties).length > 0) {
      calls.structureWrites++;
      await client.setSchemaConfig(schema.id, properties, callOpts);
    }
  }
  return { workspaceId, sameSite, schemaId: schema.id, schemaKey: schema.objectSchemaKey, schemaName: schema.name };
}

/** Existing schema, duplicates off: objects whose ID is in the target schema are skipped (AQL, a hundred ids a request). */
async function markExistingObjects(ctx: ObjectRunContext, schemaId: string, cp: Checkpointer): Promise<void> {
  const { graph, book, client } = ctx;
  const candidates: number[] = [];
  for (let i = 0; i < graph.count; i++) if (book.inScope[i] === 1 && book.status[i] === NONE) candidates.push(i);
  const at = ctx.now().toISOString();
  for (let k = 0; k < candidates.length; k += DUPLICATE_BATCH) {
    const batch = candidates.slice(k, k + DUPLICATE_BATCH);
    const ids = batch.map((i) => graph.ids[i]).join(', ');
    ctx.calls.reads++;
    const found = new Map<string, string>();
    for await (const o of client.aqlObjects(`objectSchemaId = ${schemaId} AND objectId IN (${ids})`, {
      includeAttributes: false,
      pageSize: DUPLICATE_BATCH,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    }))
      found.set(o.id, o.objectKey);
    for (const i of batch) {
      const id = graph.ids[i] ?? '';
      const key = found.get(id);
      if (key === undefined) continue;
      book.settle(i, SKIPPED, id, key);
      cp.outcomes.add(
        outcomeOf(graph, ctx.structure, i, {
          action: 'skipped',
          targetId: id,
          targetKey: key,
          referencesPending: false,
          at,
          warnings: [],
          errors: [],
        }),
      );
    }
  }
}

/** Counts by action from the book (the truth after resumes). */
function recount(book: ObjectBook, counts: RestoreCounts): void {
  let created = 0,
    skipped = 0,
    failed = 0,
    excluded = 0,
    total = 0;
  for (let i = 0; i < book.graph.count; i++) {
    const s = book.status[i];
    if (book.inScope[i] === 1) total++;
    if (s === CREATED) created++;
    else if (s === SKIPPED) skipped++;
    else if (s === FAILED) failed++;
    else if (s === EXCLUDED) excluded++;
  }
  Object.assign(counts, { total, created, skipped, failed, excluded });
}

/** Source → target lookups for rewriting AQL filters after the load. */
function aqlMaps(
  structure: SnapshotStructure,
  graph: ObjectGraph,
  book: ObjectBook,
  map: { objectTypes: Record<string, string> },
  target: RestoreTarget,
) {
  const byKey = new Map<string, string>();
  for (let i = 0; i < graph.count; i++) {
    const key = book.targetKeys[i];
    if (key !== undefined) byKey.set(graph.keys[i] ?? '', key);
  }
  return {
    schemaId: (id: string) => (id === structure.schema.id ? target.schemaId : undefined),
    schemaName: (n: string) =>
      n.toLocaleLowerCase('en-US') === structure.schema.name.toLocaleLowerCase('en-US') ? target.schemaName : undefined,
    objectTypeId: (id: string) => map.objectTypes[id],
    objectId: (id: string) => {
      const i = graph.index.get(id);
      return i === undefined ? undefined : book.targetIds[i];
    },
    objectKey: (key: string) => byKey.get(key),
  };
}

function finalResult(
  state: RestoreState,
  status: RestoreResult['status'],
  error: RestorePlanError | RestoreRunError | undefined,
  calls: RestoreApiCalls,
  c: RestoreCounts,
  started: number,
): RestoreResult {
  let message: string;
  if (status === 'failed') message = error?.message ?? 'The restore failed';
  else if (status === 'aborted') message = 'The restore was stopped; it resumes where it stopped';
  else if (c.failed === 0 && c.skipped === 0) message = 'Operation success';
  else {
    const parts = [`${c.created} objects created`];
    if (c.skipped > 0) parts.push(`${c.skipped} skipped (their IDs exist in the target schema)`);
    if (c.failed > 0) parts.push(`${c.failed} failed (see the log)`);
    message = `${c.failed === 0 ? 'Operation success' : 'Restore completed with errors'}: ${parts.join(', ')}`;
  }
  return {
    status,
    message,
    ...(error === undefined
      ? {}
      : {
          error: {
            code: error.code,
            message: error.message,
            retryable: error instanceof RestoreRunError ? error.retryable : false,
          },
        }),
    ...(state.target === undefined ? {} : { target: state.target }),
    counts: { ...c },
    structureWarnings: [...(state.structure?.warnings ?? [])],
    ...(state.verification === undefined ? {} : { verification: state.verification }),
    apiCalls: calls,
    passes: state.progress.passes,
    durationMs: Date.now() - started,
  };
}
