/**
 * The schema structure on the target (assets-cloud-api.md §6): status types, reference types, icons
 * by name, object types (parents first, then positions), attributes in backup order, and the
 * `OBJECT_HISTORY` attribute when asked. Every step looks up by name before it creates, so running it
 * again after a crash maps onto what the first run created instead of creating it twice.
 *
 * Constraints that historical data may violate, or that would refuse objects while references are
 * still missing, are loosened for the load and restored after it (§6 rule 5): uniqueness, a minimum
 * cardinality (except on the label, which every create carries) and reference filters (`qlQuery`).
 */
import { AssetsApiError, type AssetsClient } from '../assets-client/index.js';
import {
  AttributeKind,
  DefaultType,
  type ObjectTypeAttribute,
  type ObjectTypeAttributeCreate,
  type ReferenceType,
  type Status,
} from '../model/index.js';
import type { AttributeRecord, ObjectTypeRecord } from '../snapshot/index.js';
import type { SnapshotStructure } from './analysis.js';
import { HISTORY_ATTRIBUTE_NAME } from './values.js';
import type { RelaxedAttribute, RestoreApiCalls, StructureMap } from './types.js';

export interface StructureContext {
  client: AssetsClient;
  structure: SnapshotStructure;
  /** source type ids this restore creates or maps */
  types: ReadonlySet<string>;
  targetSchemaId: string;
  /** true: a schema this restore created (its types and attributes are ours to shape) */
  newSchema: boolean;
  history: boolean;
  /** status ids used by object values (statuses of the schema are created anyway) */
  usedStatusIds: ReadonlySet<string>;
  /** most values an object holds per attribute (fallback when an unlimited cardinality is refused) */
  maxValues: ReadonlyMap<string, number>;
  /** target type for a reference attribute pointing into another schema; undefined = attribute not restorable */
  foreignType(sourceTypeId: string): Promise<string | undefined>;
  calls: RestoreApiCalls;
  signal?: AbortSignal;
}

const lower = (s: string) => s.toLocaleLowerCase('en-US');
const HEX_COLOR = /^[0-9a-fA-F]{6}$/;

/** Builds (or finds again) the structure and returns the source → target map. */
export async function restoreStructure(ctx: StructureContext): Promise<StructureMap> {
  const map: StructureMap = {
    objectTypes: {},
    attributes: {},
    statuses: {},
    referenceTypes: {},
    historyAttributes: {},
    relaxed: [],
    warnings: [],
  };
  await restoreStatuses(ctx, map);
  await restoreReferenceTypes(ctx, map);
  const created = await restoreObjectTypes(ctx, map);
  if (ctx.newSchema) await restorePositions(ctx, map);
  for (const t of ctx.structure.types) {
    if (ctx.types.has(t.id)) await restoreAttributes(ctx, map, t, created.has(t.id));
  }
  return map;
}

const opts = (ctx: StructureContext) => (ctx.signal ? { signal: ctx.signal } : {});

// ---------------------------------------------------------------------------------------------
// statuses and reference types

