/**
 * The object passes and the reference pass. Each pass streams the snapshot once and feeds a work
 * queue of creates; an object whose references point at objects not created yet waits in a buffer
 * (the ordering plan bounds it) and is released when the last of them is created.
 *
 * Exactly once: an intent (source id, attempt, time) is stored before each create, in batches that
 * run ahead of the queue; the outcome is stored after it, in batches. A create whose answer was lost
 * is looked up before anything is sent again, inside a run (the client's `findExisting`) and after a
 * crash (an intent without outcome): AQL on type and label, created after the intent, not given to
 * another source object, every non-reference value equal.
 *
 * Robustness: a validation error (400 keyed by attribute) fails that object only, after one retry
 * without the refused values where they are optional; other failures are retried once at the end of
 * the pass; `circuitBreakerThreshold` consecutive ones stop the restore. An abort stops at a safe
 * point: nothing new starts, what runs may finish for `abortGraceMs`, checkpoints are written.
 */
import {
  AmbiguousCreateError,
  AssetsApiError,
  AssetsTransportError,
  type AssetsClient,
} from '../assets-client/index.js';
import { AttributeKind, type AssetObject, type ObjectIn } from '../model/index.js';
import type { HistoryRecord, ObjectRecord } from '../snapshot/index.js';
import { labelAttribute, type ObjectGraph, type SnapshotStructure } from './analysis.js';
import { CREATED, FAILED, NONE, type ObjectBook } from './book.js';
import { aqlString } from './cross-schema.js';
import type { Ordering } from './ordering.js';
import { BatchWriter, WorkQueue, delay } from './runtime.js';
import type {
  ObjectIntent,
  ObjectOutcome,
  ReferenceUpdate,
  RestoreApiCalls,
  RestoreCheckpointStore,
  RestoreCounts,
  RestoreEvent,
  RestoreOptions,
  RestoreSnapshot,
  RestoreTuning,
  StructureMap,
} from './types.js';
import {
  bodyValues,
  buildCreateBody,
  buildReferenceBody,
  sameList,
  targetValues,
  type ValueContext,
} from './values.js';

export type Tuning = Required<RestoreTuning>;

/** Why the run stopped before its end. */
export type StopReason =
  { kind: 'aborted' } | { kind: 'circuit_open'; message: string } | { kind: 'target_unauthorized'; message: string };

export interface ObjectRunContext {
  client: AssetsClient;
  snapshot: RestoreSnapshot;
  structure: SnapshotStructure;
  graph: ObjectGraph;
  map: StructureMap;
  book: ObjectBook;
  options: RestoreOptions;
  sameSite: boolean;
  foreign: ReadonlyMap<string, string>;
  checkpoints: RestoreCheckpointStore;
  tuning: Tuning;
  calls: RestoreApiCalls;
  counts: RestoreCounts;
  now: () => Date;
  emit: (e: RestoreEvent) => void;
  /** the caller's signal: stop at a safe point */
  signal: AbortSignal | undefined;
  /** cuts requests still running after the grace period, or at once when the circuit opens */
  hard: AbortController;
  stop: { reason?: StopReason };
  /** an object got an outcome (progress) */
  onOutcome: () => void;
}

interface Item {
  index: number;
  record: ObjectRecord;
  history?: HistoryRecord;
  /** unresolved dependencies (buffered items) */
  waitingFor: number;
  /** stored intent, shared by the batch it was written with */
  intent?: Promise<ObjectIntent>;
  /** values already dropped after a validation error */
  dropped: boolean;
  /** a non-validation failure already happened once */
  retried: boolean;
}

/** Writes checkpoints for the object phases. */
export class Checkpointer {
  readonly outcomes: BatchWriter<ObjectOutcome>;
  readonly references: BatchWriter<ReferenceUpdate>;

  constructor(
    private readonly ctx: Pick<ObjectRunContext, 'checkpoints' | 'tuning'>,
    onWritten: () => void,
  ) {
    const t = ctx.tuning;
    this.outcomes = new BatchWriter(
      async (rows) => {
        await ctx.checkpoints.recordOutcomes(rows);
        onWritten();
      },
      t.outcomeBatchSize,
      t.outcomeFlushMs,
    );
    this.references = new BatchWriter(
      async (rows) => {
        await ctx.checkpoints.recordReferenceUpdates(rows);
        onWritten();
      },
      t.outcomeBatchSize,
      t.outcomeFlushMs,
    );
  }

