/**
 * The structure of one emulated site and the rules the real API enforces on it (assets-cloud-api.md
 * §3.1–3.3, §3.6, §3.7, §6): object schemas, object types with their inheritance and positions,
 * attribute definitions, status types, reference types, icons and the global config. Objects are
 * not here (objects.ts): the checks that depend on them ask `deps.objectCount`, and deletions that
 * remove objects are put in order by SiteStore.
 */
import {
  AttributeKind,
  DefaultType,
  GlobalConfigSchema,
  ObjectSchemaCreateSchema,
  ObjectSchemaUpdateSchema,
  ObjectTypeAttributeCreateSchema,
  ObjectTypeAttributeUpdateSchema,
  ObjectTypeCreateSchema,
  ObjectTypePositionSchema,
  ObjectTypeUpdateSchema,
  ReferenceTypeInSchema,
  StatusTypeInSchema,
  attributeErrorKey,
  type GlobalConfig,
} from '@assets-vault/shared/model';
import { parseAql } from '../aql.js';
import { DEFAULT_REFERENCE_TYPES, DEFAULT_STATUSES, GLOBAL_ICON_NAMES } from '../catalog.js';
import { badRequest, badRequestMessage, notFound } from '../errors.js';
import type { SiteIds } from '../ids.js';
import type { EmulatorKnobs } from '../types.js';
import {
  checkBody,
  toId,
  toInt,
  type AttrRec,
  type IconRec,
  type RefTypeRec,
  type Revision,
  type SchemaRec,
  type StatusRec,
  type TypeRec,
  type TypeView,
} from './records.js';