async function restoreStatuses(ctx: StructureContext, map: StructureMap): Promise<void> {
  const { structure } = ctx;
  ctx.calls.reads++;
  const target = await ctx.client.listStatusTypes({ ...opts(ctx), objectSchemaId: ctx.targetSchemaId });
  const used = new Set(ctx.usedStatusIds);
  for (const a of structure.attributeById.values())
    if (a.type === AttributeKind.Status && ctx.types.has(a.objectTypeId))
      for (const s of a.typeValueMulti ?? []) used.add(s);
  const schemaScoped = (s: Status) => s.objectSchemaId === ctx.targetSchemaId;
  for (const s of structure.statuses) {
    const isGlobal = s.objectSchemaId === undefined;
    const global = isGlobal
      ? target.find((t) => t.objectSchemaId === undefined && lower(t.name) === lower(s.name))
      : undefined;
    if (global !== undefined) {
      map.statuses[s.id] = global.id;
      continue;
    }
    if (isGlobal && !used.has(s.id)) continue;
    const mine = target.find((t) => schemaScoped(t) && lower(t.name) === lower(s.name));
    if (mine !== undefined) {
      map.statuses[s.id] = mine.id;
      continue;
    }
    const body = {
      name: s.name,
      category: s.category,
      objectSchemaId: ctx.targetSchemaId,
      ...(s.description === undefined ? {} : { description: s.description }),
    };
    ctx.calls.structureWrites++;
    const made = await ctx.client.createStatusType(body, {
      ...opts(ctx),
      findExisting: async () =>
        (await ctx.client.listStatusTypes({ ...opts(ctx), objectSchemaId: ctx.targetSchemaId })).find(
          (t) => schemaScoped(t) && lower(t.name) === lower(s.name),
        ),
    });
    target.push(made);
    map.statuses[s.id] = made.id;
    if (isGlobal)
      map.warnings.push(`Status "${s.name}" does not exist on the target as a global status: created in the schema`);
  }
}

async function restoreReferenceTypes(ctx: StructureContext, map: StructureMap): Promise<void> {
  const { structure } = ctx;
  ctx.calls.reads++;
  const target = await ctx.client.listReferenceTypes({ ...opts(ctx), objectSchemaId: ctx.targetSchemaId });
  const used = new Set<string>();
  for (const a of structure.attributeById.values()) {
    if (a.type !== AttributeKind.Reference || !ctx.types.has(a.objectTypeId)) continue;
    const id = a.additionalValue ?? a.referenceType?.id;
    if (id !== undefined) used.add(id);
  }
  const schemaScoped = (r: ReferenceType) => r.objectSchemaId === ctx.targetSchemaId;
  for (const r of structure.referenceTypes) {
    if (r.id === undefined) continue;
    const isGlobal = r.objectSchemaId === undefined;
    const global = isGlobal
      ? target.find((t) => t.objectSchemaId === undefined && lower(t.name) === lower(r.name))
      : undefined;
    if (global?.id !== undefined) {
      map.referenceTypes[r.id] = global.id;
      continue;
    }
    if (isGlobal && !used.has(r.id)) continue;
    const mine = target.find((t) => schemaScoped(t) && lower(t.name) === lower(r.name));
    if (mine?.id !== undefined) {
      map.referenceTypes[r.id] = mine.id;
      continue;
    }
    const body = {
      name: r.name,
      objectSchemaId: ctx.targetSchemaId,
      ...(r.description === undefined ? {} : { description: r.description }),
      ...(r.color !== undefined && HEX_COLOR.test(r.color) ? { color: r.color } : {}),
    };
    ctx.calls.structureWrites++;
    const made = await ctx.client.createReferenceType(body, {
      ...opts(ctx),
      findExisting: async () =>
        (await ctx.client.listReferenceTypes({ ...opts(ctx), objectSchemaId: ctx.targetSchemaId })).find(
          (t) => schemaScoped(t) && lower(t.name) === lower(r.name),
        ),
    });
    target.push(made);
    if (made.id !== undefined) map.referenceTypes[r.id] = made.id;
    if (isGlobal)
      map.warnings.push(
        `Reference type "${r.name}" does not exist on the target as a global type: created in the schema`,
      );
  }
}

// ---------------------------------------------------------------------------------------------
// object types