  async flush(): Promise<void> {
    await this.outcomes.flush();
    await this.references.flush();
  }
}

const isAbort = (err: unknown, ctx: ObjectRunContext) =>
  (ctx.signal?.aborted === true || ctx.hard.signal.aborted) &&
  (err instanceof Error
    ? err.name === 'AbortError' || err.name === 'TimeoutError' || err === ctx.hard.signal.reason
    : true);

/** The label attribute's name on the target, per source type (lookups search by it). */
function labelName(structure: SnapshotStructure, typeId: string): string | undefined {
  return labelAttribute(structure, typeId)?.name;
}

export class ObjectLoader {
  private readonly values: ValueContext;
  private readonly targetKind = new Map<string, number>();
  private consecutiveFailures = 0;

  constructor(
    private readonly ctx: ObjectRunContext,
    private readonly checkpoints: Checkpointer,
  ) {
    this.values = {
      structure: ctx.structure,
      map: ctx.map,
      sameSite: ctx.sameSite,
      objectIcons: ctx.options.objectIcons,
      history: ctx.options.history,
      reference: (id) => ctx.book.reference(id),
      foreign: ctx.foreign,
    };
    for (const [source, target] of Object.entries(ctx.map.attributes)) {
      const def = ctx.structure.attributeById.get(source);
      if (def !== undefined) this.targetKind.set(target, def.type);
    }
  }

  get valueContext(): ValueContext {
    return this.values;
  }

  /** The kind of a target attribute (history and unknown ones read as default values). */
  kindOf = (targetAttributeId: string): number | undefined => this.targetKind.get(targetAttributeId);

  // -------------------------------------------------------------------------------------------
  // object passes

  /** Runs pass `p` of the plan; returns false when the run was stopped. */
  async runPass(p: number, ordering: Ordering): Promise<boolean> {
    const { ctx } = this;
    const { book, graph } = ctx;
    const buffer = new Map<number, Item>();
    const waiters = new Map<number, number[]>();
    const awaitingHistory = new Map<string, Item>();
    const retry: Item[] = [];
    const queue: WorkQueue<Item> = new WorkQueue(ctx.tuning.concurrency, (item) => this.create(item, queue, retry));

    const admit = (item: Item) => {
      if (ordering.pending[item.index] === 1) return queue.push(item);
      let unresolved = 0;
      for (const dep of this.dependencies(item.index, p, ordering)) {
        unresolved++;
        let list = waiters.get(dep);
        if (list === undefined) waiters.set(dep, (list = []));
        list.push(item.index);
      }
      if (unresolved === 0) return queue.push(item);
      item.waitingFor = unresolved;
      buffer.set(item.index, item);
    };
    this.release = (index: number) => {
      for (const w of waiters.get(index) ?? []) {
        const item = buffer.get(w);
        if (item === undefined) continue;
        item.waitingFor--;
        if (item.waitingFor === 0) {
          buffer.delete(w);
          queue.push(item);
        }
      }
      waiters.delete(index);
    };

    const highWater = ctx.tuning.concurrency * 4;
    const stopQueue = () => queue.stop();
    ctx.signal?.addEventListener('abort', stopQueue, { once: true });
    try {
      for await (const r of ctx.snapshot.records()) {
        if (this.stopped() || queue.isStopped) break;
        if (r.kind === 'object') {
          const i = graph.index.get(r.id);
          if (i === undefined || ordering.pass[i] !== p || book.status[i] !== NONE) continue;
          const item: Item = { index: i, record: r, waitingFor: 0, dropped: false, retried: false };
          if (ctx.options.history && graph.hasHistory[i] === 1) awaitingHistory.set(r.id, item);
          else admit(item);
        } else if (r.kind === 'history') {
          const item = awaitingHistory.get(r.objectId);
          if (item !== undefined) {
            awaitingHistory.delete(r.objectId);
            item.history = r;
            admit(item);
          }
        }
        await queue.below(highWater);
      }
      // a history that never came (not expected: the analysis saw it) must not hold its object forever
      for (const item of awaitingHistory.values()) admit(item);
      for (;;) {
        await queue.idle();
        if (this.stopped() || queue.isStopped) break;
        if (retry.length > 0) {
          for (const item of retry.splice(0)) queue.push(item);
          continue;
        }
        if (buffer.size > 0) {
          // objects waiting on objects that will not come in this pass: create them, references later
          for (const [index, item] of [...buffer]) {
            buffer.delete(index);
            item.waitingFor = 0;
            queue.push(item);
          }
          continue;
        }
        break;
      }
    } finally {
      ctx.signal?.removeEventListener('abort', stopQueue);
      queue.stop();
      await this.settle(queue);
      this.release = () => undefined;
    }
    return !this.stopped();
  }

