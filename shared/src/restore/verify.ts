/**
 * The verification pass: the target read back through AQL (a hundred objects per request) and
 * compared with the backup through the id map: each object's type, label, every value in order,
 * references, statuses, `OBJECT_HISTORY`, avatars; the types (parent, flags, icon) and attribute
 * order; and the number of objects in a new schema. Differences are counted by kind with examples.
 */
import { AttributeKind, type AssetObject } from '../model/index.js';
import type { HistoryRecord, ObjectRecord } from '../snapshot/index.js';
import type { ObjectGraph, SnapshotStructure } from './analysis.js';
import { CREATED, SKIPPED, type ObjectBook } from './book.js';
import type { ObjectLoader } from './objects.js';
import type {
  RestoreApiCalls,
  RestoreOptions,
  RestoreSnapshot,
  StructureMap,
  VerificationIssue,
  VerificationReport,
} from './types.js';
import { bodyValues, buildCreateBody, sameList, targetValues } from './values.js';
import type { AssetsClient } from '../assets-client/index.js';

const BATCH = 100;
const MAX_EXAMPLES = 50;

export interface VerifyContext {
  client: AssetsClient;
  snapshot: RestoreSnapshot;
  structure: SnapshotStructure;
  graph: ObjectGraph;
  book: ObjectBook;
  map: StructureMap;
  loader: ObjectLoader;
  options: RestoreOptions;
  sameSite: boolean;
  targetSchemaId: string;
  newSchema: boolean;
  /** source types restored */
  types: ReadonlySet<string>;
  calls: RestoreApiCalls;
  signal: AbortSignal | undefined;
}

interface Pending {
  index: number;
  record: ObjectRecord;
  history?: HistoryRecord;
}

/** Compares the target with the backup; see the module comment. */
export async function verifyRestore(ctx: VerifyContext): Promise<VerificationReport> {
  const report: VerificationReport = {
    objectsChecked: 0,
    objectsMatching: 0,
    differences: {},
    examples: [],
    targetObjectCount: 0,
    expectedObjectCount: 0,
  };
  const note = (issue: VerificationIssue) => {
    report.differences[issue.kind] = (report.differences[issue.kind] ?? 0) + 1;
    if (report.examples.length < MAX_EXAMPLES) report.examples.push(issue);
  };
  const callOpts = ctx.signal ? { signal: ctx.signal } : {};
  await verifyStructure(ctx, note);

  const mappedAttributes = new Set([...Object.values(ctx.map.attributes), ...Object.values(ctx.map.historyAttributes)]);
  const historyAttributes = new Set(Object.values(ctx.map.historyAttributes));
  const batch: Pending[] = [];
  const awaitingHistory = new Map<string, Pending>();
  const check = async () => {
    if (batch.length === 0) return;
    const items = batch.splice(0);
    const ids = items.map((p) => ctx.book.targetIds[p.index] ?? '').filter((id) => id !== '');
    const found = new Map<string, AssetObject>();
    ctx.calls.reads++;
    for await (const o of ctx.client.aqlObjects(`objectId IN (${ids.join(', ')})`, {
      includeAttributes: true,
      pageSize: BATCH,
      ...callOpts,
    }))
      found.set(o.id, o);
    for (const p of items) compare(p, found.get(ctx.book.targetIds[p.index] ?? ''));
  };
  const compare = (p: Pending, obj: AssetObject | undefined) => {
    report.objectsChecked++;
    const where = {
      sourceId: p.record.id,
      sourceKey: p.record.objectKey,
      ...(ctx.book.targetIds[p.index] === undefined ? {} : { targetId: ctx.book.targetIds[p.index] }),
    };
    if (obj === undefined) return note({ kind: 'missing_object', ...where, detail: 'not found on the target' });
    if (ctx.book.status[p.index] === SKIPPED) {
      report.objectsMatching++;
      return;
    }
    let ok = true;
    const issue = (i: Omit<VerificationIssue, keyof typeof where>) => {
      ok = false;
      note({ ...where, ...i });
    };
    const wantedType = ctx.map.objectTypes[p.record.objectTypeId];
    if (obj.objectType.id !== wantedType)
      issue({ kind: 'wrong_type', detail: `type ${obj.objectType.id}, expected ${String(wantedType)}` });
    if (obj.label !== p.record.label) issue({ kind: 'label', detail: 'label differs' });
    const expected = bodyValues(
      buildCreateBody(ctx.loader.valueContext, p.record, p.history, { withReferences: true }).body,
    );
    const actual = targetValues(obj, ctx.loader.kindOf);
    const attrs = new Set([...expected.keys(), ...[...actual.keys()].filter((a) => mappedAttributes.has(a))]);
    for (const attr of attrs) {
      if (sameList(expected.get(attr) ?? [], actual.get(attr) ?? [])) continue;
      const kind = ctx.loader.kindOf(attr);
      issue({
        kind: historyAttributes.has(attr)
          ? 'history'
          : kind === AttributeKind.Reference
            ? 'reference'
            : kind === AttributeKind.Status
              ? 'status'
              : 'value',
        attribute: attr,
        detail: `${(actual.get(attr) ?? []).length} value(s) on the target, ${(expected.get(attr) ?? []).length} expected`,
      });
    }
    const uuid = p.record.avatar?.avatarUUID;
    if (ctx.options.objectIcons && ctx.sameSite && p.record.hasAvatar && uuid !== undefined) {
      if (!obj.hasAvatar || obj.avatar.avatarUUID !== uuid) issue({ kind: 'avatar', detail: 'avatar not restored' });
    }
    if (ok) report.objectsMatching++;
  };

  for await (const r of ctx.snapshot.records()) {
    if (r.kind === 'object') {
      const i = ctx.graph.index.get(r.id);
      if (i === undefined) continue;
      const status = ctx.book.status[i];
      if (status !== CREATED && status !== SKIPPED) continue;
      report.expectedObjectCount++;
      const p: Pending = { index: i, record: r };
      if (status === CREATED && ctx.options.history && ctx.graph.hasHistory[i] === 1) awaitingHistory.set(r.id, p);
      else batch.push(p);
    } else if (r.kind === 'history') {
      const p = awaitingHistory.get(r.objectId);
      if (p !== undefined) {
        awaitingHistory.delete(r.objectId);
        p.history = r;
        batch.push(p);
      }
    }
    if (batch.length >= BATCH) await check();
  }
  batch.push(...awaitingHistory.values());
  while (batch.length > 0) {
    const rest = batch.splice(BATCH);
    await check();
    batch.push(...rest);
  }
  if (ctx.newSchema) {
    ctx.calls.reads++;
    report.targetObjectCount = await ctx.client.aqlTotalCount(`objectSchemaId = ${ctx.targetSchemaId}`, callOpts);
    if (report.targetObjectCount !== report.expectedObjectCount)
      note({
        kind: 'count',
        detail: `${report.targetObjectCount} objects in the schema, ${report.expectedObjectCount} expected`,
      });
  } else report.targetObjectCount = report.expectedObjectCount - (report.differences.missing_object ?? 0);
  return report;
}

