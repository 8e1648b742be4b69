/**
 * The order objects are created in, so that a create can carry its references (the target object
 * exists already) wherever possible, with bounded memory, bounded snapshot passes and bounded chains
 * of creates that wait for one another (assets-cloud-api.md §8 rule 3).
 *
 * 1. Cycles: strongly connected components of the reference graph (Tarjan). In each cycle a few
 *    objects are chosen (greedy feedback vertex set) to be created without references and completed
 *    by a later `PUT` ("pending"); the rest becomes acyclic.
 * 2. Depth: a chain of creates each waiting for the previous one's id runs at one request per round
 *    trip, so no chain may be longer than `maxDepth`: the object that would exceed it becomes pending
 *    (one extra call per `maxDepth` objects of a long chain instead of a serial crawl).
 * 3. Passes: a pass streams the snapshot in its order. An object whose references point later in the
 *    stream waits in a buffer until they are created; when the buffer is full it moves to the next
 *    pass (objects created in earlier passes are all there); on the last pass it becomes pending.
 *    This is simulated here with the real rules, so the plan is exact and the buffer bounded.
 */

export interface OrderingInput {
  count: number;
  /** 1 for objects this run creates; references to any other object never wait */
  toCreate: Uint8Array;
  /** CSR of each object's referenced objects (object indices, stream order = index order) */
  refStart: Int32Array;
  refTargets: Int32Array;
  maxDepth: number;
  maxPasses: number;
  maxBuffered: number;
}

export interface Ordering {
  /** 0-based pass of each object to create; -1 for the others */
  pass: Int8Array;
  /** created without reference values; a later `PUT` sets them all */
  pending: Uint8Array;
  passes: number;
  pendingCount: number;
  /** largest number of objects the simulation held in the buffer */
  peakBuffered: number;
}

/** Computes the plan described in the module comment. Deterministic for the same input. */
export function planOrdering(input: OrderingInput): Ordering {
  if (input.maxDepth < 1 || input.maxPasses < 1 || input.maxBuffered < 0)
    throw new RangeError('maxDepth and maxPasses must be at least 1, maxBuffered at least 0');
  const pending = new Uint8Array(input.count);
  breakCyclesAndChains(input, pending);
  const { pass, passes, peakBuffered } = simulatePasses(input, pending);
  let pendingCount = 0;
  for (let i = 0; i < input.count; i++) if (input.toCreate[i] === 1 && pending[i] === 1) pendingCount++;
  return { pass, pending, passes, pendingCount, peakBuffered };
}

/** The targets of `v` that are created by this run, self excluded. */
function* deps(input: OrderingInput, v: number): Generator<number> {
  const end = input.refStart[v + 1] ?? 0;
  for (let k = input.refStart[v] ?? 0; k < end; k++) {
    const w = input.refTargets[k] ?? -1;
    if (w !== v && w >= 0 && input.toCreate[w] === 1) yield w;
  }
}

function hasSelfReference(input: OrderingInput, v: number): boolean {
  const end = input.refStart[v + 1] ?? 0;
  for (let k = input.refStart[v] ?? 0; k < end; k++) if (input.refTargets[k] === v) return true;
  return false;
}

/** Marks pending objects: one per cycle at least (feedback vertex set) and one per `maxDepth` of a chain. */
function breakCyclesAndChains(input: OrderingInput, pending: Uint8Array): void {
  const level = new Int32Array(input.count);
  const place = (v: number) => {
    if (pending[v] === 1) {
      level[v] = 0;
      return;
    }
    let depth = 0;
    for (const w of deps(input, v)) depth = Math.max(depth, (level[w] ?? 0) + 1);
    if (depth > input.maxDepth - 1) {
      pending[v] = 1;
      depth = 0;
    }
    level[v] = depth;
  };
  for (const component of stronglyConnectedComponents(input)) {
    // an object that references itself cannot carry that reference in its own create
    for (const v of component) if (hasSelfReference(input, v)) pending[v] = 1;
    const order = component.length === 1 ? component : orderCycle(input, component, pending);
    for (const v of order) place(v);
  }
}

/**
 * Tarjan's algorithm without recursion (a chain of 100,000 references would overflow the stack).
 * Components come out dependencies first: every component after all components it references.
 */
