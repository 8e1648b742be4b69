/**
 * In-memory state of one emulated site (one Assets workspace plus its Jira side) and every rule the
 * real API enforces on writes (assets-cloud-api.md §3, §5, §6, §8, §10). Store methods validate,
 * mutate and throw `EmulatorHttpError` with the body the real service would send; rendering to
 * the wire shapes lives in render.ts.
 *
 * Performance shape: objects live in one Map (insertion order = id order, because ids only grow),
 * each type keeps a Set of its object ids, equality lookups on attribute values go through lazily
 * built indexes maintained on every write, and AQL results are cached per query string until the
 * next mutation. A page of /object/aql is therefore a slice, not a scan.
 */
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import {
  AttributeKind,
  DefaultType,
  ObjectInSchema,
  ObjectSchemaCreateSchema,
  ObjectSchemaUpdateSchema,
  ObjectTypeAttributeCreateSchema,
  ObjectTypeAttributeUpdateSchema,
  ObjectTypeCreateSchema,
  ObjectTypePositionSchema,
  ObjectTypeUpdateSchema,
  ReferenceTypeInSchema,
  StatusTypeInSchema,
  GlobalConfigSchema,
  attributeErrorKey,
  type GlobalConfig,
} from '@assets-vault/shared/model';
import { badRequest, badRequestMessage, notFound } from './errors.js';
import { DEFAULT_GROUPS, DEFAULT_REFERENCE_TYPES, DEFAULT_STATUSES, GLOBAL_ICON_NAMES } from './catalog.js';
import { checkDefaultValue, normaliseDefaultValue } from './values.js';
import { matchValue, parseAql, type AqlNode, type AqlQuery } from './aql.js';
import type { EmulatorKnobs } from './types.js';
import { SiteIds } from './ids.js';

export interface SchemaRec {
  id: number;
  name: string;
  key: string;
  /** the number in the key of the schema's newest object: keys count per schema, independent of ids (§8) */
  lastKeyNumber: number;
  description?: string;
  created: number;
  updated: number;
  canManage: boolean;
  config: Required<GlobalConfig>;
}
export interface TypeRec {
  id: number;
  schemaId: number;
  name: string;
  description?: string;
  iconId: number;
  parentId?: number;
  position: number;
  created: number;
  updated: number;
  inherited: boolean;
  abstract: boolean;
  /** whether this type receives its parent's attributes (fixed when the type is created) */
  parentInherited: boolean;
}
export type SystemRole = 'key' | 'created' | 'updated';
export interface AttrRec {
  id: number;
  typeId: number;
  name: string;
  description?: string;
  label: boolean;
  kind: number;
  defaultTypeId?: number;
  typeValue?: string;
  typeValueMulti?: string[];
  additionalValue?: string;
  editable: boolean;
  system: boolean;
  role?: SystemRole;
  indexed: boolean;
  sortable: boolean;
  summable: boolean;
  min: number;
  max: number;
  suffix?: string;
  removable: boolean;
  hidden: boolean;
  includeChildObjectTypes: boolean;
  unique: boolean;
  regexValidation?: string;
  qlQuery?: string;
  options: string;
  position: number;
}
export interface ObjRec {
  id: number;
  typeId: number;
  schemaId: number;
  /** `<n>` of the object key `<schemaKey>-<n>` */
  keyNumber: number;
  created: number;
  updated: number;
  /** attribute id → stored value strings (reference = target object id, status = status id, user = accountId) */
  values: Map<number, string[]>;
  avatarUUID?: string;
}
export interface HistoryRec {
  id: number;
  objectId: number;
  actor: string;
  type: number;
  affectedAttribute?: string;
  oldValue?: string;
  newValue?: string;
  created: number;
}
export interface StatusRec {
  id: number;
  name: string;
  description?: string;
  category: 0 | 1 | 2;
  schemaId?: number;
}
export interface RefTypeRec {
  id: number;
  name: string;
  description?: string;
  color?: string;
  schemaId?: number;
  removable: boolean;
}
export interface UserRec {
  accountId: string;
  displayName: string;
  email: string;
}
export interface IconRec {
  id: number;
  name: string;
  /** absent: in the site's global catalog; present: uploaded in that schema, usable there only */
  schemaId?: number;
}
export interface AvatarRec {
  uuid: string;
  fileId: string;
  colour: number;
}
export interface JiraFieldRec {
  id: string;
  name: string;
  custom: boolean;
  customId?: number;
  schema?: { type: string; items?: string; custom?: string; customId?: number; system?: string };
}
export interface IssueRec {
  id: number;
  key: string;
  projectKey: string;
  summary: string;
  status: string;
  issueType: string;
  reporter: string;
  created: number;
  updated: number;
  /** custom field id → value (Assets fields: array of {workspaceId,id,objectId}) */
  custom: Map<string, unknown>;
}

export interface TypeView {
  type: TypeRec;
  /** own and inherited attributes, inherited first, each group by position */
  attrs: AttrRec[];
  byId: Map<number, AttrRec>;
  byLowerName: Map<string, AttrRec>;
  labelAttr?: AttrRec;
}

/** History `type` codes used by the emulator; opaque to clients except 0 = created. */
export const HistoryType = {
  Created: 0,
  ValueAdded: 1,
  ValueChanged: 2,
  ValueRemoved: 3,
  ReferenceAdded: 4,
  ReferenceRemoved: 5,
  AvatarChanged: 6,
} as const;

export function toId(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d{1,15}$/.test(v)) return Number(v);
  return undefined;
}
function toInt(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d{1,15}$/.test(v)) return Number(v);
  return undefined;
}