const SCHEMA_KEY_RE = /^[A-Z][A-Z0-9]{1,9}$/;
/** reported rejected in names on Data Center; off unless the knob asks for it */
const RESERVED_NAME_CHARS = /[=;:?."]/;

export interface SchemaRulesDeps {
  knobs: () => EmulatorKnobs;
  ids: SiteIds;
  clock: () => number;
  revision: Revision;
  /** Jira groups: user attributes may pick users from them */
  hasGroup: (name: string) => boolean;
  /** objects a type holds (a type with objects cannot become abstract, nor be deleted under `reject`) */
  objectCount: (typeId: number) => number;
}

export class SchemaRules {
  private readonly schemas = new Map<number, SchemaRec>();
  private readonly types = new Map<number, TypeRec>();
  private readonly attrs = new Map<number, AttrRec>();
  private readonly statuses = new Map<number, StatusRec>();
  private readonly refTypes = new Map<number, RefTypeRec>();
  private readonly icons = new Map<number, IconRec>();
  /** own + inherited attributes per type, until the next structural change */
  private readonly views = new Map<number, TypeView>();
  private readonly config: Required<GlobalConfig> = {
    allowOtherObjectSchema: false,
    validateQuickCreate: false,
    quickCreateObjects: false,
  };
  private readonly ids: SiteIds;
  private readonly clock: () => number;
  private readonly revision: Revision;

  constructor(private readonly deps: SchemaRulesDeps) {
    this.ids = deps.ids;
    this.clock = deps.clock;
    this.revision = deps.revision;
    // the built-in catalog has the same small ids on every site (community code falls back to iconId "1")
    GLOBAL_ICON_NAMES.forEach((name, i) => this.icons.set(i + 1, { id: i + 1, name }));
    for (const s of DEFAULT_STATUSES) {
      const id = this.ids.status.next();
      this.statuses.set(id, {
        id,
        name: s.name,
        category: s.category,
        ...(s.description ? { description: s.description } : {}),
      });
    }
    for (const r of DEFAULT_REFERENCE_TYPES) {
      const id = this.ids.referenceType.next();
      this.refTypes.set(id, {
        id,
        name: r.name,
        color: r.color,
        removable: false,
        ...(r.description ? { description: r.description } : {}),
      });
    }
  }

  private structural(): void {
    this.revision.bump();
    this.views.clear();
  }

  // -------------------------------------------------------------------------------------------
  // Reads (records are the store's own: render them, do not change them)

  schema(id: number): SchemaRec | undefined {
    return this.schemas.get(id);
  }
  schemaList(): SchemaRec[] {
    return [...this.schemas.values()];
  }
  type(id: number): TypeRec | undefined {
    return this.types.get(id);
  }
  typeList(): TypeRec[] {
    return [...this.types.values()];
  }
  attribute(id: number): AttrRec | undefined {
    return this.attrs.get(id);
  }
  /** Every attribute definition of the site with this name (AQL names attributes site-wide). */
  attributesNamed(name: string): AttrRec[] {
    const lower = name.toLowerCase();
    return [...this.attrs.values()].filter((a) => a.name.toLowerCase() === lower);
  }
  status(id: number): StatusRec | undefined {
    return this.statuses.get(id);
  }
  referenceType(id: number): RefTypeRec | undefined {
    return this.refTypes.get(id);
  }
  icon(id: number): IconRec | undefined {
    return this.icons.get(id);
  }
  iconList(): IconRec[] {
    return [...this.icons.values()];
  }
  get globalConfig(): Readonly<Required<GlobalConfig>> {
    return this.config;
  }

  /** The next key number of a schema's objects: counted per schema, never reused (§8). */
  takeKeyNumber(schemaId: number): number {
    return ++this.getSchema(schemaId).lastKeyNumber;
  }

  // -------------------------------------------------------------------------------------------
  // Object schemas

  getSchema(id: unknown): SchemaRec {
    const n = toId(id);
    const s = n === undefined ? undefined : this.schemas.get(n);
    if (!s) throw notFound(`Object schema with id ${String(id)} was not found`);
    return s;
  }

  schemaTypeIds(schemaId: number): number[] {
    const out: number[] = [];
    for (const t of this.types.values()) if (t.schemaId === schemaId) out.push(t.id);
    return out;
  }

  createSchema(body: unknown, opts: { canManage?: boolean } = {}): SchemaRec {
    checkBody(ObjectSchemaCreateSchema, body);
    const b = body as { name: string; objectSchemaKey: string; description?: string };
    this.checkSchemaUnique(b.name, b.objectSchemaKey);
    const now = this.clock();
    const id = this.ids.schema.next();
    const rec: SchemaRec = {
      id,
      name: b.name,
      key: b.objectSchemaKey,
      lastKeyNumber: 0,
      created: now,
      updated: now,
      canManage: opts.canManage ?? true,
      config: { allowOtherObjectSchema: false, validateQuickCreate: false, quickCreateObjects: false },
      ...(b.description ? { description: b.description } : {}),
    };
    this.schemas.set(id, rec);
    this.revision.bump();
    return rec;
  }

  private checkSchemaUnique(name: string | undefined, key: string | undefined, exceptId?: number): void {
    const errors: Record<string, string> = {};
    if (name !== undefined) {
      if (name.trim() === '') errors.name = 'Name must not be empty';
      else if (this.reservedName(name)) errors.name = 'The name contains a reserved character (= ; : ? . ")';
      for (const s of this.schemas.values()) {
        if (s.id !== exceptId && s.name.toLowerCase() === name.toLowerCase())
          errors.name = `An object schema with the name "${name}" already exists`;
      }
    }
    if (key !== undefined) {
      if (!SCHEMA_KEY_RE.test(key))
        errors.objectSchemaKey =
          'The key must be 2-10 characters: upper-case letters and digits, starting with a letter';
      for (const s of this.schemas.values()) {
        if (s.id !== exceptId && s.key === key)
          errors.objectSchemaKey = `An object schema with the key "${key}" already exists`;
      }
    }
    if (Object.keys(errors).length > 0) throw badRequest(errors);
  }

  updateSchema(id: unknown, body: unknown): SchemaRec {
    const s = this.getSchema(id);
    checkBody(ObjectSchemaUpdateSchema, body);
    const b = body as { name?: string; objectSchemaKey?: string; description?: string };
    this.checkSchemaUnique(b.name, b.objectSchemaKey, s.id);
    if (b.name !== undefined) s.name = b.name;
    if (b.objectSchemaKey !== undefined) s.key = b.objectSchemaKey;
    if (b.description !== undefined) {
      if (b.description === '') delete s.description;
      else s.description = b.description;
    }
    s.updated = this.clock();
    this.structural();
    return s;
  }

  /** Refuses to delete a schema that still has types when the `deleteNonEmpty` knob says so. */
  checkSchemaDeletable(s: SchemaRec): void {
    if (this.deps.knobs().deleteNonEmpty === 'reject' && this.schemaTypeIds(s.id).length > 0) {
      throw badRequestMessage(`Object schema ${s.name} still has object types`);
    }
  }

  /** Drops a schema with its types, attributes, statuses, reference types and icons (objects go first, see SiteStore). */
  removeSchema(s: SchemaRec): void {
    for (const typeId of this.schemaTypeIds(s.id)) this.removeTypeTree(typeId);
    for (const st of [...this.statuses.values()]) if (st.schemaId === s.id) this.statuses.delete(st.id);
    for (const rt of [...this.refTypes.values()]) if (rt.schemaId === s.id) this.refTypes.delete(rt.id);
    for (const icon of [...this.icons.values()]) if (icon.schemaId === s.id) this.icons.delete(icon.id);
    this.schemas.delete(s.id);
    this.structural();
  }

  setSchemaConfig(id: unknown, body: unknown): void {
    const s = this.getSchema(id);
    checkBody(GlobalConfigSchema, body);
    Object.assign(s.config, body as GlobalConfig);
    this.structural();
  }

  // -------------------------------------------------------------------------------------------
  // Object types

  getType(id: unknown): TypeRec {
    const n = toId(id);
    const t = n === undefined ? undefined : this.types.get(n);
    if (!t) throw notFound(`Object type with id ${String(id)} was not found`);
    return t;
  }

  childrenOf(parentId: number | undefined, schemaId: number): TypeRec[] {
    const out: TypeRec[] = [];
    for (const t of this.types.values()) if (t.schemaId === schemaId && t.parentId === parentId) out.push(t);
    return out.sort((a, b) => a.position - b.position || a.id - b.id);
  }

  /** true when `typeId` is `ancestorId` or below it */
  isSameOrDescendant(typeId: number, ancestorId: number): boolean {
    let cur: TypeRec | undefined = this.types.get(typeId);
    for (let depth = 0; cur && depth < 100; depth++) {
      if (cur.id === ancestorId) return true;
      cur = cur.parentId === undefined ? undefined : this.types.get(cur.parentId);
    }
    return false;
  }

  createType(body: unknown): TypeRec {
    checkBody(ObjectTypeCreateSchema, body);
    const b = body as {
      name: string;
      objectSchemaId: unknown;
      iconId: unknown;
      description?: string;
      parentObjectTypeId?: unknown;
      inherited?: boolean;
      abstractObjectType?: boolean;
    };
    const schemaId = toId(b.objectSchemaId);
    const schema = schemaId === undefined ? undefined : this.schemas.get(schemaId);
    if (!schema)
      throw badRequest({ objectSchemaId: `Object schema with id ${String(b.objectSchemaId)} was not found` });
    const iconId = this.usableIconId(b.iconId, schema.id);
    let parent: TypeRec | undefined;
    if (b.parentObjectTypeId !== undefined && b.parentObjectTypeId !== null && b.parentObjectTypeId !== '') {
      const pid = toId(b.parentObjectTypeId);
      parent = pid === undefined ? undefined : this.types.get(pid);
      if (!parent || parent.schemaId !== schema.id)
        throw badRequest({
          parentObjectTypeId: `Parent object type ${String(b.parentObjectTypeId)} was not found in this schema`,
        });
    }
    this.checkTypeName(schema.id, b.name);
    const now = this.clock();
    const id = this.ids.type.next();
    const rec: TypeRec = {
      id,
      schemaId: schema.id,
      name: b.name,
      iconId,
      position: this.childrenOf(parent?.id, schema.id).length,
      created: now,
      updated: now,
      inherited: b.inherited ?? false,
      abstract: b.abstractObjectType ?? false,
      parentInherited: parent?.inherited ?? false,
      ...(parent ? { parentId: parent.id } : {}),
      ...(b.description ? { description: b.description } : {}),
    };
    this.types.set(id, rec);
    // A type inheriting from its parent receives the parent's Key/Name/Created/Updated instead of its own.
    if (!rec.parentInherited) {
      this.addSystemAttrs(rec);
    }
    schema.updated = now;
    this.structural();
    return rec;
  }

  private addSystemAttrs(t: TypeRec): void {
    const base = {
      typeId: t.id,
      kind: AttributeKind.Default,
      indexed: true,
      sortable: true,
      summable: false,
      min: 1,
      max: 1,
      removable: false,
      hidden: false,
      includeChildObjectTypes: false,
      unique: false,
      options: '',
    };
    const mk = (name: string, defaultTypeId: number, position: number, extra: Partial<AttrRec>): void => {
      const id = this.ids.attribute.next();
      this.attrs.set(id, {
        ...base,
        id,
        name,
        defaultTypeId,
        position,
        label: false,
        editable: false,
        system: true,
        ...extra,
      });
    };
    mk('Key', DefaultType.Text, 0, { role: 'key' });
    mk('Name', DefaultType.Text, 1, { label: true, editable: true, system: false, removable: false, min: 1 });
    mk('Created', DefaultType.DateTime, 2, { role: 'created', min: 0 });
    mk('Updated', DefaultType.DateTime, 3, { role: 'updated', min: 0 });
  }

  reservedName(name: string): boolean {
    return (this.deps.knobs().rejectReservedNameCharacters ?? false) && RESERVED_NAME_CHARS.test(name);
  }

  private checkTypeName(schemaId: number, name: string, exceptId?: number): void {
    if (name.trim() === '') throw badRequest({ name: 'Name must not be empty' });
    if (this.reservedName(name)) throw badRequest({ name: 'The name contains a reserved character (= ; : ? . ")' });
    for (const t of this.types.values()) {
      if (t.schemaId === schemaId && t.id !== exceptId && t.name.toLowerCase() === name.toLowerCase()) {
        throw badRequest({ name: `An object type with the name "${name}" already exists in this schema` });
      }
    }
  }

  updateType(id: unknown, body: unknown): TypeRec {
    const t = this.getType(id);
    checkBody(ObjectTypeUpdateSchema, body);
    const b = body as {
      name?: string;
      description?: string;
      iconId?: unknown;
      inherited?: boolean;
      abstractObjectType?: boolean;
    };
    if (b.name !== undefined) this.checkTypeName(t.schemaId, b.name, t.id);
    if (b.iconId !== undefined) t.iconId = this.usableIconId(b.iconId, t.schemaId);
    const children = this.childrenOf(t.id, t.schemaId);
    if (b.inherited !== undefined && b.inherited !== t.inherited && children.length > 0) {
      throw badRequest({ inherited: 'Attribute inheritance cannot be changed while the object type has child types' });
    }
    if (b.abstractObjectType === true && !t.abstract && this.deps.objectCount(t.id) > 0) {
      throw badRequest({ abstractObjectType: 'An object type with objects cannot be made abstract' });
    }
    if (b.name !== undefined) t.name = b.name;
    if (b.description !== undefined) {
      if (b.description === '') delete t.description;
      else t.description = b.description;
    }
    if (b.inherited !== undefined) t.inherited = b.inherited;
    if (b.abstractObjectType !== undefined) t.abstract = b.abstractObjectType;
    t.updated = this.clock();
    this.structural();
    return t;
  }

  moveType(id: unknown, body: unknown): TypeRec {
    const t = this.getType(id);
    checkBody(ObjectTypePositionSchema, body);
    const b = body as { toObjectTypeId?: unknown; position: number };
    let parent: TypeRec | undefined;
    if (b.toObjectTypeId !== undefined && b.toObjectTypeId !== null && b.toObjectTypeId !== '') {
      parent = this.types.get(toId(b.toObjectTypeId) ?? -1);
      if (!parent || parent.schemaId !== t.schemaId)
        throw badRequest({ toObjectTypeId: `Object type ${String(b.toObjectTypeId)} was not found in this schema` });
      if (this.isSameOrDescendant(parent.id, t.id))
        throw badRequest({ toObjectTypeId: 'An object type cannot be moved below itself' });
    }
    if ((parent?.inherited ?? false) !== t.parentInherited) {
      throw badRequest({ toObjectTypeId: 'An object type cannot be moved into or out of an inheritance tree' });
    }
    if (!Number.isInteger(b.position) || b.position < 0)
      throw badRequest({ position: 'position must be a non-negative integer' });
    const oldSiblings = this.childrenOf(t.parentId, t.schemaId).filter((s) => s.id !== t.id);
    oldSiblings.forEach((s, i) => {
      s.position = i;
    });
    const siblings = this.childrenOf(parent?.id, t.schemaId).filter((s) => s.id !== t.id);
    siblings.splice(Math.min(b.position, siblings.length), 0, t);
    siblings.forEach((s, i) => {
      s.position = i;
    });
    if (parent) t.parentId = parent.id;
    else delete t.parentId;
    t.updated = this.clock();
    this.structural();
    return t;
  }

  /** Refuses to delete a type with objects or child types when the `deleteNonEmpty` knob says so. */
  checkTypeDeletable(t: TypeRec): void {
    if (
      this.deps.knobs().deleteNonEmpty === 'reject' &&
      (this.deps.objectCount(t.id) > 0 || this.childrenOf(t.id, t.schemaId).length > 0)
    ) {
      throw badRequestMessage(`Object type ${t.name} still has objects or child types`);
    }
  }

  /** A type and every type below it. */
  typeTree(typeId: number): number[] {
    const t = this.types.get(typeId);
    if (!t) return [];
    return [t.id, ...this.childrenOf(t.id, t.schemaId).flatMap((c) => this.typeTree(c.id))];
  }

  /** Drops a type, the types below it and their attributes, and closes the gap among its siblings (objects go first). */
  removeType(t: TypeRec): void {
    this.removeTypeTree(t.id);
    this.childrenOf(t.parentId, t.schemaId).forEach((s, i) => {
      s.position = i;
    });
    this.structural();
  }

  private removeTypeTree(typeId: number): void {
    const t = this.types.get(typeId);
    if (!t) return;
    for (const child of this.childrenOf(t.id, t.schemaId)) this.removeTypeTree(child.id);
    for (const a of [...this.attrs.values()]) if (a.typeId === typeId) this.attrs.delete(a.id);
    this.types.delete(typeId);
    this.structural();
  }

  // -------------------------------------------------------------------------------------------
  // Attributes

  /** Own plus inherited attributes of a type, cached until the next structural change. */
  view(typeId: number): TypeView {
    const hit = this.views.get(typeId);
    if (hit) return hit;
    const type = this.types.get(typeId);
    if (!type) throw notFound(`Object type with id ${typeId} was not found`);
    const inherited =
      type.parentInherited && type.parentId !== undefined && this.types.has(type.parentId)
        ? this.view(type.parentId).attrs
        : [];
    const own: AttrRec[] = [];
    for (const a of this.attrs.values()) if (a.typeId === typeId) own.push(a);
    own.sort((a, b) => a.position - b.position || a.id - b.id);
    const attrs = [...inherited, ...own];
    const view: TypeView = { type, attrs, byId: new Map(), byLowerName: new Map() };
    for (const a of attrs) {
      view.byId.set(a.id, a);
      if (!view.byLowerName.has(a.name.toLowerCase())) view.byLowerName.set(a.name.toLowerCase(), a);
      if (a.label) view.labelAttr = a;
    }
    this.views.set(typeId, view);
    return view;
  }

  getAttribute(id: unknown): AttrRec {
    const n = toId(id);
    const a = n === undefined ? undefined : this.attrs.get(n);
    if (!a) throw notFound(`Object type attribute with id ${String(id)} was not found`);
    return a;
  }

  schemaAttributes(schemaId: number): AttrRec[] {
    const typeIds = new Set(this.schemaTypeIds(schemaId));
    return [...this.attrs.values()]
      .filter((a) => typeIds.has(a.typeId))
      .sort((a, b) => a.typeId - b.typeId || a.position - b.position);
  }

  createAttribute(typeId: unknown, body: unknown): AttrRec {
    const t = this.getType(typeId);
    checkBody(ObjectTypeAttributeCreateSchema, body);
    const b = body as Record<string, unknown>;
    const view = this.view(t.id);
    const name = String(b.name);
    if (this.reservedName(name)) throw badRequest({ name: 'The name contains a reserved character (= ; : ? . ")' });
    if (view.byLowerName.has(name.toLowerCase()))
      throw badRequest({ name: `An attribute with the name "${name}" already exists on this object type` });
    const id = this.ids.attribute.next();
    const rec: AttrRec = {
      id,
      typeId: t.id,
      name,
      label: false,
      kind: toInt(b.type) ?? -99,
      editable: true,
      system: false,
      indexed: true,
      sortable: true,
      summable: false,
      min: 0,
      max: 1,
      removable: true,
      hidden: false,
      includeChildObjectTypes: false,
      unique: false,
      options: '',
      position: view.attrs.length,
    };
    this.applyAttributeFields(rec, b, t, true);
    this.attrs.set(id, rec);
    if (rec.label) this.moveLabel(t.id, rec);
    t.updated = this.clock();
    this.structural();
    return rec;
  }

  updateAttribute(typeId: unknown, id: unknown, body: unknown): AttrRec {
    const t = this.getType(typeId);
    const a = this.getAttribute(id);
    if (!this.view(t.id).byId.has(a.id)) throw notFound(`Attribute ${a.id} does not belong to object type ${t.id}`);
    if (a.system)
      throw badRequest({ [attributeErrorKey(String(a.id))]: `System attribute ${a.name} cannot be changed` });
    checkBody(ObjectTypeAttributeUpdateSchema, body);
    const b = body as Record<string, unknown>;
    if (b.name !== undefined && this.reservedName(String(b.name)))
      throw badRequest({ name: 'The name contains a reserved character (= ; : ? . ")' });
    if (
      b.name !== undefined &&
      String(b.name).toLowerCase() !== a.name.toLowerCase() &&
      this.view(t.id).byLowerName.has(String(b.name).toLowerCase())
    ) {
      throw badRequest({ name: `An attribute with the name "${String(b.name)}" already exists on this object type` });
    }
    if (b.type !== undefined && toInt(b.type) !== a.kind)
      throw badRequest({ type: 'The kind of an attribute cannot be changed' });
    const draft: AttrRec = { ...a };
    if (b.name !== undefined) draft.name = String(b.name);
    this.applyAttributeFields(draft, b, this.types.get(a.typeId) ?? t, false);
    Object.assign(a, draft);
    if (b.label === true) this.moveLabel(a.typeId, a);
    t.updated = this.clock();
    this.structural();
    return a;
  }

  /** Validates and copies the definition fields shared by create and update. */
  private applyAttributeFields(rec: AttrRec, b: Record<string, unknown>, owner: TypeRec, creating: boolean): void {
    const errors: Record<string, string> = {};
    if (![0, 1, 2, 4, 7].includes(rec.kind)) errors.type = `Attribute type ${String(b.type)} is not supported`;
    if (rec.kind === AttributeKind.Default) {
      const dt = b.defaultTypeId !== undefined ? toInt(b.defaultTypeId) : rec.defaultTypeId;
      if (dt === undefined || dt < 0 || dt > 11)
        errors.defaultTypeId = 'defaultTypeId is required for default attributes (0-11)';
      else rec.defaultTypeId = dt;
    }
    if (rec.kind === AttributeKind.Reference) {
      const tv = b.typeValue !== undefined ? String(b.typeValue) : rec.typeValue;
      const target = tv === undefined ? undefined : this.types.get(toId(tv) ?? -1);
      if (!target) errors.typeValue = 'typeValue must be the id of an existing object type';
      else {
        rec.typeValue = String(target.id);
        const ownerSchema = this.schemas.get(owner.schemaId);
        if (target.schemaId !== owner.schemaId && !(ownerSchema?.config.allowOtherObjectSchema ?? false)) {
          errors.typeValue = `Object type ${target.id} belongs to another schema and this schema does not allow references to other schemas`;
        }
      }
      const av = b.additionalValue !== undefined ? String(b.additionalValue) : rec.additionalValue;
      const rt = av === undefined ? undefined : this.refTypes.get(toId(av) ?? -1);
      if (!rt) errors.additionalValue = 'additionalValue must be the id of an existing reference type';
      else rec.additionalValue = String(rt.id);
    } else if (b.additionalValue !== undefined) {
      rec.additionalValue = String(b.additionalValue);
    }
    if (b.typeValueMulti !== undefined) {
      const list = b.typeValueMulti as string[];
      if (rec.kind === AttributeKind.Status) {
        const bad = list.filter((s) => !this.statuses.has(toId(s) ?? -1));
        if (bad.length > 0) errors.typeValueMulti = `Unknown status ids: ${bad.join(', ')}`;
      } else if (rec.kind === AttributeKind.User) {
        const bad = list.filter((g) => !this.deps.hasGroup(g));
        if (bad.length > 0) errors.typeValueMulti = `Invalid Group(s): ${bad.join(', ')}`;
      }
      rec.typeValueMulti = [...list];
    }
    const min = b.minimumCardinality !== undefined ? toInt(b.minimumCardinality) : rec.min;
    const max = b.maximumCardinality !== undefined ? toInt(b.maximumCardinality) : rec.max;
    if (min === undefined || min < 0) errors.minimumCardinality = 'minimumCardinality must be 0 or more';
    else rec.min = min;
    if (max === undefined || max === 0 || max < -1)
      errors.maximumCardinality = 'maximumCardinality must be -1 or at least 1';
    else if (max === -1 && creating && this.deps.knobs().rejectUnlimitedCardinality)
      errors.maximumCardinality = 'maximumCardinality -1 is not allowed';
    else rec.max = max;
    if (min !== undefined && max !== undefined && max !== -1 && min > max)
      errors.minimumCardinality = 'minimumCardinality is larger than maximumCardinality';
    if (b.regexValidation !== undefined) {
      try {
        new RegExp(String(b.regexValidation));
        rec.regexValidation = String(b.regexValidation);
      } catch {
        errors.regexValidation = 'regexValidation is not a valid regular expression';
      }
      if (rec.regexValidation === '') delete rec.regexValidation;
    }
    const ql = b.qlQuery ?? b.iql;
    if (ql !== undefined) {
      if (String(ql) === '') delete rec.qlQuery;
      else {
        try {
          parseAql(String(ql));
          rec.qlQuery = String(ql);
        } catch {
          errors.qlQuery = 'qlQuery is not a valid AQL query';
        }
      }
    }
    if (b.options !== undefined) rec.options = String(b.options);
    if (b.description !== undefined) {
      if (b.description === '') delete rec.description;
      else rec.description = String(b.description);
    }
    if (b.suffix !== undefined) {
      if (b.suffix === '') delete rec.suffix;
      else rec.suffix = String(b.suffix);
    }
    for (const [field, key] of [
      ['hidden', 'hidden'],
      ['uniqueAttribute', 'unique'],
      ['summable', 'summable'],
      ['includeChildObjectTypes', 'includeChildObjectTypes'],
      ['indexed', 'indexed'],
    ] as const) {
      if (typeof b[field] === 'boolean') rec[key] = b[field];
    }
    if (b.label === true) {
      if (rec.kind !== AttributeKind.Default) errors.label = 'Only default attributes can be the label';
      const ownerView = this.view(owner.id);
      if (ownerView.labelAttr && ownerView.labelAttr.typeId !== owner.id)
        errors.label = 'The label is inherited from the parent object type';
      rec.label = true;
    } else if (b.label === false && rec.label) {
      errors.label = 'An object type needs a label: set label on another attribute instead';
    }
    if (Object.keys(errors).length > 0) throw badRequest(errors);
  }

  private moveLabel(typeId: number, newLabel: AttrRec): void {
    for (const a of this.attrs.values()) if (a.typeId === typeId && a.id !== newLabel.id) a.label = false;
    newLabel.label = true;
    this.revision.bump();
  }

  /** Drops an attribute definition (its values go with it, see SiteStore); system and label attributes stay. */
  removeAttribute(id: unknown): AttrRec {
    const a = this.getAttribute(id);
    if (a.system || !a.removable)
      throw badRequest({ [attributeErrorKey(String(a.id))]: `Attribute ${a.name} cannot be deleted` });
    if (a.label) throw badRequest({ [attributeErrorKey(String(a.id))]: 'The label attribute cannot be deleted' });
    this.attrs.delete(a.id);
    const t = this.types.get(a.typeId);
    if (t) t.updated = this.clock();
    this.structural();
    return a;
  }

  // -------------------------------------------------------------------------------------------
  // Statuses, reference types, icons

  statusList(schemaId?: number): StatusRec[] {
    return [...this.statuses.values()].filter(
      (s) => s.schemaId === undefined || (schemaId !== undefined && s.schemaId === schemaId),
    );
  }
  getStatus(id: unknown): StatusRec {
    const s = this.statuses.get(toId(id) ?? -1);
    if (!s) throw notFound(`Status type with id ${String(id)} was not found`);
    return s;
  }
  createStatus(body: unknown): StatusRec {
    const rec = { id: this.ids.status.next() } as StatusRec;
    this.applyStatus(rec, body);
    this.statuses.set(rec.id, rec);
    this.revision.bump();
    return rec;
  }
  updateStatus(id: unknown, body: unknown): StatusRec {
    const s = this.getStatus(id);
    const draft = { ...s };
    this.applyStatus(draft, body);
    Object.assign(s, draft);
    if (draft.description === undefined) delete s.description;
    this.revision.bump();
    return s;
  }
  private applyStatus(rec: StatusRec, body: unknown): void {
    checkBody(StatusTypeInSchema, body);
    const b = body as { name: string; category: unknown; description?: string; objectSchemaId?: unknown };
    const category = toInt(b.category);
    if (category !== 0 && category !== 1 && category !== 2)
      throw badRequest({ category: 'category must be 0, 1 or 2' });
    let schemaId: number | undefined;
    if (b.objectSchemaId !== undefined && b.objectSchemaId !== '') {
      schemaId = this.getSchemaForBody(b.objectSchemaId).id;
    }
    for (const s of this.statuses.values()) {
      if (s.id !== rec.id && s.schemaId === schemaId && s.name.toLowerCase() === b.name.toLowerCase()) {
        throw badRequest({ name: `A status named "${b.name}" already exists` });
      }
    }
    rec.name = b.name;
    rec.category = category;
    if (b.description) rec.description = b.description;
    else delete rec.description;
    if (schemaId !== undefined) rec.schemaId = schemaId;
    else delete rec.schemaId;
  }
  deleteStatus(id: unknown): void {
    const s = this.getStatus(id);
    this.statuses.delete(s.id);
    this.revision.bump();
  }
  private getSchemaForBody(v: unknown): SchemaRec {
    const s = this.schemas.get(toId(v) ?? -1);
    if (!s) throw badRequest({ objectSchemaId: `Object schema with id ${String(v)} was not found` });
    return s;
  }

  /** `/icon/global`: the built-in catalog plus the site's own global uploads. */
  globalIcons(): IconRec[] {
    return [...this.icons.values()].filter((i) => i.schemaId === undefined);
  }

  getIcon(id: unknown): IconRec {
    const icon = this.icons.get(toId(id) ?? -1);
    if (!icon) throw notFound(`Icon with id ${String(id)} was not found`);
    return icon;
  }

  /**
   * Seeds an icon as if someone had uploaded it in the past (the public API has no upload, §3.7):
   * global (listed by `/icon/global` of this site only) or of one schema (usable by its types only).
   */
  addIcon(input: { name: string; schemaId?: number }): IconRec {
    if (input.name.trim() === '') throw badRequest({ name: 'Name must not be empty' });
    if (input.schemaId !== undefined) this.getSchema(input.schemaId);
    for (const i of this.icons.values()) {
      if (i.schemaId === input.schemaId && i.name.toLowerCase() === input.name.toLowerCase())
        throw badRequest({ name: `An icon named "${input.name}" already exists` });
    }
    const rec: IconRec = {
      id: this.ids.icon.next(),
      name: input.name,
      ...(input.schemaId !== undefined ? { schemaId: input.schemaId } : {}),
    };
    this.icons.set(rec.id, rec);
    this.structural();
    return rec;
  }

  /** An icon id a type of `schemaId` may use: a global one or one uploaded in that schema. */
  private usableIconId(raw: unknown, schemaId: number): number {
    const icon = this.icons.get(toId(raw) ?? -1);
    if (!icon) throw badRequest({ iconId: `Icon with id ${String(raw)} was not found` });
    if (icon.schemaId !== undefined && icon.schemaId !== schemaId)
      throw badRequest({ iconId: `Icon with id ${String(raw)} belongs to another object schema` });
    return icon.id;
  }

  refTypeList(schemaId: number | undefined, includeAll: boolean): RefTypeRec[] {
    return [...this.refTypes.values()].filter((r) => includeAll || r.schemaId === undefined || r.schemaId === schemaId);
  }
  createRefType(body: unknown): RefTypeRec {
    checkBody(ReferenceTypeInSchema, body);
    const b = body as { name: string; description?: string; color?: string; objectSchemaId?: unknown };
    let schemaId: number | undefined;
    if (b.objectSchemaId !== undefined && b.objectSchemaId !== '')
      schemaId = this.getSchemaForBody(b.objectSchemaId).id;
    if (b.color !== undefined && !/^[0-9a-fA-F]{6}$/.test(b.color))
      throw badRequest({ color: 'color must be 6 hex digits without #' });
    for (const r of this.refTypes.values()) {
      if (r.schemaId === schemaId && r.name.toLowerCase() === b.name.toLowerCase())
        throw badRequest({ name: `A reference type named "${b.name}" already exists` });
    }
    const id = this.ids.referenceType.next();
    const rec: RefTypeRec = {
      id,
      name: b.name,
      removable: true,
      ...(b.description ? { description: b.description } : {}),
      ...(b.color ? { color: b.color.toLowerCase() } : {}),
      ...(schemaId !== undefined ? { schemaId } : {}),
    };
    this.refTypes.set(id, rec);
    this.revision.bump();
    return rec;
  }
}
