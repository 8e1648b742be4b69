/**
 * The create order (ordering.ts) on graphs with known answers, and a checker that replays any plan:
 * a non-pending object never waits for an object of a later pass, waits only on objects the same pass
 * creates, no chain of waiting creates is longer than maxDepth, the buffer stays within its limit,
 * and every cycle has a pending object.
 */
import { planOrdering, type Ordering } from '../src/restore/ordering.js';
import { rewriteAql } from '../src/restore/aql-rewrite.js';

interface Graph {
  count: number;
  refs: number[][];
}

function input(
  g: Graph,
  opts: { maxDepth?: number; maxPasses?: number; maxBuffered?: number; toCreate?: number[] } = {},
) {
  const refStart = new Int32Array(g.count + 1);
  const targets: number[] = [];
  for (let i = 0; i < g.count; i++) {
    refStart[i] = targets.length;
    targets.push(...(g.refs[i] ?? []));
  }
  refStart[g.count] = targets.length;
  const toCreate = new Uint8Array(g.count).fill(1);
  for (const i of opts.toCreate ?? []) toCreate[i] = 0;
  return {
    count: g.count,
    toCreate,
    refStart,
    refTargets: Int32Array.from(targets),
    maxDepth: opts.maxDepth ?? 12,
    maxPasses: opts.maxPasses ?? 4,
    maxBuffered: opts.maxBuffered ?? 1000,
  };
}

/** Replays the plan in stream order with instant creates and checks every rule. Returns the problems found. */
function problems(
  g: Graph,
  plan: Ordering,
  opts: { maxDepth: number; maxBuffered: number; toCreate?: Uint8Array },
): string[] {
  const out: string[] = [];
  const created = new Uint8Array(g.count);
  const depth = new Int32Array(g.count);
  const create = (v: number) => !opts.toCreate || opts.toCreate[v] === 1;
  for (let p = 0; p < plan.passes; p++) {
    const waiting = new Set<number>();
    let peak = 0;
    const tryCreate = (v: number): boolean => {
      if (plan.pending[v] === 1) {
        depth[v] = 0;
        created[v] = 1;
        return true;
      }
      const deps = (g.refs[v] ?? []).filter((w) => w !== v && create(w));
      if (deps.some((w) => created[w] !== 1)) return false;
      depth[v] = Math.max(0, ...deps.map((w) => (depth[w] ?? 0) + 1));
      if ((depth[v] ?? 0) > opts.maxDepth - 1) out.push(`object ${v}: chain of ${(depth[v] ?? 0) + 1}`);
      created[v] = 1;
      return true;
    };
    for (let v = 0; v < g.count; v++) {
      if (plan.pass[v] !== p) continue;
      for (const w of g.refs[v] ?? []) {
        if (w !== v && create(w) && plan.pending[v] !== 1 && (plan.pass[w] ?? 0) > p)
          out.push(`object ${v} waits for ${w} of a later pass`);
      }
      if (!tryCreate(v)) waiting.add(v);
      let progress = true;
      while (progress) {
        progress = false;
        for (const w of [...waiting])
          if (tryCreate(w)) {
            waiting.delete(w);
            progress = true;
          }
      }
      peak = Math.max(peak, waiting.size);
    }
    if (waiting.size > 0) out.push(`pass ${p} ends with ${waiting.size} objects waiting`);
    if (peak > opts.maxBuffered) out.push(`pass ${p} buffered ${peak} objects`);
  }
  for (let v = 0; v < g.count; v++) if (create(v) && created[v] !== 1) out.push(`object ${v} never created`);
  return out;
}

const ring = (n: number, offset = 0): number[][] => Array.from({ length: n }, (_, i) => [offset + ((i + 1) % n)]);

test('a ring referencing forward: one pending object, chains cut at maxDepth, one pass, a small buffer', () => {
  const g = { count: 1000, refs: ring(1000) };
  const plan = planOrdering(input(g, { maxDepth: 10 }));
  expect(plan.passes).toBe(1);
  expect(problems(g, plan, { maxDepth: 10, maxBuffered: 1000 })).toEqual([]);
  // one per cycle plus one per 10 objects of the chain it leaves
  expect(plan.pendingCount).toBeGreaterThanOrEqual(100);
  expect(plan.pendingCount).toBeLessThanOrEqual(101);
  expect(plan.peakBuffered).toBeLessThan(10);
});