  /** Called when an object got its outcome: wakes the objects waiting for it. */
  private release: (index: number) => void = () => undefined;

  /** Dependencies of `i` this pass must wait for: referenced objects of this or an earlier pass without outcome. */
  private *dependencies(i: number, p: number, ordering: Ordering): Generator<number> {
    const { graph, book } = this.ctx;
    for (let k = graph.refStart[i] ?? 0; k < (graph.refStart[i + 1] ?? 0); k++) {
      const w = graph.refTargets[k] ?? -1;
      if (w === i || w < 0 || book.inScope[w] !== 1 || book.status[w] !== NONE) continue;
      const pass = ordering.pass[w] ?? -1;
      if (pass >= 0 && pass <= p) yield w;
    }
  }

  private stopped(): boolean {
    return this.ctx.stop.reason !== undefined || this.ctx.signal?.aborted === true;
  }

  /** Lets running requests finish (at most abortGraceMs after a stop), then cuts them. */
  private async settle<T>(queue: WorkQueue<T>): Promise<void> {
    if (queue.active > 0 && this.stopped() && !this.ctx.hard.signal.aborted) {
      const timer = setTimeout(() => this.ctx.hard.abort(new Error('restore stopped')), this.ctx.tuning.abortGraceMs);
      try {
        await queue.drain();
      } finally {
        clearTimeout(timer);
      }
    }
    await queue.drain();
    if (queue.failure !== undefined) throw queue.failure.error;
  }

  private async writeIntents(items: Item[]): Promise<void> {
    const at = this.ctx.now().toISOString();
    const intents = items.map((item) => ({
      sourceId: item.record.id,
      attempt: (this.ctx.book.attempts[item.index] ?? 0) + 1,
      at,
    }));
    const written = this.ctx.checkpoints.recordIntents(intents);
    items.forEach((item, n) => {
      const intent = intents[n] as ObjectIntent;
      const stored = written.then(() => {
        this.ctx.book.attempts[item.index] = intent.attempt;
        return intent;
      });
      // an item that never starts (the run stopped) never awaits its intent
      stored.catch(() => undefined);
      item.intent = stored;
    });
    await written;
  }

  /** This item's intent, written together with the next ones in the queue that have none yet. */
  private intentFor(item: Item, queue: WorkQueue<Item>): Promise<ObjectIntent> {
    if (item.intent === undefined) {
      const batch = [
        item,
        ...queue.ready.filter((x) => x.intent === undefined).slice(0, this.ctx.tuning.intentBatchSize - 1),
      ];
      void this.writeIntents(batch).catch(() => undefined);
    }
    return item.intent as Promise<ObjectIntent>;
  }

