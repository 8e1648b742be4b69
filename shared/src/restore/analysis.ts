/**
 * What the engine learns from the snapshot before it writes anything: the structure records (read
 * up to the first object, enough for a plan) and, in one full verifying pass, a compact graph of the
 * objects (ids, types, in-schema references, which objects have history) that planning, ordering and
 * the object passes share. Object records themselves are never held: later passes stream them again.
 */
import type {
  AttributeRecord,
  IconRecord,
  ObjectTypeRecord,
  ReferenceTypeRecord,
  SchemaConfigRecord,
  SchemaRecord,
  StatusTypeRecord,
} from '../snapshot/index.js';
import { RestorePlanError } from './errors.js';
import type { ForeignObjectRef, RestoreSnapshot } from './types.js';

export interface SnapshotStructure {
  schema: SchemaRecord;
  config: SchemaConfigRecord | undefined;
  icons: IconRecord[];
  statuses: StatusTypeRecord[];
  referenceTypes: ReferenceTypeRecord[];
  /** parents before children, siblings by position (the backup's order) */
  types: ObjectTypeRecord[];
  typeById: Map<string, ObjectTypeRecord>;
  attributeById: Map<string, AttributeRecord>;
  /** own attributes of each type, by position */
  ownAttributes: Map<string, AttributeRecord[]>;
}

/** Reads the structure records (everything before the first object) and stops. */
export async function readStructure(snapshot: RestoreSnapshot): Promise<SnapshotStructure> {
  const s: Partial<SnapshotStructure> & Pick<SnapshotStructure, 'icons' | 'statuses' | 'referenceTypes' | 'types'> = {
    icons: [],
    statuses: [],
    referenceTypes: [],
    types: [],
  };
  const attributes: AttributeRecord[] = [];
  for await (const r of snapshot.records()) {
    if (r.kind === 'object' || r.kind === 'history' || r.kind === 'issueRef') break;
    if (r.kind === 'schema') s.schema = r;
    else if (r.kind === 'schemaConfig') s.config = r;
    else if (r.kind === 'icon') s.icons.push(r);
    else if (r.kind === 'statusType') s.statuses.push(r);
    else if (r.kind === 'referenceType') s.referenceTypes.push(r);
    else if (r.kind === 'objectType') s.types.push(r);
    else if (r.kind === 'attribute') attributes.push(r);
  }
  if (s.schema === undefined) throw new RestorePlanError('invalid_snapshot', 'The backup holds no schema record');
  const typeById = new Map(s.types.map((t) => [t.id, t]));
  const ownAttributes = new Map<string, AttributeRecord[]>();
  for (const a of attributes) ownAttributes.set(a.objectTypeId, [...(ownAttributes.get(a.objectTypeId) ?? []), a]);
  for (const list of ownAttributes.values()) list.sort((a, b) => a.position - b.position);
  return {
    schema: s.schema,
    config: s.config,
    icons: s.icons,
    statuses: s.statuses,
    referenceTypes: s.referenceTypes,
    types: s.types,
    typeById,
    attributeById: new Map(attributes.map((a) => [a.id, a])),
    ownAttributes,
  };
}

/** The parent chain of a type, nearest first. */
export function ancestors(structure: SnapshotStructure, typeId: string): ObjectTypeRecord[] {
  const out: ObjectTypeRecord[] = [];
  let cur = structure.typeById.get(typeId);
  for (let guard = 0; cur?.parentObjectTypeId !== undefined && guard < 100; guard++) {
    cur = structure.typeById.get(cur.parentObjectTypeId);
    if (cur !== undefined) out.push(cur);
  }
  return out;
}

/** Own and inherited attributes of a type (inherited first, like the API lists them). */
export function effectiveAttributes(structure: SnapshotStructure, typeId: string): AttributeRecord[] {
  const chain: ObjectTypeRecord[] = [];
  let cur = structure.typeById.get(typeId);
  for (let guard = 0; cur !== undefined && guard < 100; guard++) {
    chain.unshift(cur);
    if (!cur.parentObjectTypeInherited || cur.parentObjectTypeId === undefined) break;
    cur = structure.typeById.get(cur.parentObjectTypeId);
  }
  return chain.flatMap((t) => structure.ownAttributes.get(t.id) ?? []);
}

/** The label attribute objects of a type carry (own or inherited). */
export function labelAttribute(structure: SnapshotStructure, typeId: string): AttributeRecord | undefined {
  return effectiveAttributes(structure, typeId).find((a) => a.label);
}

/** Descendants of a type (children, grandchildren, …). */
export function descendants(structure: SnapshotStructure, typeId: string): string[] {
  const out: string[] = [];
  const walk = (id: string) => {
    for (const t of structure.types) {
      if (t.parentObjectTypeId === id && !out.includes(t.id)) {
        out.push(t.id);
        walk(t.id);
      }
    }
  };
  walk(typeId);
  return out;
}