/** Creates the missing types (parents first); returns the source ids of the types created by this restore. */
async function restoreObjectTypes(ctx: StructureContext, map: StructureMap): Promise<Set<string>> {
  ctx.calls.reads += 2;
  const icons = await ctx.client.listGlobalIcons(opts(ctx));
  const iconByName = new Map<string, string>();
  for (const i of icons) if (!iconByName.has(i.name)) iconByName.set(i.name, i.id);
  const iconByLowerName = new Map<string, string>();
  for (const i of icons) if (!iconByLowerName.has(lower(i.name))) iconByLowerName.set(lower(i.name), i.id);
  const fallbackIcon = iconByName.get('Object') ?? icons[0]?.id;
  const existing = await ctx.client.listObjectTypes(ctx.targetSchemaId, opts(ctx));
  const byName = new Map(existing.map((t) => [lower(t.name), t]));
  const created = new Set<string>();
  for (const t of ctx.structure.types) {
    if (!ctx.types.has(t.id)) continue;
    const parent = t.parentObjectTypeId === undefined ? undefined : map.objectTypes[t.parentObjectTypeId];
    const found = byName.get(lower(t.name));
    if (found !== undefined) {
      map.objectTypes[t.id] = found.id;
      const foundParent = found.parentObjectTypeId === undefined ? undefined : String(found.parentObjectTypeId);
      if (!ctx.newSchema && foundParent !== parent)
        map.warnings.push(`Object type "${t.name}" exists in the target schema under another parent: used as it is`);
      continue;
    }
    let iconId = iconByName.get(t.icon.name) ?? iconByLowerName.get(lower(t.icon.name));
    if (iconId === undefined) {
      iconId = fallbackIcon;
      map.warnings.push(
        `Object type "${t.name}": icon "${t.icon.name}" does not exist on the target (no public icon upload); the default icon is used`,
      );
    }
    if (iconId === undefined) throw new Error('the target lists no icons');
    const body = {
      name: t.name,
      objectSchemaId: ctx.targetSchemaId,
      iconId,
      ...(t.description === undefined ? {} : { description: t.description }),
      ...(parent === undefined ? {} : { parentObjectTypeId: parent }),
      inherited: t.inherited,
      abstractObjectType: t.abstractObjectType,
    };
    ctx.calls.structureWrites++;
    const made = await ctx.client.createObjectType(body, {
      ...opts(ctx),
      findExisting: async () =>
        (await ctx.client.listObjectTypes(ctx.targetSchemaId, opts(ctx))).find((x) => lower(x.name) === lower(t.name)),
    });
    byName.set(lower(made.name), made);
    map.objectTypes[t.id] = made.id;
    created.add(t.id);
  }
  return created;
}