  private async create(item: Item, queue: WorkQueue<Item>, retry: Item[]): Promise<void> {
    const { ctx } = this;
    const { book } = ctx;
    const i = item.index;
    const withReferences = ctx.book.referencesPending[i] !== 1 && !this.isPending(i);
    const built = buildCreateBody(this.values, item.record, item.history, { withReferences });
    const warnings = built.warnings;
    const open = book.openIntents.get(i);
    if (open !== undefined) {
      // an earlier run may have created it before it died: look before creating
      const found = await this.lookup(item.record, built.body, open);
      if (found !== undefined) {
        // that run's body may have differed (another plan): the reference pass writes every reference
        this.created(item, found, true, warnings, true);
        return;
      }
      book.openIntents.delete(i);
    }
    let body = built.body;
    for (;;) {
      if (this.stopped()) return;
      let intent: ObjectIntent;
      try {
        intent = await this.intentFor(item, queue);
      } catch (err) {
        this.storeFailure(err);
        return;
      }
      if (this.stopped()) {
        // the intent is stored but nothing was sent: the next run looks, finds nothing, creates
        book.openIntents.set(i, intent.at);
        return;
      }
      try {
        ctx.calls.objectCreates++;
        let lookedUp = false;
        const made = await ctx.client.createObject(body, {
          signal: ctx.hard.signal,
          findExisting: async () => {
            lookedUp = true;
            return await this.lookup(item.record, body, intent.at);
          },
        });
        this.consecutiveFailures = 0;
        this.created(item, made, built.deferred || !withReferences, warnings, lookedUp);
        return;
      } catch (err) {
        if (isAbort(err, ctx)) {
          // the create may or may not have happened: the stored intent makes the next run look first
          book.openIntents.set(i, intent.at);
          return;
        }
        item.intent = undefined;
        if (err instanceof AssetsApiError && err.status === 400 && Object.keys(err.attributeErrors).length > 0) {
          const retryBody = item.dropped
            ? undefined
            : this.withoutRefused(body, err, item.record.objectTypeId, warnings);
          if (retryBody !== undefined) {
            item.dropped = true;
            body = retryBody;
            continue;
          }
          this.failed(item, validationMessages(err), warnings);
          return;
        }
        // the create may have happened (a lookup that itself failed, a 5xx after sending): look again first
        book.openIntents.set(i, intent.at);
        this.nonValidationFailure(item, err, retry);
        return;
      }
    }
  }

  private isPending(i: number): boolean {
    return this.pendingPlan?.[i] === 1;
  }

  /** The ordering's pending flags (set by the engine before the passes). */
  pendingPlan: Uint8Array | undefined;

  /**
   * The body without the refused optional values, or undefined when a refused value cannot be
   * dropped (the label, a required attribute) or nothing would change.
   */
  private withoutRefused(
    body: ObjectIn,
    err: AssetsApiError,
    sourceTypeId: string,
    warnings: string[],
  ): ObjectIn | undefined {
    const refused = new Set(Object.keys(err.attributeErrors));
    const label = labelAttribute(this.ctx.structure, sourceTypeId);
    const labelTarget = label === undefined ? undefined : this.ctx.map.attributes[label.id];
    const kept: ObjectIn['attributes'] = [];
    const drop: string[] = [];
    for (const a of body.attributes) {
      const id = String(a.objectTypeAttributeId);
      if (!refused.has(id)) {
        kept.push(a);
        continue;
      }
      if (id === labelTarget || this.required(id)) return undefined;
      drop.push(id);
    }
    if (drop.length === 0 || drop.length < refused.size) return undefined;
    for (const id of drop) {
      const name = this.attributeName(id);
      warnings.push(`"${name}": value refused by the target (${err.attributeErrors[id] ?? 'invalid'}); not restored`);
    }
    return { ...body, attributes: kept };
  }

  private required(targetAttributeId: string): boolean {
    for (const [source, target] of Object.entries(this.ctx.map.attributes)) {
      if (target !== targetAttributeId) continue;
      const def = this.ctx.structure.attributeById.get(source);
      if ((def?.minimumCardinality ?? 0) >= 1 && !this.ctx.map.relaxed.some((r) => r.attributeId === target))
        return true;
    }
    return false;
  }

  private attributeName(targetAttributeId: string): string {
    for (const [source, target] of Object.entries(this.ctx.map.attributes))
      if (target === targetAttributeId) return this.ctx.structure.attributeById.get(source)?.name ?? target;
    return targetAttributeId;
  }

  private outcome(
    item: Item,
    fields: Pick<ObjectOutcome, 'action' | 'referencesPending' | 'warnings' | 'errors'> & {
      targetId?: string;
      targetKey?: string;
    },
  ): ObjectOutcome {
    return outcomeOf(this.ctx.graph, this.ctx.structure, item.index, { at: this.ctx.now().toISOString(), ...fields });
  }

  private created(item: Item, obj: AssetObject, referencesPending: boolean, warnings: string[], found: boolean): void {
    const { ctx } = this;
    if (found) ctx.counts.lookupsFound++;
    ctx.book.settle(item.index, CREATED, obj.id, obj.objectKey);
    if (referencesPending) ctx.book.referencesPending[item.index] = 1;
    ctx.counts.created++;
    ctx.counts.warnings += warnings.length;
    this.checkpoints.outcomes.add(
      this.outcome(item, {
        action: 'created',
        targetId: obj.id,
        targetKey: obj.objectKey,
        referencesPending,
        warnings,
        errors: [],
      }),
    );
    this.release(item.index);
    ctx.onOutcome();
  }