/** Types (parent, abstract, inherited, icon) and the order of each type's own attributes. */
async function verifyStructure(ctx: VerifyContext, note: (i: VerificationIssue) => void): Promise<void> {
  const callOpts = ctx.signal ? { signal: ctx.signal } : {};
  ctx.calls.reads++;
  const targetTypes = new Map((await ctx.client.listObjectTypes(ctx.targetSchemaId, callOpts)).map((t) => [t.id, t]));
  for (const t of ctx.structure.types) {
    if (!ctx.types.has(t.id)) continue;
    const target = targetTypes.get(ctx.map.objectTypes[t.id] ?? '');
    if (target === undefined) {
      note({ kind: 'structure', detail: `object type "${t.name}" is missing` });
      continue;
    }
    if (!ctx.newSchema) continue;
    const parent = t.parentObjectTypeId === undefined ? undefined : ctx.map.objectTypes[t.parentObjectTypeId];
    const targetParent = target.parentObjectTypeId === undefined ? undefined : String(target.parentObjectTypeId);
    if (parent !== targetParent) note({ kind: 'structure', detail: `object type "${t.name}" has another parent` });
    if (target.abstractObjectType !== t.abstractObjectType || target.inherited !== t.inherited)
      note({ kind: 'structure', detail: `object type "${t.name}" differs in abstract/inherited` });
    if (
      target.icon.name !== t.icon.name &&
      !ctx.map.warnings.some((w) => w.startsWith(`Object type "${t.name}": icon`))
    )
      note({
        kind: 'structure',
        detail: `object type "${t.name}" has icon "${target.icon.name}", expected "${t.icon.name}"`,
      });
    ctx.calls.reads++;
    const own = await ctx.client.listObjectTypeAttributes(target.id, { ...callOpts, excludeParentAttributes: true });
    const position = new Map(own.map((a, i) => [a.id, i]));
    const order = (ctx.structure.ownAttributes.get(t.id) ?? [])
      .map((a) => position.get(ctx.map.attributes[a.id] ?? ''))
      .filter((p): p is number => p !== undefined);
    if (order.some((p, i) => i > 0 && p < (order[i - 1] ?? 0)))
      note({ kind: 'structure', detail: `object type "${t.name}": attribute order differs` });
  }
}
