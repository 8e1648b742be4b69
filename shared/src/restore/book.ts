/**
 * The engine's in-memory view of every object of the backup: its outcome so far and its target id
 * and key (the old → new id map), rebuilt from the checkpoint store at the start of each run. Typed
 * arrays indexed by stream position keep 100,000 objects to a few megabytes.
 */
import type { ObjectGraph } from './analysis.js';
import type { ObjectAction, ObjectCheckpointRow } from './types.js';
import type { ReferenceTarget } from './values.js';

export const NONE = 0,
  CREATED = 1,
  SKIPPED = 2,
  FAILED = 3,
  EXCLUDED = 4;

const ACTION_STATUS: Record<ObjectAction, number> = {
  created: CREATED,
  skipped: SKIPPED,
  failed: FAILED,
  excluded: EXCLUDED,
};

export class ObjectBook {
  readonly status: Uint8Array;
  readonly targetIds: (string | undefined)[];
  readonly targetKeys: (string | undefined)[];
  /** the last intent's attempt number */
  readonly attempts: Uint16Array;
  /** time of an intent that has no outcome yet: the create may have happened, look before creating */
  readonly openIntents = new Map<number, string>();
  readonly referencesPending: Uint8Array;
  readonly referencesDone: Uint8Array;
  /** 1 = this restore handles the object (excluded ones are 0) */
  readonly inScope: Uint8Array;
  /** target ids already given to a source object (a lookup must not hand one out twice) */
  readonly assigned = new Set<string>();

  constructor(readonly graph: ObjectGraph) {
    const n = graph.count;
    this.status = new Uint8Array(n);
    this.targetIds = new Array<string | undefined>(n);
    this.targetKeys = new Array<string | undefined>(n);
    this.attempts = new Uint16Array(n);
    this.referencesPending = new Uint8Array(n);
    this.referencesDone = new Uint8Array(n);
    this.inScope = new Uint8Array(n);
  }

  /** Loads what earlier runs recorded. Rows of objects the backup does not have are ignored. */
  load(row: ObjectCheckpointRow): void {
    const i = this.graph.index.get(row.sourceId);
    if (i === undefined) return;
    if (row.intent !== undefined) this.attempts[i] = Math.max(this.attempts[i] ?? 0, row.intent.attempt);
    const o = row.outcome;
    if (o === undefined) {
      if (row.intent !== undefined) this.openIntents.set(i, row.intent.at);
      return;
    }
    this.settle(i, ACTION_STATUS[o.action], o.targetId, o.targetKey);
    if (o.referencesPending) this.referencesPending[i] = 1;
    if (row.references !== undefined) this.referencesDone[i] = 1;
  }

  settle(i: number, status: number, targetId?: string, targetKey?: string): void {
    this.status[i] = status;
    this.openIntents.delete(i);
    if (targetId !== undefined) {
      this.targetIds[i] = targetId;
      this.assigned.add(targetId);
    }
    if (targetKey !== undefined) this.targetKeys[i] = targetKey;
  }

  /** Where a reference to the source object `sourceId` stands. */
  reference(sourceId: string): ReferenceTarget {
    const i = this.graph.index.get(sourceId);
    if (i === undefined) return { state: 'missing' };
    if (this.inScope[i] !== 1) return { state: 'excluded' };
    switch (this.status[i]) {
      case CREATED:
      case SKIPPED:
        return { state: 'mapped', targetId: this.targetIds[i] ?? '' };
      case FAILED:
        return { state: 'failed' };
      case EXCLUDED:
        return { state: 'excluded' };
      default:
        return { state: 'waiting' };
    }
  }

  /** Objects this restore handles and how many of them have an outcome. */
  progress(): { total: number; done: number } {
    let total = 0,
      done = 0;
    for (let i = 0; i < this.graph.count; i++) {
      if (this.inScope[i] !== 1) continue;
      total++;
      if (this.status[i] !== NONE) done++;
    }
    return { total, done };
  }
}