  private failed(item: Item, errors: string[], warnings: string[]): void {
    const { ctx } = this;
    ctx.book.settle(item.index, FAILED);
    ctx.counts.failed++;
    ctx.counts.warnings += warnings.length;
    ctx.emit({ type: 'object_failed', sourceId: item.record.id });
    this.checkpoints.outcomes.add(this.outcome(item, { action: 'failed', referencesPending: false, warnings, errors }));
    this.release(item.index);
    ctx.onOutcome();
  }

  private storeFailure(err: unknown): void {
    this.ctx.stop.reason ??= {
      kind: 'circuit_open',
      message: `The checkpoint store failed: ${(err as Error).message}`,
    };
    this.ctx.hard.abort(err);
  }

  /** 5xx after retries, network failures, exhausted 429s: once more at the end of the pass, then failed. */
  private nonValidationFailure(
    item: { index: number; record: ObjectRecord; retried: boolean },
    err: unknown,
    retry: { index: number }[],
    onFail?: (errors: string[]) => void,
  ): void {
    const { ctx } = this;
    if (!(err instanceof AssetsApiError || err instanceof AssetsTransportError || err instanceof AmbiguousCreateError))
      throw err;
    if (err instanceof AssetsApiError && (err.status === 401 || err.status === 403)) {
      ctx.stop.reason ??= {
        kind: 'target_unauthorized',
        message: `The target refused the credentials (${err.status})`,
      };
      ctx.hard.abort(err);
      return;
    }
    this.consecutiveFailures++;
    const code = err.code;
    if (this.consecutiveFailures >= ctx.tuning.circuitBreakerThreshold) {
      ctx.emit({ type: 'circuit_open', failures: this.consecutiveFailures });
      ctx.stop.reason ??= {
        kind: 'circuit_open',
        message: `The target failed ${this.consecutiveFailures} times in a row (last: ${(err as Error).message})`,
      };
      ctx.hard.abort(err);
      return;
    }
    if (!item.retried) {
      item.retried = true;
      ctx.emit({ type: 'retry_later', sourceId: item.record.id, code });
      retry.push(item);
      return;
    }
    const errors = [(err as Error).message];
    if (onFail) onFail(errors);
    else this.failed(item as Item, errors, []);
  }

  // -------------------------------------------------------------------------------------------
  // lookups

  /**
   * The object a create of `body` made, if it happened: same type and label, created after the
   * intent (less the clock skew tolerance), not given to another source object, every
   * non-reference value equal. Looks twice (AQL indexing lags behind creates) before saying no.
   */
  async lookup(record: ObjectRecord, body: ObjectIn, intentAt: string): Promise<AssetObject | undefined> {
    const { ctx } = this;
    ctx.counts.lookups++;
    const name = labelName(ctx.structure, record.objectTypeId);
    if (name === undefined) return undefined;
    const since = Date.parse(intentAt) - ctx.tuning.clockSkewToleranceMs;
    const wanted = new Map([...bodyValues(body)].filter(([id]) => this.kindOf(id) !== AttributeKind.Reference));
    const ql = `objectTypeId = ${String(body.objectTypeId)} AND ${aqlString(name)} = ${aqlString(record.label)}`;
    for (let look = 0; look < 2; look++) {
      if (look > 0) await delay(ctx.tuning.lookupSettleMs, ctx.hard.signal);
      const matches: AssetObject[] = [];
      ctx.calls.lookups++;
      for await (const o of ctx.client.aqlObjects(ql, {
        includeAttributes: true,
        pageSize: 50,
        signal: ctx.hard.signal,
      })) {
        if (o.label !== record.label || Date.parse(o.created) < since || ctx.book.assigned.has(o.id)) continue;
        const actual = targetValues(o, this.kindOf);
        let same = true;
        for (const [attr, values] of wanted) if (!sameList(values, actual.get(attr) ?? [])) same = false;
        if (same) matches.push(o);
      }
      matches.sort((a, b) => Date.parse(a.created) - Date.parse(b.created) || Number(a.id) - Number(b.id));
      const found = matches[0];
      ctx.emit({ type: 'lookup', sourceId: record.id, found: found !== undefined });
      if (found !== undefined) {
        ctx.book.assigned.add(found.id);
        return found;
      }
    }
    return undefined;
  }