/** Objects, their types and in-schema references, in stream order (the index is the stream position). */
export interface ObjectGraph {
  count: number;
  ids: string[];
  /** per object: its key in the backup */
  keys: string[];
  index: Map<string, number>;
  /** per object: its source object type id */
  typeIds: string[];
  /** CSR: references of object i are refTargets[refStart[i] .. refStart[i+1]) (object indices, no duplicates) */
  refStart: Int32Array;
  refTargets: Int32Array;
  hasHistory: Uint8Array;
  /** foreign objects referenced (other schemas), by source id */
  foreign: Map<string, ForeignObjectRef>;
  /** most values any object holds per attribute (an unlimited cardinality the target refuses falls back to it) */
  maxValues: Map<string, number>;
  /** object counts per type */
  objectsByType: Map<string, number>;
  /** status ids object values use */
  usedStatusIds: Set<string>;
  issueRefs: number;
}

/** One full verifying pass: the object graph. Throws SnapshotIntegrityError when the backup is damaged. */
export async function analyseObjects(snapshot: RestoreSnapshot, structure: SnapshotStructure): Promise<ObjectGraph> {
  const ids: string[] = [];
  const keys: string[] = [];
  const index = new Map<string, number>();
  const typeIds: string[] = [];
  const edgeFrom: number[] = [];
  const edgeTo: string[] = [];
  const historyIds: string[] = [];
  const foreign = new Map<string, ForeignObjectRef>();
  const maxValues = new Map<string, number>();
  const objectsByType = new Map<string, number>();
  const usedStatusIds = new Set<string>();
  let issueRefs = 0;
  for await (const r of snapshot.records()) {
    if (r.kind === 'history') historyIds.push(r.objectId);
    else if (r.kind === 'issueRef') issueRefs++;
    if (r.kind !== 'object') continue;
    const i = ids.length;
    ids.push(r.id);
    keys.push(r.objectKey);
    index.set(r.id, i);
    typeIds.push(r.objectTypeId);
    objectsByType.set(r.objectTypeId, (objectsByType.get(r.objectTypeId) ?? 0) + 1);
    for (const a of r.attributes) {
      const n = a.objectAttributeValues.length;
      if (n > (maxValues.get(a.objectTypeAttributeId) ?? 0)) maxValues.set(a.objectTypeAttributeId, n);
      for (const v of a.objectAttributeValues) {
        if (v.status !== undefined) usedStatusIds.add(v.status.id);
        const ref = v.referencedObject;
        if (ref === undefined) continue;
        if (structure.typeById.has(ref.objectTypeId)) {
          edgeFrom.push(i);
          edgeTo.push(ref.id);
        } else if (!foreign.has(ref.id)) {
          foreign.set(ref.id, {
            id: ref.id,
            objectKey: ref.objectKey,
            label: ref.label,
            objectTypeId: ref.objectTypeId,
          });
        }
      }
    }
  }
  const count = ids.length;
  const hasHistory = new Uint8Array(count);
  for (const id of historyIds) {
    const i = index.get(id);
    if (i !== undefined) hasHistory[i] = 1;
  }
  // CSR of the references that point at objects of the backup, duplicates removed
  const degree = new Int32Array(count + 1);
  const resolved = new Int32Array(edgeFrom.length).fill(-1);
  for (let e = 0; e < edgeFrom.length; e++) {
    const to = index.get(edgeTo[e] ?? '');
    if (to === undefined) continue;
    resolved[e] = to;
    const slot = (edgeFrom[e] ?? 0) + 1;
    degree[slot] = (degree[slot] ?? 0) + 1;
  }
  const refStart = new Int32Array(count + 1);
  for (let i = 0; i < count; i++) refStart[i + 1] = (refStart[i] ?? 0) + (degree[i + 1] ?? 0);
  const fill = refStart.slice(0, count);
  const raw = new Int32Array(refStart[count] ?? 0);
  for (let e = 0; e < edgeFrom.length; e++) {
    const to = resolved[e] ?? -1;
    if (to < 0) continue;
    const from = edgeFrom[e] ?? 0;
    const at = fill[from] ?? 0;
    raw[at] = to;
    fill[from] = at + 1;
  }
  // dedupe each object's targets (a multi-valued reference may list one object twice across attributes)
  const start = new Int32Array(count + 1);
  const targets: number[] = [];
  for (let i = 0; i < count; i++) {
    start[i] = targets.length;
    const seen = new Set<number>();
    for (let k = refStart[i] ?? 0; k < (refStart[i + 1] ?? 0); k++) {
      const t = raw[k] ?? -1;
      if (!seen.has(t)) {
        seen.add(t);
        targets.push(t);
      }
    }
  }
  start[count] = targets.length;
  return {
    count,
    ids,
    keys,
    index,
    typeIds,
    refStart: start,
    refTargets: Int32Array.from(targets),
    hasHistory,
    foreign,
    maxValues,
    objectsByType,
    usedStatusIds,
    issueRefs,
  };
}