test('references backward only (the usual case): nothing pending when chains are short', () => {
  const refs = Array.from({ length: 500 }, (_, i) => (i === 0 ? [] : [Math.floor((i - 1) / 4)]));
  const plan = planOrdering(input({ count: 500, refs }));
  expect(plan.pendingCount).toBe(0);
  expect(plan.passes).toBe(1);
  expect(plan.peakBuffered).toBe(0);
});

test('self-references and two-object cycles always get a pending object', () => {
  const refs = [[0], [2], [1], [3, 1]];
  const plan = planOrdering(input({ count: 4, refs }));
  expect(plan.pending[0]).toBe(1);
  expect((plan.pending[1] ?? 0) + (plan.pending[2] ?? 0)).toBe(1);
  expect(plan.pending[3]).toBe(1);
  expect(problems({ count: 4, refs }, plan, { maxDepth: 12, maxBuffered: 1000 })).toEqual([]);
});

test('a full buffer moves objects to the next pass; on the last pass they are created with references later', () => {
  // 200 objects each referencing an object 200 positions later
  const refs = Array.from({ length: 400 }, (_, i) => (i < 200 ? [i + 200] : []));
  const g = { count: 400, refs };
  const two = planOrdering(input(g, { maxBuffered: 50, maxPasses: 2 }));
  expect(two.passes).toBe(2);
  expect(problems(g, two, { maxDepth: 12, maxBuffered: 50 })).toEqual([]);
  expect(two.pendingCount).toBe(0);
  const one = planOrdering(input(g, { maxBuffered: 50, maxPasses: 1 }));
  expect(one.passes).toBe(1);
  expect(one.pendingCount).toBe(150);
  expect(two.pass.filter((p) => p === 1)).toHaveLength(150);
  expect(problems(g, one, { maxDepth: 12, maxBuffered: 50 })).toEqual([]);
});

test('random graphs with cycles, chords and objects that are not created: every rule holds', () => {
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let round = 0; round < 20; round++) {
    const n = 300 + Math.floor(rnd() * 300);
    const refs = Array.from({ length: n }, () =>
      Array.from({ length: Math.floor(rnd() * 4) }, () => Math.floor(rnd() * n)),
    );
    const skip = Array.from({ length: 20 }, () => Math.floor(rnd() * n));
    const opts = {
      maxDepth: 2 + Math.floor(rnd() * 8),
      maxPasses: 1 + Math.floor(rnd() * 3),
      maxBuffered: Math.floor(rnd() * 60),
      toCreate: skip,
    };
    const inp = input({ count: n, refs }, opts);
    const plan = planOrdering(inp);
    expect(problems({ count: n, refs }, plan, { ...opts, toCreate: inp.toCreate })).toEqual([]);
    for (const i of skip) expect(plan.pass[i]).toBe(-1);
  }
});

test('AQL filters: ids and keys rewritten, everything else kept byte for byte, unknown values reported', () => {
  const maps = {
    schemaId: (id: string) => (id === '4' ? '17' : undefined),
    objectTypeId: (id: string) => ({ '31': '301', '32': '302' })[id],
    objectId: (id: string) => ({ '1207': '9001' })[id],
    objectKey: (key: string) => ({ 'ITI-12': 'NEW-77' })[key],
    schemaName: (name: string) => (name === 'IT Inventory' ? 'IT Inventory (restored)' : undefined),
  };
  expect(rewriteAql('objectSchemaId = 4 AND objectTypeId IN (31, 32) AND "Status" = "Active"', maps)).toEqual({
    query: 'objectSchemaId = 17 AND objectTypeId IN (301, 302) AND "Status" = "Active"',
    unmapped: [],
  });
  expect(rewriteAql('Key = "ITI-12" OR objectId NOT IN (1207, 55) ORDER BY Name', maps)).toEqual({
    query: 'Key = "NEW-77" OR objectId NOT IN (9001, 55) ORDER BY Name',
    unmapped: ['55'],
  });
  expect(rewriteAql('objectSchema = "IT Inventory" and Owner.Email like "@x.y"', maps).query).toBe(
    'objectSchema = "IT Inventory (restored)" and Owner.Email like "@x.y"',
  );
  // a value that happens to spell a field name is not a field
  expect(rewriteAql('Label = objectTypeId', maps).query).toBe('Label = objectTypeId');
});