  // -------------------------------------------------------------------------------------------
  // reference pass

  /** Sets the references left for later (cycles, forward references, recovered objects). Returns false when stopped. */
  async runReferencePass(): Promise<boolean> {
    const { ctx } = this;
    const { book, graph } = ctx;
    const retry: RefItem[] = [];
    const queue: WorkQueue<RefItem> = new WorkQueue(ctx.tuning.concurrency, (item) =>
      this.updateReferences(item, retry),
    );
    const stopQueue = () => queue.stop();
    ctx.signal?.addEventListener('abort', stopQueue, { once: true });
    try {
      for await (const r of ctx.snapshot.records()) {
        if (this.stopped() || queue.isStopped) break;
        if (r.kind !== 'object') continue;
        const i = graph.index.get(r.id);
        if (
          i === undefined ||
          book.status[i] !== CREATED ||
          book.referencesPending[i] !== 1 ||
          book.referencesDone[i] === 1
        )
          continue;
        queue.push({ index: i, record: r, retried: false });
        await queue.below(ctx.tuning.concurrency * 4);
      }
      for (;;) {
        await queue.idle();
        if (this.stopped() || queue.isStopped || retry.length === 0) break;
        for (const item of retry.splice(0)) queue.push(item);
      }
    } finally {
      ctx.signal?.removeEventListener('abort', stopQueue);
      queue.stop();
      await this.settle(queue);
    }
    return !this.stopped();
  }

  private async updateReferences(item: RefItem, retry: RefItem[]): Promise<void> {
    const { ctx } = this;
    const i = item.index;
    const { body, warnings } = buildReferenceBody(this.values, item.record);
    const done = (status: ReferenceUpdate['status'], errors: string[]) => {
      ctx.book.referencesDone[i] = 1;
      if (status === 'done') ctx.counts.referencesSet++;
      else ctx.counts.referencesFailed++;
      ctx.counts.warnings += warnings.length;
      this.checkpoints.references.add({
        sourceId: item.record.id,
        status,
        at: ctx.now().toISOString(),
        warnings,
        errors,
      });
      ctx.onOutcome();
    };
    if (body === undefined) return done('done', []);
    const targetId = ctx.book.targetIds[i];
    if (targetId === undefined) return done('failed', ['The object has no target id']);
    try {
      ctx.calls.objectUpdates++;
      await ctx.client.updateObject(targetId, body, { signal: ctx.hard.signal });
      this.consecutiveFailures = 0;
      done('done', []);
    } catch (err) {
      if (isAbort(err, ctx)) return;
      if (err instanceof AssetsApiError && err.status === 400) return done('failed', validationMessages(err));
      this.nonValidationFailure(item, err, retry, (errors) => done('failed', errors));
    }
  }
}

interface RefItem {
  index: number;
  record: ObjectRecord;
  retried: boolean;
}

/** The messages of a 400, attribute by attribute. */
export function validationMessages(err: AssetsApiError): string[] {
  const out = [...err.errorMessages];
  for (const [id, m] of Object.entries(err.attributeErrors)) out.push(`attribute ${id}: ${m}`);
  for (const [f, m] of Object.entries(err.fieldErrors)) out.push(`${f}: ${m}`);
  return out.length > 0 ? out : [err.message];
}

/** The outcome row of backup object `i` (its ids, key and type from the graph). */
export function outcomeOf(
  graph: ObjectGraph,
  structure: SnapshotStructure,
  i: number,
  fields: Omit<ObjectOutcome, 'sourceId' | 'sourceKey' | 'sourceObjectTypeId' | 'objectTypeName'>,
): ObjectOutcome {
  const typeId = graph.typeIds[i] ?? '';
  return {
    sourceId: graph.ids[i] ?? '',
    sourceKey: graph.keys[i] ?? '',
    sourceObjectTypeId: typeId,
    objectTypeName: structure.typeById.get(typeId)?.name ?? typeId,
    ...fields,
  };
}