/** Siblings in the backup's order (types are created in that order, so this is usually a no-op). */
async function restorePositions(ctx: StructureContext, map: StructureMap): Promise<void> {
  ctx.calls.reads++;
  const target = await ctx.client.listObjectTypes(ctx.targetSchemaId, opts(ctx));
  const groups = new Map<string, ObjectTypeRecord[]>();
  for (const t of ctx.structure.types) {
    if (!ctx.types.has(t.id)) continue;
    const key = t.parentObjectTypeId ?? '';
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  for (const [parent, siblings] of groups) {
    siblings.sort((a, b) => a.position - b.position);
    const wanted = siblings.map((s) => map.objectTypes[s.id] ?? '');
    const targetParent = parent === '' ? undefined : map.objectTypes[parent];
    const actual = target
      .filter((t) => (t.parentObjectTypeId === undefined ? undefined : String(t.parentObjectTypeId)) === targetParent)
      .sort((a, b) => a.position - b.position)
      .map((t) => t.id);
    if (wanted.every((id, i) => actual[i] === id)) continue;
    for (let i = 0; i < wanted.length; i++) {
      ctx.calls.structureWrites++;
      await ctx.client.setObjectTypePosition(
        wanted[i] ?? '',
        {
          ...(targetParent === undefined ? {} : { toObjectTypeId: targetParent }),
          position: i,
        },
        opts(ctx),
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// attributes

async function restoreAttributes(
  ctx: StructureContext,
  map: StructureMap,
  t: ObjectTypeRecord,
  typeCreated: boolean,
): Promise<void> {
  const targetTypeId = map.objectTypes[t.id];
  if (targetTypeId === undefined) return;
  ctx.calls.reads++;
  let targetAttrs = await ctx.client.listObjectTypeAttributes(targetTypeId, opts(ctx));
  const own = ctx.structure.ownAttributes.get(t.id) ?? [];
  const shaped = typeCreated || ctx.newSchema;
  for (const a of own) {
    if (a.system === true) continue;
    let existing = targetAttrs.find((x) => lower(x.name) === lower(a.name));
    if (existing === undefined && a.label && shaped) {
      // a new type's auto-created label ("Name") becomes the backup's label attribute
      const auto = targetAttrs.find((x) => x.label && ownerOf(x) === targetTypeId);
      if (auto !== undefined && !own.some((o) => o !== a && lower(o.name) === lower(auto.name))) existing = auto;
    }
    if (existing?.system === true) continue;
    const body = await attributeBody(ctx, map, a);
    if (body === undefined) continue;
    const relaxed = relaxation(a, body.body);
    if (existing !== undefined) {
      map.attributes[a.id] = existing.id;
      if (existing.type !== undefined && existing.type !== a.type)
        map.warnings.push(`Attribute "${t.name}.${a.name}" has another kind on the target: its values may be refused`);
      if (shaped && ownerOf(existing) === targetTypeId && differs(existing, body.body)) {
        const { type: _kind, ...update } = body.body;
        ctx.calls.structureWrites++;
        await ctx.client.updateAttribute(targetTypeId, existing.id, update, opts(ctx));
      }
      if (relaxed !== undefined && shaped)
        map.relaxed.push({ ...relaxed, objectTypeId: targetTypeId, attributeId: existing.id });
      continue;
    }
    const made = await createAttribute(ctx, map, targetTypeId, t, a, body.body);
    map.attributes[a.id] = made.id;
    targetAttrs = [...targetAttrs, made];
    if (relaxed !== undefined) map.relaxed.push({ ...relaxed, objectTypeId: targetTypeId, attributeId: made.id });
  }
  if (ctx.history) {
    let history = targetAttrs.find((x) => x.name === HISTORY_ATTRIBUTE_NAME);
    if (history === undefined && t.parentObjectTypeInherited && t.parentObjectTypeId !== undefined) {
      const inherited = map.historyAttributes[t.parentObjectTypeId];
      if (inherited !== undefined) history = targetAttrs.find((x) => x.id === inherited);
    }
    if (history === undefined && (!t.abstractObjectType || t.inherited)) {
      const body: ObjectTypeAttributeCreate = {
        name: HISTORY_ATTRIBUTE_NAME,
        type: 0,
        defaultTypeId: DefaultType.Textarea,
      };
      ctx.calls.structureWrites++;
      history = await ctx.client.createAttribute(targetTypeId, body, {
        ...opts(ctx),
        findExisting: async () =>
          (await ctx.client.listObjectTypeAttributes(targetTypeId, opts(ctx))).find(
            (x) => x.name === HISTORY_ATTRIBUTE_NAME,
          ),
      });
    }
    if (history !== undefined) map.historyAttributes[t.id] = history.id;
  }
}

const ownerOf = (a: ObjectTypeAttribute) => a.objectType?.id;

async function createAttribute(
  ctx: StructureContext,
  map: StructureMap,
  targetTypeId: string,
  t: ObjectTypeRecord,
  a: AttributeRecord,
  body: ObjectTypeAttributeCreate,
): Promise<ObjectTypeAttribute> {
  const find = async () =>
    (await ctx.client.listObjectTypeAttributes(targetTypeId, opts(ctx))).find((x) => lower(x.name) === lower(a.name));
  let attempt = body;
  for (let tries = 0; ; tries++) {
    try {
      ctx.calls.structureWrites++;
      return await ctx.client.createAttribute(targetTypeId, attempt, { ...opts(ctx), findExisting: find });
    } catch (err) {
      // two refusals reported for Cloud, each answered by the closest definition that keeps the data
      if (!(err instanceof AssetsApiError) || err.status !== 400 || tries >= 2) throw err;
      if (err.fieldErrors.maximumCardinality !== undefined && attempt.maximumCardinality === -1) {
        const max = Math.max(100, ctx.maxValues.get(a.id) ?? 0);
        map.warnings.push(
          `Attribute "${t.name}.${a.name}": unlimited values refused by the target; created with at most ${max}`,
        );
        attempt = { ...attempt, maximumCardinality: max };
      } else if (err.fieldErrors.typeValueMulti !== undefined && a.type === AttributeKind.User) {
        map.warnings.push(
          `Attribute "${t.name}.${a.name}": its groups do not exist on the target; any user may be picked`,
        );
        const { typeValueMulti: _groups, ...rest } = attempt;
        attempt = rest;
      } else throw err;
    }
  }
}

/** The definition to send (constraints loosened), or undefined when the attribute cannot be restored. */
async function attributeBody(
  ctx: StructureContext,
  map: StructureMap,
  a: AttributeRecord,
): Promise<{ body: ObjectTypeAttributeCreate } | undefined> {
  const owner = ctx.structure.typeById.get(a.objectTypeId)?.name ?? a.objectTypeId;
  const body: ObjectTypeAttributeCreate = { name: a.name, type: a.type };
  if (a.type === AttributeKind.Default) body.defaultTypeId = a.defaultType?.id ?? DefaultType.Text;
  if (a.label) body.label = true;
  if (a.description !== undefined) body.description = a.description;
  if (a.type === AttributeKind.Reference) {
    const sourceTarget = a.typeValue ?? a.referenceObjectTypeId;
    let typeValue: string | undefined;
    if (sourceTarget !== undefined && ctx.structure.typeById.has(sourceTarget)) {
      typeValue = ctx.types.has(sourceTarget) ? map.objectTypes[sourceTarget] : undefined;
      if (typeValue === undefined) {
        map.warnings.push(`Attribute "${owner}.${a.name}" not restored: it references a type outside this restore`);
        return undefined;
      }
    } else if (sourceTarget !== undefined) {
      typeValue = await ctx.foreignType(sourceTarget);
      if (typeValue === undefined) {
        map.warnings.push(
          `Attribute "${owner}.${a.name}" not restored: its object type in another schema has no match on the target`,
        );
        return undefined;
      }
    }
    const refType = a.additionalValue ?? a.referenceType?.id;
    const mappedRefType = refType === undefined ? undefined : map.referenceTypes[refType];
    if (typeValue === undefined || mappedRefType === undefined) {
      map.warnings.push(`Attribute "${owner}.${a.name}" not restored: its reference type has no match on the target`);
      return undefined;
    }
    body.typeValue = typeValue;
    body.additionalValue = mappedRefType;
  } else if (a.additionalValue !== undefined) body.additionalValue = a.additionalValue;
  if (a.typeValueMulti !== undefined) {
    if (a.type === AttributeKind.Status) {
      const mapped = a.typeValueMulti.map((s) => map.statuses[s]).filter((s): s is string => s !== undefined);
      if (mapped.length < a.typeValueMulti.length)
        map.warnings.push(`Attribute "${owner}.${a.name}": some allowed statuses have no match on the target`);
      if (mapped.length > 0 || a.typeValueMulti.length === 0) body.typeValueMulti = mapped;
    } else body.typeValueMulti = [...a.typeValueMulti];
  }
  if (a.minimumCardinality !== undefined) body.minimumCardinality = a.label ? a.minimumCardinality : 0;
  if (a.maximumCardinality !== undefined) body.maximumCardinality = a.maximumCardinality;
  if (a.suffix !== undefined) body.suffix = a.suffix;
  if (a.includeChildObjectTypes !== undefined) body.includeChildObjectTypes = a.includeChildObjectTypes;
  if (a.hidden !== undefined) body.hidden = a.hidden;
  if (a.uniqueAttribute !== undefined) body.uniqueAttribute = false;
  if (a.summable !== undefined) body.summable = a.summable;
  body.indexed = a.indexed;
  if (a.regexValidation !== undefined) body.regexValidation = a.regexValidation;
  if (a.options !== undefined && a.options !== '') body.options = a.options;
  return { body };
}

/** What the load loosened on this attribute, to put back after it. */
function relaxation(
  a: AttributeRecord,
  body: ObjectTypeAttributeCreate,
): Omit<RelaxedAttribute, 'objectTypeId' | 'attributeId'> | undefined {
  const out: Omit<RelaxedAttribute, 'objectTypeId' | 'attributeId'> = { name: a.name };
  if (a.uniqueAttribute === true) out.uniqueAttribute = true;
  if ((a.minimumCardinality ?? 0) > Number(body.minimumCardinality ?? 0)) out.minimumCardinality = a.minimumCardinality;
  const ql = a.qlQuery ?? a.iql;
  if (ql !== undefined && ql !== '') out.qlQuery = ql;
  return Object.keys(out).length > 1 ? out : undefined;
}

/** True when the target attribute differs from the body in a field the body sets. */
function differs(existing: ObjectTypeAttribute, body: ObjectTypeAttributeCreate): boolean {
  const current: Record<string, unknown> = {
    name: existing.name,
    defaultTypeId: existing.defaultType?.id,
    label: existing.label,
    description: existing.description,
    typeValue: existing.typeValue,
    additionalValue: existing.additionalValue,
    minimumCardinality: existing.minimumCardinality,
    maximumCardinality: existing.maximumCardinality,
    suffix: existing.suffix,
    includeChildObjectTypes: existing.includeChildObjectTypes,
    hidden: existing.hidden,
    uniqueAttribute: existing.uniqueAttribute,
    summable: existing.summable,
    indexed: existing.indexed,
    regexValidation: existing.regexValidation,
    options: existing.options === '' ? undefined : existing.options,
  };
  for (const [k, v] of Object.entries(body)) {
    if (k === 'type' || k === 'typeValueMulti') continue;
    if (v !== undefined && current[k] !== v) return true;
  }
  return (
    JSON.stringify(existing.typeValueMulti ?? []) !==
    JSON.stringify(body.typeValueMulti ?? existing.typeValueMulti ?? [])
  );
}

/** Puts back what the load loosened; a refusal (data violating the constraint) becomes a warning. */
export async function tightenConstraints(
  client: AssetsClient,
  relaxed: RelaxedAttribute[],
  rewriteQuery: (ql: string) => { query: string; unmapped: string[] },
  calls: RestoreApiCalls,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const warnings: string[] = [];
  for (const r of relaxed) {
    const body: Partial<ObjectTypeAttributeCreate> = {};
    if (r.uniqueAttribute === true) body.uniqueAttribute = true;
    if (r.minimumCardinality !== undefined) body.minimumCardinality = r.minimumCardinality;
    if (r.qlQuery !== undefined) {
      const rewritten = rewriteQuery(r.qlQuery);
      body.qlQuery = rewritten.query;
      if (rewritten.unmapped.length > 0)
        warnings.push(
          `Attribute "${r.name}": its filter keeps values without a match on the target (${rewritten.unmapped.slice(0, 5).join(', ')})`,
        );
    }
    try {
      calls.structureWrites++;
      await client.updateAttribute(r.objectTypeId, r.attributeId, body, signal ? { signal } : {});
    } catch (err) {
      if (!(err instanceof AssetsApiError) || err.status !== 400) throw err;
      warnings.push(`Attribute "${r.name}": its constraints could not be restored (${err.message})`);
    }
  }
  return warnings;
}
