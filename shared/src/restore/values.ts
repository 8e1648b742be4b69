/**
 * Backup values → Assets request bodies (assets-cloud-api.md §5.2): raw values copied exactly and in
 * order, references mapped to target ids, statuses mapped by the structure map, users by accountId,
 * groups by name, and the `OBJECT_HISTORY` text. Also the comparable form of a value, which lookups
 * and the verification pass use on both sides.
 */
import { AttributeKind, type AssetObject, type ObjectIn } from '../model/index.js';
import type {
  AttributeRecord,
  HistoryEntryRecord,
  HistoryRecord,
  ObjectRecord,
  ValueRecord,
} from '../snapshot/index.js';
import type { SnapshotStructure } from './analysis.js';
import type { StructureMap } from './types.js';

/** Exactly the attribute name the history option adds. */
export const HISTORY_ATTRIBUTE_NAME = 'OBJECT_HISTORY';

/** Where an in-schema reference target stands when a body is built. */
export type ReferenceTarget =
  | { state: 'mapped'; targetId: string }
  /** to be created later in this restore: the value is set by the reference pass */
  | { state: 'waiting' }
  | { state: 'failed' }
  /** not part of this restore (specific object types) */
  | { state: 'excluded' }
  /** not in the backup (deleted while the backup ran) */
  | { state: 'missing' };

export interface ValueContext {
  structure: SnapshotStructure;
  map: StructureMap;
  /** the target is the source site: avatars and users are the same */
  sameSite: boolean;
  objectIcons: boolean;
  history: boolean;
  reference(sourceId: string): ReferenceTarget;
  /** foreign objects (other schemas) that could be re-linked: source id → target id */
  foreign: ReadonlyMap<string, string>;
}

export interface BuiltBody {
  body: ObjectIn;
  /** reference values left for the reference pass */
  deferred: boolean;
  warnings: string[];
}

/** The parts of a value (backup record or API answer) its comparable string comes from. */
interface ValueParts {
  value?: string | undefined;
  user?: { key?: string | undefined } | undefined;
  group?: { name: string } | undefined;
  status?: { id: string } | undefined;
  referencedObject?: { id: string } | undefined;
}

/**
 * A value as the API writes it, by kind: the raw value, the accountId of a user, the name of a
 * group, the id of a status or of a referenced object. Backup values and target values alike.
 */
export function rawValue(kind: number, v: ValueParts): string | undefined {
  switch (kind) {
    case AttributeKind.Reference:
      return v.referencedObject?.id ?? v.value;
    case AttributeKind.User:
      return v.value ?? v.user?.key;
    case AttributeKind.Group:
      return v.value ?? v.group?.name;
    case AttributeKind.Status:
      return v.status?.id ?? v.value;
    default:
      return v.value;
  }
}

const isInSchema = (ctx: ValueContext, objectTypeId: string) => ctx.structure.typeById.has(objectTypeId);

/**
 * Maps one reference value. `deferOk` says whether a target created later may be left for the
 * reference pass (create) or must count as unresolvable (the reference pass itself).
 */
function mapReference(
  ctx: ValueContext,
  attr: AttributeRecord,
  v: ValueRecord,
  warnings: string[],
): { id?: string; deferred?: boolean } {
  const ref = v.referencedObject;
  if (ref === undefined) {
    warnings.push(`"${attr.name}": a reference to an object that no longer existed at backup time was not restored`);
    return {};
  }
  if (!isInSchema(ctx, ref.objectTypeId)) {
    const id = ctx.foreign.get(ref.id);
    if (id === undefined)
      warnings.push(`"${attr.name}": reference to ${ref.objectKey} (another schema) could not be re-linked`);
    return id === undefined ? {} : { id };
  }
  const target = ctx.reference(ref.id);
  switch (target.state) {
    case 'mapped':
      return { id: target.targetId };
    case 'waiting':
      return { deferred: true };
    case 'failed':
      warnings.push(`"${attr.name}": reference to ${ref.objectKey} not restored (that object failed)`);
      return {};
    case 'excluded':
      warnings.push(`"${attr.name}": reference to ${ref.objectKey} left empty (not part of this restore)`);
      return {};
    case 'missing':
      warnings.push(`"${attr.name}": reference to ${ref.objectKey} not restored (not in the backup)`);
      return {};
  }
}

