/**
 * Id allocation of one emulated site. Real sites allocate ids workspace-wide and never reuse them,
 * so the ids a schema sees are sparse: other schemas, deleted objects and old imports took the gaps
 * (assets-cloud-api.md §8). The emulator reproduces that by default, with gaps drawn from a
 * sequence seeded by the site, so a run is repeatable; the `denseIds` knob gives 1, 2, 3, … for
 * tests that want readable ids.
 */
import { Rng } from './random.js';

export type IdKind = 'schema' | 'type' | 'attribute' | 'object' | 'status' | 'referenceType' | 'icon' | 'history';

/** Where a sparse sequence starts: far enough apart that two kinds rarely share an id. */
const SPARSE_START: Record<IdKind, [number, number]> = {
  schema: [2, 40],
  type: [40, 400],
  attribute: [400, 4_000],
  object: [1_000, 60_000],
  status: [2, 60],
  referenceType: [2, 60],
  // after the fixed global catalog (1…GLOBAL_ICON_NAMES.length)
  icon: [200, 2_000],
  history: [10_000, 200_000],
};

export class IdSequence {
  private last = 0;
  private readonly rng: Rng;

  constructor(
    private readonly kind: IdKind,
    seed: string,
    private readonly dense: () => boolean,
    /** the first dense id is `denseStart + 1` */
    private readonly denseStart = 0,
  ) {
    this.rng = new Rng(`${seed}:ids:${kind}`);
    this.last = denseStart;
  }

  /** The next id: always larger than every id handed out before. */
  next(): number {
    if (this.dense()) return ++this.last;
    if (this.last === this.denseStart) {
      const [min, max] = SPARSE_START[this.kind];
      this.last = Math.max(this.last, this.rng.int(min, max) - 1);
    }
    // mostly small steps, sometimes a run someone else took, rarely a big import in between
    const roll = this.rng.next();
    const step = roll < 0.6 ? this.rng.int(1, 3) : roll < 0.95 ? this.rng.int(4, 40) : this.rng.int(100, 2_000);
    this.last += step;
    return this.last;
  }
}

/** The id sequences of one site's store. */
export class SiteIds {
  readonly schema: IdSequence;
  readonly type: IdSequence;
  readonly attribute: IdSequence;
  readonly object: IdSequence;
  readonly status: IdSequence;
  readonly referenceType: IdSequence;
  readonly icon: IdSequence;
  readonly history: IdSequence;

  constructor(seed: string, dense: () => boolean, globalIconCount: number) {
    const seq = (kind: IdKind, denseStart = 0) => new IdSequence(kind, seed, dense, denseStart);
    this.schema = seq('schema');
    this.type = seq('type');
    this.attribute = seq('attribute');
    this.object = seq('object');
    this.status = seq('status');
    this.referenceType = seq('referenceType');
    this.icon = seq('icon', globalIconCount);
    this.history = seq('history');
  }
}