function stronglyConnectedComponents(input: OrderingInput): number[][] {
  const n = input.count;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  const frames: { v: number; edge: number }[] = [];
  for (let s = 0; s < n; s++) {
    if (input.toCreate[s] !== 1 || (index[s] ?? 0) >= 0) continue;
    frames.push({ v: s, edge: -1 });
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as { v: number; edge: number };
      const v = frame.v;
      if (frame.edge < 0) {
        index[v] = low[v] = counter++;
        stack.push(v);
        onStack[v] = 1;
        frame.edge = input.refStart[v] ?? 0;
      }
      const end = input.refStart[v + 1] ?? 0;
      let descended = false;
      while (frame.edge < end) {
        const w = input.refTargets[frame.edge++] ?? -1;
        if (w < 0 || input.toCreate[w] !== 1) continue;
        if ((index[w] ?? 0) < 0) {
          frames.push({ v: w, edge: -1 });
          descended = true;
          break;
        }
        if (onStack[w] === 1) low[v] = Math.min(low[v] ?? 0, index[w] ?? 0);
      }
      if (descended) continue;
      if (low[v] === index[v]) {
        const component: number[] = [];
        for (;;) {
          const w = stack.pop() ?? v;
          onStack[w] = 0;
          component.push(w);
          if (w === v) break;
        }
        out.push(component.sort((a, b) => a - b));
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent !== undefined) low[parent.v] = Math.min(low[parent.v] ?? 0, low[v] ?? 0);
    }
  }
  return out;
}

/**
 * Orders the objects of one cycle-bearing component so that every non-pending object comes after
 * the objects it references, marking as few pending as the greedy rule finds: objects that reference
 * nothing left in the component go first, objects nothing left references go last, and when neither
 * exists the object with the most references in and out (fewest ids first on ties) is made pending.
 */
function orderCycle(input: OrderingInput, component: number[], pending: Uint8Array): number[] {
  const local = new Map<number, number>();
  component.forEach((v, i) => local.set(v, i));
  const k = component.length;
  const out: number[][] = Array.from({ length: k }, () => []);
  const into: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < k; i++) {
    const v = component[i] ?? 0;
    for (const w of deps(input, v)) {
      const j = local.get(w);
      if (j === undefined) continue;
      out[i]?.push(j);
      into[j]?.push(i);
    }
  }
  const outDeg = Int32Array.from(out, (l) => l.length);
  const inDeg = Int32Array.from(into, (l) => l.length);
  const removed = new Uint8Array(k);
  const front: number[] = [];
  const back: number[] = [];
  const sinks: number[] = [];
  const sources: number[] = [];
  const heap = new MaxHeap();
  const score = (i: number) => (inDeg[i] ?? 0) * (outDeg[i] ?? 0);
  for (let i = 0; i < k; i++) {
    if (pending[component[i] ?? 0] === 1) sinks.push(i);
    else if (outDeg[i] === 0) sinks.push(i);
    else if (inDeg[i] === 0) sources.push(i);
    else heap.push(score(i), i);
  }
  const remove = (i: number) => {
    removed[i] = 1;
    for (const j of out[i] ?? []) {
      if (removed[j] === 1) continue;
      const d = (inDeg[j] ?? 0) - 1;
      inDeg[j] = d;
      if (d === 0) sources.push(j);
      else heap.push(score(j), j);
    }
    for (const j of into[i] ?? []) {
      if (removed[j] === 1) continue;
      const d = (outDeg[j] ?? 0) - 1;
      outDeg[j] = d;
      if (d === 0) sinks.push(j);
      else heap.push(score(j), j);
    }
  };
  let left = k;
  while (left > 0) {
    const sink = sinks.pop();
    if (sink !== undefined) {
      if (removed[sink] === 1) continue;
      front.push(sink);
      remove(sink);
      left--;
      continue;
    }
    const source = sources.pop();
    if (source !== undefined) {
      if (removed[source] === 1) continue;
      back.push(source);
      remove(source);
      left--;
      continue;
    }
    const top = heap.pop((s, i) => removed[i] !== 1 && s === score(i));
    if (top === undefined) break;
    pending[component[top] ?? 0] = 1;
    front.push(top);
    remove(top);
    left--;
  }
  return [...front, ...back.reverse()].map((i) => component[i] ?? 0);
}

/** A max-heap of (score, id) with lazy deletion: stale entries are skipped when popped. */
class MaxHeap {
  private readonly scores: number[] = [];
  private readonly ids: number[] = [];

