/**
 * The in-memory checkpoint store (tests, benchmarks, scripts). It keeps the same contract as the
 * vault's Postgres store: upserts by source id, log rows in the order outcomes were first recorded,
 * and copies in and out so a caller cannot alter what was "persisted".
 */
import type {
  IssueFieldResult,
  ObjectCheckpointRow,
  ObjectIntent,
  ObjectOutcome,
  ReferenceUpdate,
  RestoreCheckpointStore,
  RestoreLogRow,
  RestoreState,
} from './types.js';

export interface MemoryCheckpointStore extends RestoreCheckpointStore {
  /** calls per method, to check that writes are batched */
  readonly writes: { state: number; intents: number; outcomes: number; references: number; issues: number };
  /** rows by source id (a copy) */
  snapshotRows(): Map<string, ObjectCheckpointRow>;
}

const copy = <T>(v: T): T => structuredClone(v);

/** The log row of an object: its outcome, with the warnings and errors of its later reference update. */
export function logRowOf(o: ObjectOutcome, references: ReferenceUpdate | undefined): RestoreLogRow {
  return {
    objectTypeName: o.objectTypeName,
    sourceObjectTypeId: o.sourceObjectTypeId,
    sourceId: o.sourceId,
    sourceKey: o.sourceKey,
    ...(o.targetId === undefined ? {} : { targetId: o.targetId }),
    ...(o.targetKey === undefined ? {} : { targetKey: o.targetKey }),
    action: o.action,
    warnings: [...o.warnings, ...(references?.warnings ?? [])],
    errors: [...o.errors, ...(references?.errors ?? [])],
  };
}

/** A fresh, empty in-memory store. */
export function createMemoryCheckpointStore(): MemoryCheckpointStore {
  let state: RestoreState | undefined;
  const rows = new Map<string, ObjectCheckpointRow>();
  /** source ids in the order their first outcome arrived */
  const outcomeOrder: string[] = [];
  const issues = new Map<string, IssueFieldResult>();
  const writes = { state: 0, intents: 0, outcomes: 0, references: 0, issues: 0 };
  const row = (sourceId: string): ObjectCheckpointRow => {
    let r = rows.get(sourceId);
    if (r === undefined) rows.set(sourceId, (r = { sourceId }));
    return r;
  };
  return {
    writes,
    snapshotRows: () => copy(rows),
    async loadState() {
      return state === undefined ? undefined : copy(state);
    },
    async saveState(next) {
      writes.state++;
      state = copy(next);
    },
    async recordIntents(intents: ObjectIntent[]) {
      writes.intents++;
      for (const i of intents) row(i.sourceId).intent = copy(i);
    },
    async recordOutcomes(outcomes: ObjectOutcome[]) {
      writes.outcomes++;
      for (const o of outcomes) {
        const r = row(o.sourceId);
        if (r.outcome === undefined) outcomeOrder.push(o.sourceId);
        r.outcome = copy(o);
      }
    },
    async recordReferenceUpdates(updates: ReferenceUpdate[]) {
      writes.references++;
      for (const u of updates) row(u.sourceId).references = copy(u);
    },
    async *objectRows() {
      for (const r of [...rows.values()]) yield copy(r);
    },
    async *logRows(): AsyncGenerator<RestoreLogRow> {
      for (const id of [...outcomeOrder]) {
        const r = rows.get(id);
        const o = r?.outcome;
        if (r === undefined || o === undefined) continue;
        yield logRowOf(o, r.references);
      }
    },
    async recordIssueFieldResults(results: IssueFieldResult[]) {
      writes.issues++;
      for (const r of results) issues.set(r.issueId, copy(r));
    },
    async *issueFieldResults() {
      for (const r of [...issues.values()]) yield copy(r);
    },
  };
}