/** Checks a request body against a model schema (no coercion) and turns failures into a Jira 400. */
export function checkBody<T extends TSchema>(schema: T, body: unknown): void {
  if (Value.Check(schema, body)) return;
  const errors: Record<string, string> = {};
  for (const e of Value.Errors(schema, body)) {
    const key = e.path.replace(/^\//, '').replace(/\//g, '.') || 'body';
    if (!(key in errors)) errors[key] = e.message;
    if (Object.keys(errors).length >= 5) break;
  }
  throw badRequest(errors);
}

const SCHEMA_KEY_RE = /^[A-Z][A-Z0-9]{1,9}$/;
/** reported rejected in names on Data Center; off unless the knob asks for it */
const RESERVED_NAME_CHARS = /[=;:?."]/;
const AQL_RESERVED = new Set([
  'objectschemaid',
  'objecttypeid',
  'objecttype',
  'objectschema',
  'objectid',
  'key',
  'objectkey',
  'label',
]);
const AQL_CACHE_SIZE = 64;

export interface StoreOptions {
  workspaceId: string;
  adminAccountId: string;
  adminDisplayName: string;
  adminEmail: string;
  knobs: () => EmulatorKnobs;
  /** seeds the gaps of sparse ids (see ids.ts) */
  idSeed: string;
  clock?: () => number;
}

export class SiteStore {
  readonly workspaceId: string;
  readonly adminAccountId: string;
  readonly schemas = new Map<number, SchemaRec>();
  readonly types = new Map<number, TypeRec>();
  readonly attrs = new Map<number, AttrRec>();
  readonly objects = new Map<number, ObjRec>();
  readonly typeObjects = new Map<number, Set<number>>();
  readonly historyByObject = new Map<number, HistoryRec[]>();
  readonly statuses = new Map<number, StatusRec>();
  readonly refTypes = new Map<number, RefTypeRec>();
  readonly icons = new Map<number, IconRec>();
  readonly users = new Map<string, UserRec>();
  readonly groups = new Set<string>();
  readonly avatars = new Map<string, AvatarRec>();
  readonly fields: JiraFieldRec[] = [];
  readonly issues = new Map<number, IssueRec>();
  readonly issueByKey = new Map<string, number>();
  /** Jira permission keys the site's user does NOT have (GET /rest/api/3/mypermissions) */
  readonly deniedPermissions = new Set<string>();
  globalConfig: Required<GlobalConfig> = {
    allowOtherObjectSchema: false,
    validateQuickCreate: false,
    quickCreateObjects: false,
  };

  readonly clock: () => number;
  private readonly knobs: () => EmulatorKnobs;
  private readonly ids: SiteIds;
  private seq = { issue: 10000, field: 10190 };
  /** schema id → key number → object id, for `Key = "X-12"` */
  private readonly keyIndex = new Map<number, Map<number, number>>();
  /** objects in schemas that count against the allowance (every schema but system ones) */
  private countedObjects = 0;
  /** bumps on every mutation: invalidates AQL caches */
  private version = 0;
  private views = new Map<number, TypeView>();
  private eqIndex = new Map<number, Map<string, Set<number>>>();
  private aqlCache = new Map<string, { version: number; ids: number[] }>();

  constructor(opts: StoreOptions) {
    this.workspaceId = opts.workspaceId;
    this.adminAccountId = opts.adminAccountId;
    this.knobs = opts.knobs;
    this.clock = opts.clock ?? Date.now;
    this.ids = new SiteIds(opts.idSeed, () => this.knobs().denseIds === true, GLOBAL_ICON_NAMES.length);
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
    for (const g of DEFAULT_GROUPS) this.groups.add(g);
    this.users.set(opts.adminAccountId, {
      accountId: opts.adminAccountId,
      displayName: opts.adminDisplayName,
      email: opts.adminEmail,
    });
    this.fields.push(
      { id: 'summary', name: 'Summary', custom: false, schema: { type: 'string', system: 'summary' } },
      { id: 'status', name: 'Status', custom: false, schema: { type: 'status', system: 'status' } },
      { id: 'issuetype', name: 'Issue Type', custom: false, schema: { type: 'issuetype', system: 'issuetype' } },
      { id: 'project', name: 'Project', custom: false, schema: { type: 'project', system: 'project' } },
      { id: 'reporter', name: 'Reporter', custom: false, schema: { type: 'user', system: 'reporter' } },
      { id: 'created', name: 'Created', custom: false, schema: { type: 'datetime', system: 'created' } },
      { id: 'updated', name: 'Updated', custom: false, schema: { type: 'datetime', system: 'updated' } },
    );
  }

  private touch(): void {
    this.version++;
  }
  private structural(): void {
    this.version++;
    this.views.clear();
  }

  globalId(id: number | string): string {
    return `${this.workspaceId}:${id}`;
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

  schemaObjectCount(schemaId: number): number {
    let n = 0;
    for (const t of this.types.values()) if (t.schemaId === schemaId) n += this.typeObjects.get(t.id)?.size ?? 0;
    return n;
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
    this.keyIndex.set(id, new Map());
    this.touch();
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

  deleteSchema(id: unknown): SchemaRec {
    const s = this.getSchema(id);
    const typeIds = this.schemaTypeIds(s.id);
    if (this.knobs().deleteNonEmpty === 'reject' && typeIds.length > 0) {
      throw badRequestMessage(`Object schema ${s.name} still has object types`);
    }
    for (const typeId of typeIds) this.removeType(typeId);
    for (const st of [...this.statuses.values()]) if (st.schemaId === s.id) this.statuses.delete(st.id);
    for (const rt of [...this.refTypes.values()]) if (rt.schemaId === s.id) this.refTypes.delete(rt.id);
    for (const icon of [...this.icons.values()]) if (icon.schemaId === s.id) this.icons.delete(icon.id);
    this.keyIndex.delete(s.id);
    this.schemas.delete(s.id);
    this.structural();
    return s;
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
    this.typeObjects.set(id, new Set());
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
    return (this.knobs().rejectReservedNameCharacters ?? false) && RESERVED_NAME_CHARS.test(name);
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
    if (b.abstractObjectType === true && !t.abstract && (this.typeObjects.get(t.id)?.size ?? 0) > 0) {
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

  deleteType(id: unknown): TypeRec {
    const t = this.getType(id);
    if (
      this.knobs().deleteNonEmpty === 'reject' &&
      ((this.typeObjects.get(t.id)?.size ?? 0) > 0 || this.childrenOf(t.id, t.schemaId).length > 0)
    ) {
      throw badRequestMessage(`Object type ${t.name} still has objects or child types`);
    }
    this.removeType(t.id);
    this.childrenOf(t.parentId, t.schemaId).forEach((s, i) => {
      s.position = i;
    });
    this.structural();
    return t;
  }

  private removeType(typeId: number): void {
    const t = this.types.get(typeId);
    if (!t) return;
    for (const child of this.childrenOf(t.id, t.schemaId)) this.removeType(child.id);
    for (const objectId of [...(this.typeObjects.get(typeId) ?? [])]) this.removeObject(objectId);
    for (const a of [...this.attrs.values()]) {
      if (a.typeId === typeId) {
        this.attrs.delete(a.id);
        this.eqIndex.delete(a.id);
      }
    }
    this.typeObjects.delete(typeId);
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
    this.eqIndex.delete(a.id);
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
        const bad = list.filter((g) => !this.groups.has(g));
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
    else if (max === -1 && creating && this.knobs().rejectUnlimitedCardinality)
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
    this.touch();
  }

  deleteAttribute(id: unknown): void {
    const a = this.getAttribute(id);
    if (a.system || !a.removable)
      throw badRequest({ [attributeErrorKey(String(a.id))]: `Attribute ${a.name} cannot be deleted` });
    if (a.label) throw badRequest({ [attributeErrorKey(String(a.id))]: 'The label attribute cannot be deleted' });
    this.attrs.delete(a.id);
    this.eqIndex.delete(a.id);
    for (const [typeId, ids] of this.typeObjects) {
      if (!this.isSameOrDescendant(typeId, a.typeId)) continue;
      for (const objectId of ids) this.objects.get(objectId)?.values.delete(a.id);
    }
    const t = this.types.get(a.typeId);
    if (t) t.updated = this.clock();
    this.structural();
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
    this.touch();
    return rec;
  }
  updateStatus(id: unknown, body: unknown): StatusRec {
    const s = this.getStatus(id);
    const draft = { ...s };
    this.applyStatus(draft, body);
    Object.assign(s, draft);
    if (draft.description === undefined) delete s.description;
    this.touch();
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
    this.touch();
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
    this.touch();
    return rec;
  }

  // -------------------------------------------------------------------------------------------
  // Objects

  getObject(id: unknown): ObjRec {
    const n = toId(id);
    const o = n === undefined ? undefined : this.objects.get(n);
    if (!o) throw notFound(`Object with id ${String(id)} was not found`);
    return o;
  }

  objectKey(o: ObjRec): string {
    return `${this.schemas.get(o.schemaId)?.key ?? 'X'}-${o.keyNumber}`;
  }

  /** Ids of the objects whose key is one of `keys` (current schema keys, compared ignoring case). */
  private idsByKey(keys: string[]): number[] {
    const out: number[] = [];
    for (const k of keys) {
      const dash = k.lastIndexOf('-');
      const n = toId(k.slice(dash + 1));
      if (dash < 1 || n === undefined) continue;
      const prefix = k.slice(0, dash).toUpperCase();
      for (const s of this.schemas.values()) {
        const id = s.key === prefix ? this.keyIndex.get(s.id)?.get(n) : undefined;
        if (id !== undefined) out.push(id);
      }
    }
    return out.sort((a, b) => a - b);
  }

  /** `GET /usage`: objects per schema; the total leaves out system schemas, as the allowance does (§7.4). */
  usage(): { total: number; perSchema: Array<{ schema: SchemaRec; objectCount: number }> } {
    return {
      total: this.countedObjects,
      perSchema: [...this.schemas.values()].map((schema) => ({
        schema,
        objectCount: this.schemaObjectCount(schema.id),
      })),
    };
  }

  objectLabel(o: ObjRec): string {
    const labelAttr = this.view(o.typeId).labelAttr;
    return labelAttr ? (o.values.get(labelAttr.id)?.[0] ?? '') : '';
  }

  /** Stored values of one attribute, including the ones the server computes (Key, Created, Updated). */
  storedValues(o: ObjRec, a: AttrRec): string[] {
    if (a.role === 'key') return [this.objectKey(o)];
    if (a.role === 'created') return [new Date(o.created).toISOString()];
    if (a.role === 'updated') return [new Date(o.updated).toISOString()];
    const vals = o.values.get(a.id) ?? [];
    // references to deleted objects disappear, as on the real service
    if (a.kind === AttributeKind.Reference) return vals.filter((v) => this.objects.has(Number(v)));
    return vals;
  }

  createObject(body: unknown, actor: string): ObjRec {
    checkBody(ObjectInSchema, body);
    const b = body as {
      objectTypeId: unknown;
      attributes: Array<{ objectTypeAttributeId: unknown; objectAttributeValues: Array<{ value: string }> }>;
      hasAvatar?: boolean;
      avatarUUID?: string;
    };
    const type = this.types.get(toId(b.objectTypeId) ?? -1);
    if (!type) throw badRequest({ objectTypeId: `Object type with id ${String(b.objectTypeId)} was not found` });
    if (type.abstract) throw badRequestMessage(`Objects cannot be created in the abstract object type ${type.name}`);
    const allowance = this.knobs().objectAllowance;
    if (
      allowance !== undefined &&
      this.schemas.get(type.schemaId)?.canManage !== false &&
      this.countedObjects >= allowance
    ) {
      throw badRequestMessage(`The object limit of ${allowance} objects has been reached for this site`);
    }
    const avatarUUID = this.avatarFor(b);
    const view = this.view(type.id);
    const values = this.validateInput(view, b.attributes, undefined);
    const errors: Record<string, string> = {};
    for (const a of view.attrs) {
      if (!a.system && a.min >= 1 && (values.get(a.id)?.length ?? 0) === 0)
        errors[attributeErrorKey(String(a.id))] = `${a.name} is required`;
    }
    if (Object.keys(errors).length > 0) throw badRequest(errors);
    const now = this.clock();
    const o = this.addObject(type, now, now, avatarUUID);
    for (const [attrId, vals] of values) if (vals.length > 0) this.writeValues(o, attrId, vals);
    this.addHistory({ objectId: o.id, actor, type: HistoryType.Created, created: now });
    this.touch();
    return o;
  }

  /**
   * The avatar a create asks for. A known `avatarUUID` (an image of this site: a same-site restore)
   * is reused. No public call uploads one (§5.4) and what the service does with an unknown one is
   * not documented: by default the object is created without an avatar (`hasAvatar: false` in the
   * answer), and the `unknownAvatar: 'reject'` knob makes it a 400 instead.
   */
  private avatarFor(b: { hasAvatar?: boolean; avatarUUID?: string }): string | undefined {
    if (b.hasAvatar === false || b.avatarUUID === undefined || b.avatarUUID === '') return undefined;
    if (this.avatars.has(b.avatarUUID)) return b.avatarUUID;
    if (this.knobs().unknownAvatar === 'reject')
      throw badRequest({ avatarUUID: `Avatar ${b.avatarUUID} was not found` });
    return undefined;
  }

  /** Registers a new object record: id, key number, type and schema membership. */
  private addObject(type: TypeRec, created: number, updated: number, avatarUUID: string | undefined): ObjRec {
    const schema = this.getSchema(type.schemaId);
    const o: ObjRec = {
      id: this.ids.object.next(),
      typeId: type.id,
      schemaId: type.schemaId,
      keyNumber: ++schema.lastKeyNumber,
      created,
      updated,
      values: new Map(),
    };
    if (avatarUUID !== undefined) o.avatarUUID = avatarUUID;
    this.objects.set(o.id, o);
    this.typeObjects.get(type.id)?.add(o.id);
    this.keyIndex.get(schema.id)?.set(o.keyNumber, o.id);
    if (schema.canManage) this.countedObjects++;
    return o;
  }

  updateObject(id: unknown, body: unknown, actor: string): ObjRec {
    const o = this.getObject(id);
    checkBody(ObjectInSchema, body);
    const b = body as {
      objectTypeId: unknown;
      attributes: Array<{ objectTypeAttributeId: unknown; objectAttributeValues: Array<{ value: string }> }>;
      hasAvatar?: boolean;
      avatarUUID?: string;
    };
    if (toId(b.objectTypeId) !== o.typeId)
      throw badRequest({ objectTypeId: 'The object type of an object cannot be changed' });
    const view = this.view(o.typeId);
    const values = this.validateInput(view, b.attributes, o);
    const clear = this.knobs().emptyValuesClear ?? true;
    const errors: Record<string, string> = {};
    for (const [attrId, vals] of values) {
      const a = view.byId.get(attrId);
      if (a && vals.length === 0 && clear && a.min >= 1)
        errors[attributeErrorKey(String(attrId))] = `${a.name} is required`;
    }
    if (Object.keys(errors).length > 0) throw badRequest(errors);
    // an unknown avatar keeps the current one (or is a 400 under `unknownAvatar: 'reject'`)
    const avatarUUID =
      b.hasAvatar === false ? undefined : b.avatarUUID ? (this.avatarFor(b) ?? o.avatarUUID) : o.avatarUUID;
    const now = this.clock();
    let changed = false;
    for (const [attrId, vals] of values) {
      const a = view.byId.get(attrId);
      if (!a) continue;
      if (vals.length === 0 && !clear) continue;
      const old = o.values.get(attrId) ?? [];
      if (old.length === vals.length && old.every((v, i) => v === vals[i])) continue;
      this.writeValues(o, attrId, vals);
      changed = true;
      const isRef = a.kind === AttributeKind.Reference;
      const oldText = this.historyText(a, old),
        newText = this.historyText(a, vals);
      const type =
        old.length === 0
          ? isRef
            ? HistoryType.ReferenceAdded
            : HistoryType.ValueAdded
          : vals.length === 0
            ? isRef
              ? HistoryType.ReferenceRemoved
              : HistoryType.ValueRemoved
            : HistoryType.ValueChanged;
      this.addHistory({
        objectId: o.id,
        actor,
        type,
        affectedAttribute: a.name,
        created: now,
        ...(oldText ? { oldValue: oldText } : {}),
        ...(newText ? { newValue: newText } : {}),
      });
    }
    if (avatarUUID !== o.avatarUUID) {
      if (avatarUUID) o.avatarUUID = avatarUUID;
      else delete o.avatarUUID;
      changed = true;
      this.addHistory({
        objectId: o.id,
        actor,
        type: HistoryType.AvatarChanged,
        affectedAttribute: 'Avatar',
        created: now,
      });
    }
    if (changed) {
      o.updated = now;
      this.touch();
    }
    return o;
  }

  /**
   * Fast path for fixtures: values are already encoded and timestamps chosen by the caller. With
   * `validate` the same rules as POST /object/create apply; without it the caller vouches for them
   * (used above a few thousand objects, where validation would dominate seeding time).
   */
  insertObject(
    typeId: number,
    values: Map<number, string[]>,
    opts: { created: number; updated: number; avatarUUID?: string; validate: boolean },
  ): ObjRec {
    const type = this.types.get(typeId);
    if (!type) throw notFound(`Object type with id ${typeId} was not found`);
    if (opts.validate) {
      if (type.abstract) throw badRequestMessage(`Objects cannot be created in the abstract object type ${type.name}`);
      const view = this.view(typeId);
      const input = [...values].map(([attrId, vals]) => ({
        objectTypeAttributeId: String(attrId),
        objectAttributeValues: vals.map((value) => ({ value })),
      }));
      const checked = this.validateInput(view, input, undefined);
      for (const a of view.attrs) {
        if (!a.system && a.min >= 1 && (checked.get(a.id)?.length ?? 0) === 0)
          throw badRequest({ [attributeErrorKey(String(a.id))]: `${a.name} is required` });
      }
    }
    const o = this.addObject(type, opts.created, opts.updated, opts.avatarUUID || undefined);
    for (const [attrId, vals] of values) if (vals.length > 0) this.writeValues(o, attrId, vals);
    this.touch();
    return o;
  }

  /** Fixture helper: replaces one attribute's values without history (references added after all objects exist). */
  setValuesUnchecked(o: ObjRec, attrId: number, vals: string[]): void {
    this.writeValues(o, attrId, vals);
    this.touch();
  }

  private historyText(a: AttrRec, vals: string[]): string {
    return vals
      .map((v) => {
        if (a.kind === AttributeKind.Reference) {
          const t = this.objects.get(Number(v));
          return t ? this.objectLabel(t) : v;
        }
        if (a.kind === AttributeKind.Status) return this.statuses.get(Number(v))?.name ?? v;
        if (a.kind === AttributeKind.User) return this.users.get(v)?.displayName ?? v;
        return v;
      })
      .join(', ');
  }

  /**
   * Validates the `attributes` of an ObjectIn body and returns attribute id → normalised values.
   * Collects every problem, keyed `rlabs-insight-attribute-<id>` like the real service.
   */
  private validateInput(
    view: TypeView,
    input: Array<{ objectTypeAttributeId: unknown; objectAttributeValues: Array<{ value: string }> }>,
    self: ObjRec | undefined,
  ): Map<number, string[]> {
    const out = new Map<number, string[]>();
    const errors: Record<string, string> = {};
    const schema = this.schemas.get(view.type.schemaId);
    for (const item of input) {
      const attrId = toId(item.objectTypeAttributeId);
      const key = attributeErrorKey(String(item.objectTypeAttributeId));
      const a = attrId === undefined ? undefined : view.byId.get(attrId);
      if (!a || attrId === undefined) {
        errors[key] = `Attribute ${String(item.objectTypeAttributeId)} does not exist on object type ${view.type.name}`;
        continue;
      }
      if (a.system || !a.editable) {
        errors[key] = `${a.name} is a system attribute and cannot be set`;
        continue;
      }
      const raw = item.objectAttributeValues.map((v) => v.value);
      if (a.max !== -1 && raw.length > a.max) {
        errors[key] = `${a.name} can only contain max ${a.max} value(s)`;
        continue;
      }
      const vals: string[] = [];
      let problem: string | undefined;
      for (const v of raw) {
        const r = this.checkValue(a, v, schema);
        if (typeof r === 'object') {
          problem = r.error;
          break;
        }
        vals.push(r);
      }
      if (!problem && a.unique) {
        for (const v of vals) {
          const holders = this.lookupEq(a.id, v);
          if (holders && [...holders].some((oid) => oid !== self?.id)) {
            problem = `${a.name} has duplicated value "${v}"`;
            break;
          }
        }
      }
      if (problem) errors[key] = problem;
      else out.set(a.id, vals);
    }
    if (Object.keys(errors).length > 0) throw badRequest(errors);
    return out;
  }

  private checkValue(a: AttrRec, v: string, schema: SchemaRec | undefined): string | { error: string } {
    switch (a.kind) {
      case AttributeKind.Default: {
        const dt = a.defaultTypeId ?? DefaultType.Text;
        const err = checkDefaultValue(dt, v, a.options);
        if (err) return { error: `${a.name}: ${err}` };
        if (
          a.regexValidation &&
          (dt === DefaultType.Text || dt === DefaultType.Email) &&
          !new RegExp(a.regexValidation).test(v)
        ) {
          return { error: `${a.name}: "${v}" does not match ${a.regexValidation}` };
        }
        return normaliseDefaultValue(dt, v);
      }
      case AttributeKind.Reference: {
        const target = this.objects.get(toId(v) ?? -1);
        if (!target) return { error: `${a.name}: referenced object "${v}" was not found` };
        const allowedType = toId(a.typeValue) ?? -1;
        const typeOk =
          target.typeId === allowedType ||
          (a.includeChildObjectTypes && this.isSameOrDescendant(target.typeId, allowedType));
        if (!typeOk) return { error: `${a.name}: Invalid due to restrictions (object ${v} has the wrong object type)` };
        if (target.schemaId !== schema?.id && !(schema?.config.allowOtherObjectSchema ?? false)) {
          return {
            error: `${a.name}: refers to the schema ${this.schemas.get(target.schemaId)?.name ?? target.schemaId}, which is not allowed`,
          };
        }
        if (a.qlQuery && !this.objectMatches(target, a.qlQuery))
          return { error: `${a.name}: Invalid due to restrictions (object ${v} is outside the filter)` };
        return String(target.id);
      }
      case AttributeKind.User:
        if (!this.users.has(v)) return { error: `${a.name}: user "${v}" not found in Jira` };
        return v;
      case AttributeKind.Group:
        if (!this.groups.has(v)) return { error: `${a.name}: Invalid Group(s) "${v}"` };
        return v;
      case AttributeKind.Status: {
        const s = this.statuses.get(toId(v) ?? -1);
        if (!s || (s.schemaId !== undefined && s.schemaId !== schema?.id))
          return { error: `${a.name}: status "${v}" was not found` };
        if (a.typeValueMulti && a.typeValueMulti.length > 0 && !a.typeValueMulti.includes(String(s.id))) {
          return { error: `${a.name}: status ${s.name} is not allowed for this attribute` };
        }
        return String(s.id);
      }
      default:
        return { error: `${a.name}: attributes of this kind cannot be written` };
    }
  }

  private writeValues(o: ObjRec, attrId: number, vals: string[]): void {
    const index = this.eqIndex.get(attrId);
    if (index) {
      for (const v of o.values.get(attrId) ?? []) index.get(v.toLowerCase())?.delete(o.id);
      for (const v of vals) {
        const k = v.toLowerCase();
        let set = index.get(k);
        if (!set) index.set(k, (set = new Set()));
        set.add(o.id);
      }
    }
    if (vals.length === 0) o.values.delete(attrId);
    else o.values.set(attrId, vals);
  }

  deleteObject(id: unknown): void {
    const o = this.getObject(id);
    this.removeObject(o.id);
    this.touch();
  }

  private removeObject(id: number): void {
    const o = this.objects.get(id);
    if (!o) return;
    for (const [attrId, vals] of o.values) {
      const index = this.eqIndex.get(attrId);
      if (index) for (const v of vals) index.get(v.toLowerCase())?.delete(id);
    }
    this.typeObjects.get(o.typeId)?.delete(id);
    this.keyIndex.get(o.schemaId)?.delete(o.keyNumber);
    if (this.schemas.get(o.schemaId)?.canManage) this.countedObjects--;
    this.objects.delete(id);
    this.historyByObject.delete(id);
  }

  addHistory(entry: Omit<HistoryRec, 'id'>): HistoryRec {
    const rec: HistoryRec = { id: this.ids.history.next(), ...entry };
    let list = this.historyByObject.get(entry.objectId);
    if (!list) this.historyByObject.set(entry.objectId, (list = []));
    list.push(rec);
    return rec;
  }

  /** Registers an avatar image so objects can point at it (no public upload endpoint exists). */
  registerAvatar(uuid: string, fileId: string, colour: number): void {
    this.avatars.set(uuid, { uuid, fileId, colour });
  }

  /** Equality index of one attribute (lower-cased value → object ids), built on first use. */
  private lookupEq(attrId: number, value: string): Set<number> | undefined {
    let index = this.eqIndex.get(attrId);
    if (!index) {
      index = new Map();
      for (const [typeId, ids] of this.typeObjects) {
        if (!this.view(typeId).byId.has(attrId)) continue;
        for (const oid of ids) {
          for (const v of this.objects.get(oid)?.values.get(attrId) ?? []) {
            const k = v.toLowerCase();
            let set = index.get(k);
            if (!set) index.set(k, (set = new Set()));
            set.add(oid);
          }
        }
      }
      this.eqIndex.set(attrId, index);
    }
    return index.get(value.toLowerCase());
  }

  // -------------------------------------------------------------------------------------------
  // AQL

  /** Ids of the objects matching an AQL query, in result order; cached until the next mutation. */
  aqlIds(qlQuery: string): number[] {
    const hit = this.aqlCache.get(qlQuery);
    if (hit && hit.version === this.version) return hit.ids;
    const query = parseAql(qlQuery);
    this.checkAqlFields(query);
    const candidates = query.where ? this.candidates(query.where) : undefined;
    const source: Iterable<number> = candidates ?? this.objects.keys();
    const ids: number[] = [];
    const where = query.where;
    for (const id of source) {
      const o = this.objects.get(id);
      if (o && (!where || this.evalNode(o, where))) ids.push(id);
    }
    if (query.orderBy) this.sortIds(ids, query.orderBy);
    if (this.aqlCache.size >= AQL_CACHE_SIZE) {
      const oldest = this.aqlCache.keys().next().value;
      if (oldest !== undefined) this.aqlCache.delete(oldest);
    }
    this.aqlCache.set(qlQuery, { version: this.version, ids });
    return ids;
  }

  objectMatches(o: ObjRec, qlQuery: string): boolean {
    const q = parseAql(qlQuery);
    return !q.where || this.evalNode(o, q.where);
  }

  private checkAqlFields(q: AqlQuery): void {
    const names = new Set<string>();
    for (const a of this.attrs.values()) names.add(a.name.toLowerCase());
    const check = (field: string[]) => {
      const first = (field[0] ?? '').toLowerCase();
      if (field.length === 1 && AQL_RESERVED.has(first)) return;
      for (const part of field) {
        if (!names.has(part.toLowerCase())) throw badRequestMessage(`AQL: no attribute named "${part}" exists`);
      }
    };
    const walk = (n: AqlNode): void => {
      if (n.kind === 'cmp') check(n.field);
      else if (n.kind === 'not') walk(n.item);
      else n.items.forEach(walk);
    };
    if (q.where) walk(q.where);
    if (q.orderBy) check(q.orderBy.field);
  }

  /** Narrows the scan with indexes where a conjunct pins schema, type, id, key or an indexed value. */
  private candidates(n: AqlNode): number[] | undefined {
    if (n.kind === 'and') {
      let best: number[] | undefined;
      for (const item of n.items) {
        const c = this.candidates(item);
        if (c && (!best || c.length < best.length)) best = c;
      }
      return best;
    }
    if (n.kind === 'or') {
      const all = new Set<number>();
      for (const item of n.items) {
        const c = this.candidates(item);
        if (!c) return undefined;
        for (const id of c) all.add(id);
      }
      return [...all].sort((a, b) => a - b);
    }
    if (n.kind === 'not' || (n.op !== '=' && n.op !== '==' && n.op !== 'in') || n.field.length !== 1) return undefined;
    const field = (n.field[0] ?? '').toLowerCase();
    const typeIds = (pred: (t: TypeRec) => boolean) => {
      const out: number[] = [];
      const types = [...this.types.values()].filter(pred);
      for (const t of types) for (const id of this.typeObjects.get(t.id) ?? []) out.push(id);
      if (types.length > 1) out.sort((a, b) => a - b);
      return out;
    };
    switch (field) {
      case 'objectschemaid':
        return typeIds((t) => n.values.includes(String(t.schemaId)));
      case 'objecttypeid':
        return typeIds((t) => n.values.includes(String(t.id)));
      case 'objecttype': {
        const wanted = n.values.map((v) => v.toLowerCase());
        return typeIds((t) => wanted.includes(t.name.toLowerCase()));
      }
      case 'objectid':
        return n.values
          .map((v) => toId(v) ?? -1)
          .filter((id) => this.objects.has(id))
          .sort((a, b) => a - b);
      case 'key':
      case 'objectkey':
        return this.idsByKey(n.values);
      case 'objectschema':
      case 'label':
        return undefined;
      default: {
        const attrs = [...this.attrs.values()].filter((a) => a.name.toLowerCase() === field);
        if (attrs.length === 0 || attrs.some((a) => a.kind !== AttributeKind.Default || a.system)) return undefined;
        const out = new Set<number>();
        for (const a of attrs) for (const v of n.values) for (const id of this.lookupEq(a.id, v) ?? []) out.add(id);
        return [...out].sort((a, b) => a - b);
      }
    }
  }

  private evalNode(o: ObjRec, n: AqlNode): boolean {
    switch (n.kind) {
      case 'and':
        return n.items.every((i) => this.evalNode(o, i));
      case 'or':
        return n.items.some((i) => this.evalNode(o, i));
      case 'not':
        return !this.evalNode(o, n.item);
      case 'cmp': {
        const values = this.fieldValues(o, n.field);
        if (n.op === 'empty') return values.length === 0;
        if (n.op === 'not empty') return values.length > 0;
        const negate = n.op === '!=' || n.op === 'not in' || n.op === 'not like';
        const op = n.op === '!=' ? '=' : n.op === 'not in' ? 'in' : n.op === 'not like' ? 'like' : n.op;
        const hit = values.some((alternatives) => alternatives.some((s) => n.values.some((w) => matchValue(op, s, w))));
        return negate ? !hit : hit;
      }
    }
  }

  /** Each value as its searchable alternatives (a reference matches by key, label or id). */
  private fieldValues(o: ObjRec, path: string[]): string[][] {
    const first = (path[0] ?? '').toLowerCase();
    if (path.length === 1) {
      switch (first) {
        case 'objectschemaid':
          return [[String(o.schemaId)]];
        case 'objecttypeid':
          return [[String(o.typeId)]];
        case 'objecttype':
          return [[this.types.get(o.typeId)?.name ?? '']];
        case 'objectschema':
          return [[this.schemas.get(o.schemaId)?.name ?? '']];
        case 'objectid':
          return [[String(o.id)]];
        case 'key':
        case 'objectkey':
          return [[this.objectKey(o)]];
        case 'label':
          return [[this.objectLabel(o)]];
      }
    }
    const a = this.view(o.typeId).byLowerName.get(first);
    if (!a) return [];
    const vals = this.storedValues(o, a);
    if (path.length > 1) {
      if (a.kind !== AttributeKind.Reference) return [];
      const out: string[][] = [];
      for (const v of vals) {
        const t = this.objects.get(Number(v));
        if (t) out.push(...this.fieldValues(t, path.slice(1)));
      }
      return out;
    }
    switch (a.kind) {
      case AttributeKind.Reference:
        return vals.map((v) => {
          const t = this.objects.get(Number(v));
          return t ? [this.objectKey(t), this.objectLabel(t), v] : [v];
        });
      case AttributeKind.Status:
        return vals.map((v) => [this.statuses.get(Number(v))?.name ?? v, v]);
      case AttributeKind.User:
        return vals.map((v) => [v, this.users.get(v)?.displayName ?? v]);
      default:
        return vals.map((v) => [v]);
    }
  }

  private sortIds(ids: number[], order: { field: string[]; desc: boolean }): void {
    const field = order.field.map((f) => f.toLowerCase());
    const dir = order.desc ? -1 : 1;
    const only = field.length === 1 ? field[0] : undefined;
    if (only === 'objectid') {
      ids.sort((x, y) => (x - y) * dir);
      return;
    }
    if (only === 'key' || only === 'objectkey') {
      // schema key, then the key number as a number (ITI-9 before ITI-10)
      ids.sort((x, y) => {
        const a = this.objects.get(x),
          b = this.objects.get(y);
        if (!a || !b) return x - y;
        const ka = this.schemas.get(a.schemaId)?.key ?? '',
          kb = this.schemas.get(b.schemaId)?.key ?? '';
        return (ka < kb ? -1 : ka > kb ? 1 : a.keyNumber - b.keyNumber) * dir;
      });
      return;
    }
    const keys = new Map<number, string | number | undefined>();
    for (const id of ids) {
      const o = this.objects.get(id);
      if (!o) continue;
      const a = field.length === 1 ? this.view(o.typeId).byLowerName.get(field[0] ?? '') : undefined;
      const first = this.fieldValues(o, order.field)[0];
      const v =
        a?.kind === AttributeKind.Reference || a?.kind === AttributeKind.Status
          ? first?.[a.kind === AttributeKind.Reference ? 1 : 0]
          : first?.[0];
      const numeric =
        a?.kind === AttributeKind.Default &&
        (a.defaultTypeId === DefaultType.Integer || a.defaultTypeId === DefaultType.Double);
      keys.set(id, v === undefined ? undefined : numeric ? Number(v) : v.toLowerCase());
    }
    ids.sort((x, y) => {
      const a = keys.get(x),
        b = keys.get(y);
      if (a === undefined && b === undefined) return x - y;
      if (a === undefined) return 1;
      if (b === undefined) return -1;
      const c = a < b ? -1 : a > b ? 1 : 0;
      return c === 0 ? x - y : c * dir;
    });
  }

  // -------------------------------------------------------------------------------------------
  // Jira side

  addUser(u: UserRec): void {
    this.users.set(u.accountId, u);
  }

  addAssetsField(name: string): JiraFieldRec {
    const customId = ++this.seq.field;
    const rec: JiraFieldRec = {
      id: `customfield_${customId}`,
      name,
      custom: true,
      customId,
      schema: {
        type: 'array',
        items: 'cmdb-object-field',
        custom: 'com.atlassian.jira.plugins.cmdb:cmdb-object-cftype',
        customId,
      },
    };
    this.fields.push(rec);
    return rec;
  }

  addPlainCustomField(name: string, type: 'number' | 'string'): JiraFieldRec {
    const customId = ++this.seq.field;
    const custom =
      type === 'number'
        ? 'com.atlassian.jira.plugin.system.customfieldtypes:float'
        : 'com.atlassian.jira.plugin.system.customfieldtypes:textfield';
    const rec: JiraFieldRec = {
      id: `customfield_${customId}`,
      name,
      custom: true,
      customId,
      schema: { type, custom, customId },
    };
    this.fields.push(rec);
    return rec;
  }

  addIssue(input: {
    projectKey: string;
    summary: string;
    status?: string;
    issueType?: string;
    created?: number;
    custom?: Record<string, unknown>;
  }): IssueRec {
    const id = ++this.seq.issue;
    let n = 1;
    for (const i of this.issues.values()) if (i.projectKey === input.projectKey) n++;
    const now = input.created ?? this.clock();
    const rec: IssueRec = {
      id,
      key: `${input.projectKey}-${n}`,
      projectKey: input.projectKey,
      summary: input.summary,
      status: input.status ?? 'Open',
      issueType: input.issueType ?? 'Service request',
      reporter: this.adminAccountId,
      created: now,
      updated: now,
      custom: new Map(Object.entries(input.custom ?? {})),
    };
    this.issues.set(id, rec);
    this.issueByKey.set(rec.key, id);
    return rec;
  }

  getIssue(idOrKey: string): IssueRec {
    const byKey = this.issueByKey.get(idOrKey.toUpperCase());
    const rec = this.issues.get(byKey ?? toId(idOrKey) ?? -1);
    if (!rec) throw notFound('Issue does not exist or you do not have permission to see it.');
    return rec;
  }

  assetsFieldValue(objectId: number | string): { workspaceId: string; id: string; objectId: string } {
    return { workspaceId: this.workspaceId, id: this.globalId(objectId), objectId: String(objectId) };
  }

  /** Object ids held by an issue's Assets field (tolerates `objectId` as a number). */
  issueObjectIds(issue: IssueRec, fieldId: string): number[] {
    const v = issue.custom.get(fieldId);
    if (!Array.isArray(v)) return [];
    const out: number[] = [];
    for (const item of v) {
      const id = toId((item as { objectId?: unknown }).objectId);
      if (id !== undefined) out.push(id);
    }
    return out;
  }

  /** Applies `PUT /rest/api/3/issue/{key}` fields, validating Assets values against the workspace. */
  updateIssue(issue: IssueRec, fields: Record<string, unknown>): void {
    const errors: Record<string, string> = {};
    const next = new Map<string, unknown>();
    for (const [fieldId, value] of Object.entries(fields)) {
      const field = this.fields.find((f) => f.id === fieldId);
      if (!field) {
        errors[fieldId] = `Field '${fieldId}' cannot be set. It is not on the appropriate screen, or unknown.`;
        continue;
      }
      if (field.id === 'summary') {
        if (typeof value !== 'string' || value.trim() === '')
          errors.summary = 'You must specify a summary of the issue.';
        else next.set('summary', value);
        continue;
      }
      if (!field.custom) {
        errors[fieldId] = `Field '${fieldId}' cannot be set.`;
        continue;
      }
      if (field.schema?.items === 'cmdb-object-field') {
        if (value === null) {
          next.set(fieldId, []);
          continue;
        }
        if (!Array.isArray(value)) {
          errors[fieldId] = 'Assets field values must be an array of objects';
          continue;
        }
        const clean: Array<{ workspaceId: string; id: string; objectId: string }> = [];
        for (const item of value) {
          const rec = (item ?? {}) as { workspaceId?: unknown; id?: unknown; objectId?: unknown };
          let objectId = toId(rec.objectId);
          if (objectId === undefined && typeof rec.id === 'string' && rec.id.includes(':'))
            objectId = toId(rec.id.slice(rec.id.lastIndexOf(':') + 1));
          if (rec.workspaceId !== undefined && rec.workspaceId !== this.workspaceId) {
            errors[fieldId] = `Workspace ${String(rec.workspaceId)} is not this site's Assets workspace`;
            break;
          }
          if (objectId === undefined || !this.objects.has(objectId)) {
            errors[fieldId] = `Object ${String(rec.objectId ?? rec.id)} does not exist`;
            break;
          }
          clean.push(this.assetsFieldValue(objectId));
        }
        if (!errors[fieldId]) next.set(fieldId, clean);
        continue;
      }
      next.set(fieldId, value);
    }
    if (Object.keys(errors).length > 0) throw badRequest(errors);
    for (const [k, v] of next) {
      if (k === 'summary') issue.summary = String(v);
      else issue.custom.set(k, v);
    }
    issue.updated = this.clock();
  }
}