/** The body of `POST /object/create` for one backup object. */
export function buildCreateBody(
  ctx: ValueContext,
  record: ObjectRecord,
  history: HistoryRecord | undefined,
  opts: { withReferences: boolean },
): BuiltBody {
  const objectTypeId = ctx.map.objectTypes[record.objectTypeId];
  if (objectTypeId === undefined) throw new Error(`object type ${record.objectTypeId} has no target`);
  const warnings: string[] = [];
  const attributes: ObjectIn['attributes'] = [];
  let deferred = false;
  for (const a of record.attributes) {
    const def = ctx.structure.attributeById.get(a.objectTypeAttributeId);
    if (def === undefined) {
      warnings.push(`Values of attribute ${a.objectTypeAttributeId} were not restored (not in the backup's structure)`);
      continue;
    }
    if (def.system === true) continue;
    const targetAttr = ctx.map.attributes[def.id];
    if (targetAttr === undefined) {
      if (a.objectAttributeValues.length > 0)
        warnings.push(`Values of "${def.name}" were not restored (the attribute is not on the target)`);
      continue;
    }
    if (def.type === AttributeKind.Reference) {
      if (!opts.withReferences) {
        if (a.objectAttributeValues.length > 0) deferred = true;
        continue;
      }
      const ids: string[] = [];
      let waiting = false;
      for (const v of a.objectAttributeValues) {
        const m = mapReference(ctx, def, v, warnings);
        if (m.deferred) waiting = true;
        else if (m.id !== undefined) ids.push(m.id);
      }
      // the reference pass writes the whole list in order, so a partly waiting attribute waits as a whole
      if (waiting) deferred = true;
      else if (ids.length > 0)
        attributes.push({ objectTypeAttributeId: targetAttr, objectAttributeValues: ids.map((value) => ({ value })) });
      continue;
    }
    const values = mapPlainValues(ctx, def, a.objectAttributeValues, warnings);
    if (values.length > 0)
      attributes.push({ objectTypeAttributeId: targetAttr, objectAttributeValues: values.map((value) => ({ value })) });
  }
  if (ctx.history) {
    const historyAttr = ctx.map.historyAttributes[record.objectTypeId];
    const text = history === undefined ? '' : historyText(history.entries);
    if (historyAttr !== undefined && text !== '')
      attributes.push({ objectTypeAttributeId: historyAttr, objectAttributeValues: [{ value: text }] });
  }
  const body: ObjectIn = { objectTypeId, attributes };
  if (ctx.objectIcons && record.hasAvatar) {
    const uuid = record.avatar?.avatarUUID;
    if (ctx.sameSite && uuid !== undefined && uuid !== '') {
      body.hasAvatar = true;
      body.avatarUUID = uuid;
    } else
      warnings.push(
        ctx.sameSite
          ? 'Object icon not restored: the backup holds no avatar reference for it'
          : 'Object icon not restored: avatars can only be reused on the source site (Assets has no public avatar upload)',
      );
  }
  return { body, deferred, warnings };
}

function mapPlainValues(ctx: ValueContext, def: AttributeRecord, values: ValueRecord[], warnings: string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    const raw = rawValue(def.type, v);
    if (raw === undefined) {
      warnings.push(`"${def.name}": a value without a raw form (${v.displayValue}) was not restored`);
      continue;
    }
    if (def.type === AttributeKind.Status) {
      const mapped = ctx.map.statuses[raw];
      if (mapped === undefined) {
        warnings.push(`"${def.name}": status ${v.status?.name ?? raw} has no match on the target`);
        continue;
      }
      out.push(mapped);
    } else out.push(raw);
  }
  return out;
}

/** The body of the reference pass's `PUT /object/{id}`: every reference attribute, complete and in order. */
export function buildReferenceBody(ctx: ValueContext, record: ObjectRecord): { body?: ObjectIn; warnings: string[] } {
  const objectTypeId = ctx.map.objectTypes[record.objectTypeId];
  if (objectTypeId === undefined) throw new Error(`object type ${record.objectTypeId} has no target`);
  const warnings: string[] = [];
  const attributes: ObjectIn['attributes'] = [];
  for (const a of record.attributes) {
    const def = ctx.structure.attributeById.get(a.objectTypeAttributeId);
    const targetAttr = def === undefined ? undefined : ctx.map.attributes[def.id];
    if (def?.type !== AttributeKind.Reference || targetAttr === undefined) continue;
    const ids: string[] = [];
    for (const v of a.objectAttributeValues) {
      const m = mapReference(ctx, def, v, warnings);
      if (m.id !== undefined) ids.push(m.id);
      else if (m.deferred) warnings.push(`"${def.name}": reference to ${v.referencedObject?.objectKey} not restored`);
    }
    if (ids.length > 0)
      attributes.push({ objectTypeAttributeId: targetAttr, objectAttributeValues: ids.map((value) => ({ value })) });
  }
  return attributes.length === 0 ? { warnings } : { body: { objectTypeId, attributes }, warnings };
}

const oneLine = (s: string) => s.replace(/\\/g, '\\\\').replace(/\r\n|\r|\n/g, '\\n');

/**
 * One history entry as one line: `<ISO date-time> | <actor> | <attribute> | <old> → <new>`. An
 * entry without attribute shows `-` there; one without old and new value (an object created) ends
 * after the attribute; an absent side of the arrow is empty. Line breaks inside values are written
 * as `\n` (backslashes doubled), so every entry stays on its own line.
 */
export function historyLine(e: HistoryEntryRecord): string {
  const actor = e.actor.displayName ?? e.actor.name ?? e.actor.key ?? 'unknown';
  const parts = [e.created, oneLine(actor), oneLine(e.affectedAttribute ?? '-')];
  if (e.oldValue !== undefined || e.newValue !== undefined)
    parts.push(`${oneLine(e.oldValue ?? '')} → ${oneLine(e.newValue ?? '')}`);
  return parts.join(' | ');
}

/** The whole `OBJECT_HISTORY` value: every entry of the backup, oldest first, one per line. */
export function historyText(entries: HistoryEntryRecord[]): string {
  const sorted = [...entries].sort((a, b) =>
    a.created < b.created ? -1 : a.created > b.created ? 1 : Number(a.id) - Number(b.id),
  );
  return sorted.map(historyLine).join('\n');
}

/** attribute id → values of a target object, in the comparable form (kinds from `kindOf`). */
export function targetValues(
  obj: AssetObject,
  kindOf: (attributeId: string) => number | undefined,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const a of obj.attributes ?? []) {
    const kind = kindOf(a.objectTypeAttributeId) ?? AttributeKind.Default;
    const values: string[] = [];
    for (const v of a.objectAttributeValues) {
      const s = rawValue(kind, v);
      if (s !== undefined) values.push(s);
    }
    out.set(a.objectTypeAttributeId, values);
  }
  return out;
}

/** attribute id → values of a request body. */
export function bodyValues(body: ObjectIn): Map<string, string[]> {
  return new Map(
    body.attributes.map((a) => [String(a.objectTypeAttributeId), a.objectAttributeValues.map((v) => v.value)]),
  );
}

export const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);