  push(score: number, id: number): void {
    this.scores.push(score);
    this.ids.push(id);
    let i = this.scores.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** The best entry that `valid` accepts; stale ones are dropped on the way. */
  pop(valid: (score: number, id: number) => boolean): number | undefined {
    while (this.scores.length > 0) {
      const score = this.scores[0] ?? 0;
      const id = this.ids[0] ?? 0;
      const lastScore = this.scores.pop() ?? 0;
      const lastId = this.ids.pop() ?? 0;
      if (this.scores.length > 0) {
        this.scores[0] = lastScore;
        this.ids[0] = lastId;
        this.sinkDown(0);
      }
      if (valid(score, id)) return id;
    }
    return undefined;
  }

  /** higher score first, then the smaller id (deterministic) */
  private before(a: number, b: number): boolean {
    const sa = this.scores[a] ?? 0,
      sb = this.scores[b] ?? 0;
    return sa > sb || (sa === sb && (this.ids[a] ?? 0) < (this.ids[b] ?? 0));
  }

  private swap(a: number, b: number): void {
    [this.scores[a], this.scores[b]] = [this.scores[b] ?? 0, this.scores[a] ?? 0];
    [this.ids[a], this.ids[b]] = [this.ids[b] ?? 0, this.ids[a] ?? 0];
  }

  private sinkDown(i: number): void {
    const n = this.scores.length;
    for (;;) {
      const l = 2 * i + 1,
        r = l + 1;
      let best = i;
      if (l < n && this.before(l, best)) best = l;
      if (r < n && this.before(r, best)) best = r;
      if (best === i) return;
      this.swap(i, best);
      i = best;
    }
  }
}

const UNDECIDED = 0,
  BUFFERED = 1,
  CREATED = 2,
  POSTPONED = 3;

/**
 * Plays the object passes with instant creates: which pass each object is created in, given the
 * buffer limit. The engine runs the same rules, so its buffer holds about what this one held.
 */
function simulatePasses(
  input: OrderingInput,
  pending: Uint8Array,
): { pass: Int8Array; passes: number; peakBuffered: number } {
  const n = input.count;
  const pass = new Int8Array(n).fill(-1);
  const created = new Uint8Array(n);
  let undecided: number[] = [];
  for (let i = 0; i < n; i++) if (input.toCreate[i] === 1) undecided.push(i);
  let passes = 0;
  let peakBuffered = 0;
  for (let p = 0; p < input.maxPasses && undecided.length > 0; p++) {
    passes = p + 1;
    const last = p === input.maxPasses - 1;
    const status = new Uint8Array(n);
    const remaining = new Int32Array(n);
    const waiters = new Map<number, number[]>();
    const next: number[] = [];
    let buffered = 0;

    const create = (v: number) => {
      const work = [v];
      while (work.length > 0) {
        const u = work.pop() ?? 0;
        status[u] = CREATED;
        created[u] = 1;
        pass[u] = p;
        for (const w of waiters.get(u) ?? []) {
          if (status[w] !== BUFFERED) continue;
          const r = (remaining[w] ?? 0) - 1;
          remaining[w] = r;
          if (r === 0) {
            buffered--;
            work.push(w);
          }
        }
        waiters.delete(u);
      }
    };
    const postpone = (v: number) => {
      const work = [v];
      while (work.length > 0) {
        const u = work.pop() ?? 0;
        if (status[u] === BUFFERED) buffered--;
        status[u] = POSTPONED;
        next.push(u);
        for (const w of waiters.get(u) ?? []) if (status[w] === BUFFERED) work.push(w);
        waiters.delete(u);
      }
    };

    for (const v of undecided) {
      if (status[v] !== UNDECIDED) continue;
      if (pending[v] === 1) {
        create(v);
        continue;
      }
      let unresolved = 0;
      let blocked = false;
      for (const w of deps(input, v)) {
        if (created[w] === 1) continue;
        if (status[w] === POSTPONED) blocked = true;
        unresolved++;
      }
      if (blocked) postpone(v);
      else if (unresolved === 0) create(v);
      else if (buffered < input.maxBuffered) {
        status[v] = BUFFERED;
        buffered++;
        peakBuffered = Math.max(peakBuffered, buffered);
        remaining[v] = unresolved;
        for (const w of deps(input, v)) {
          if (created[w] === 1) continue;
          let list = waiters.get(w);
          if (list === undefined) waiters.set(w, (list = []));
          list.push(v);
        }
      } else if (last) {
        pending[v] = 1;
        create(v);
      } else postpone(v);
    }
    // objects still waiting wait on postponed ones (cascades above), or on nothing on the last pass
    for (const v of undecided) {
      if (status[v] !== BUFFERED) continue;
      if (last) {
        pending[v] = 1;
        create(v);
      } else postpone(v);
    }
    undecided = [...new Set(next)].sort((a, b) => a - b);
  }
  return { pass, passes, peakBuffered };
}
