/**
 * The objects of one emulated site: create, update and delete with every rule the real API enforces
 * on values (assets-cloud-api.md §5: kinds, cardinality, select options, reference targets and
 * filters, uniqueness, statuses, users and groups, errors keyed `rlabs-insight-attribute-<id>`),
 * object keys, history, avatars, the object allowance, and equality indexes for AQL.
 *
 * Performance shape: objects live in one Map (insertion order = id order, because ids only grow),
 * each type keeps a Set of its object ids, and equality lookups on attribute values go through
 * lazily built indexes maintained on every write.
 */
import { AttributeKind, DefaultType, ObjectInSchema, attributeErrorKey } from '@assets-vault/shared/model';
import { badRequest, badRequestMessage, notFound } from '../errors.js';
import type { SiteIds } from '../ids.js';
import type { EmulatorKnobs } from '../types.js';
import { checkDefaultValue, normaliseDefaultValue } from '../values.js';
import {
  HistoryType,
  checkBody,
  toId,
  type AttrRec,
  type AvatarRec,
  type HistoryRec,
  type ObjRec,
  type Revision,
  type SchemaRec,
  type TypeRec,
  type TypeView,
} from './records.js';
import type { SchemaRules } from './schema-rules.js';

/** What objects need to know about Jira accounts and groups (user and group attributes). */
export interface Directory {
  hasUser(accountId: string): boolean;
  userName(accountId: string): string | undefined;
  hasGroup(name: string): boolean;
}

export interface ObjectStoreDeps {
  rules: SchemaRules;
  directory: Directory;
  knobs: () => EmulatorKnobs;
  ids: SiteIds;
  clock: () => number;
  revision: Revision;
  /** whether an object passes an AQL filter (`qlQuery` of a reference attribute) */
  matches: (o: ObjRec, qlQuery: string) => boolean;
}

/** The body of `POST /object/create` and `PUT /object/{id}` (§5.1), checked against the model. */
interface ObjectInBody {
  objectTypeId: unknown;
  attributes: Array<{ objectTypeAttributeId: unknown; objectAttributeValues: Array<{ value: string }> }>;
  hasAvatar?: boolean;
  avatarUUID?: string;
}
function objectIn(body: unknown): ObjectInBody {
  checkBody(ObjectInSchema, body);
  return body as ObjectInBody;
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
}

export class ObjectStore {
  private readonly objects = new Map<number, ObjRec>();
  private readonly typeObjects = new Map<number, Set<number>>();
  /** schema id → key number → object id, for `Key = "X-12"` */
  private readonly keyIndex = new Map<number, Map<number, number>>();
  private readonly historyByObject = new Map<number, HistoryRec[]>();
  private readonly avatars = new Map<string, AvatarRec>();
  /** attribute id → lower-cased value → object ids, built on first use */
  private readonly eqIndex = new Map<number, Map<string, Set<number>>>();
  /** objects in schemas that count against the allowance (every schema but system ones) */
  private countedObjects = 0;
  private readonly rules: SchemaRules;
  private readonly ids: SiteIds;
  private readonly clock: () => number;
  private readonly revision: Revision;

  constructor(private readonly deps: ObjectStoreDeps) {
    this.rules = deps.rules;
    this.ids = deps.ids;
    this.clock = deps.clock;
    this.revision = deps.revision;
  }

  // -------------------------------------------------------------------------------------------
  // Reads (records are the store's own: render them, do not change them)

  object(id: number): ObjRec | undefined {
    return this.objects.get(id);
  }
  get size(): number {
    return this.objects.size;
  }
  /** Every object id, in id order. */
  objectIds(): IterableIterator<number> {
    return this.objects.keys();
  }
  idsOfType(typeId: number): ReadonlySet<number> {
    return this.typeObjects.get(typeId) ?? EMPTY_IDS;
  }
  countOfType(typeId: number): number {
    return this.typeObjects.get(typeId)?.size ?? 0;
  }
  countOfSchema(schemaId: number): number {
    let n = 0;
    for (const typeId of this.rules.schemaTypeIds(schemaId)) n += this.countOfType(typeId);
    return n;
  }
  /** History entries of an object, oldest first. */
  history(objectId: number): readonly HistoryRec[] {
    return this.historyByObject.get(objectId) ?? [];
  }
  avatar(uuid: string): AvatarRec | undefined {
    return this.avatars.get(uuid);
  }
  avatarByFileId(fileId: string): AvatarRec | undefined {
    for (const a of this.avatars.values()) if (a.fileId === fileId) return a;
    return undefined;
  }

  /** Objects whose reference attributes point at `objectId`, counted per type and reference type. */
  referencesTo(objectId: number): Array<{ typeId: number; referenceTypeId: number; count: number }> {
    const target = String(objectId);
    const groups = new Map<string, { typeId: number; referenceTypeId: number; count: number }>();
    for (const o of this.objects.values()) {
      for (const a of this.rules.view(o.typeId).attrs) {
        if (a.kind !== AttributeKind.Reference || !(o.values.get(a.id) ?? []).includes(target)) continue;
        const key = `${o.typeId}:${a.additionalValue}`;
        const g = groups.get(key) ?? { typeId: o.typeId, referenceTypeId: Number(a.additionalValue), count: 0 };
        g.count++;
        groups.set(key, g);
      }
    }
    return [...groups.values()];
  }

  // -------------------------------------------------------------------------------------------
  // Cascades of structure deletions (SiteStore calls them before the structure goes)

  removeAllOfType(typeId: number): void {
    for (const objectId of [...this.idsOfType(typeId)]) this.removeObject(objectId);
    this.typeObjects.delete(typeId);
    this.revision.bump();
  }

  /** Drops the values of a deleted attribute from objects of its type and the types below it. */
  dropAttribute(attrId: number, typeIds: readonly number[]): void {
    this.eqIndex.delete(attrId);
    for (const typeId of typeIds) {
      for (const objectId of this.idsOfType(typeId)) this.objects.get(objectId)?.values.delete(attrId);
    }
    this.revision.bump();
  }

  forgetSchema(schemaId: number): void {
    this.keyIndex.delete(schemaId);
  }

  forgetAttributes(attrIds: readonly number[]): void {
    for (const id of attrIds) this.eqIndex.delete(id);
  }

  getObject(id: unknown): ObjRec {
    const n = toId(id);
    const o = n === undefined ? undefined : this.objects.get(n);
    if (!o) throw notFound(`Object with id ${String(id)} was not found`);
    return o;
  }

  objectKey(o: ObjRec): string {
    return `${this.rules.schema(o.schemaId)?.key ?? 'X'}-${o.keyNumber}`;
  }

  /** Ids of the objects whose key is one of `keys` (current schema keys, compared ignoring case). */
  idsByKey(keys: string[]): number[] {
    const out: number[] = [];
    for (const k of keys) {
      const dash = k.lastIndexOf('-');
      const n = toId(k.slice(dash + 1));
      if (dash < 1 || n === undefined) continue;
      const prefix = k.slice(0, dash).toUpperCase();
      for (const s of this.rules.schemaList()) {
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
      perSchema: this.rules.schemaList().map((schema) => ({
        schema,
        objectCount: this.countOfSchema(schema.id),
      })),
    };
  }

  objectLabel(o: ObjRec): string {
    const labelAttr = this.rules.view(o.typeId).labelAttr;
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
    const b = objectIn(body);
    const type = this.rules.type(toId(b.objectTypeId) ?? -1);
    if (!type) throw badRequest({ objectTypeId: `Object type with id ${String(b.objectTypeId)} was not found` });
    if (type.abstract) throw badRequestMessage(`Objects cannot be created in the abstract object type ${type.name}`);
    const allowance = this.deps.knobs().objectAllowance;
    if (
      allowance !== undefined &&
      this.rules.schema(type.schemaId)?.canManage !== false &&
      this.countedObjects >= allowance
    ) {
      throw badRequestMessage(`The object limit of ${allowance} objects has been reached for this site`);
    }
    const avatarUUID = this.avatarFor(b);
    const view = this.rules.view(type.id);
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
    this.revision.bump();
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
    if (this.deps.knobs().unknownAvatar === 'reject')
      throw badRequest({ avatarUUID: `Avatar ${b.avatarUUID} was not found` });
    return undefined;
  }

  /** Registers a new object record: id, key number, type and schema membership. */
  private addObject(type: TypeRec, created: number, updated: number, avatarUUID: string | undefined): ObjRec {
    const schema = this.rules.getSchema(type.schemaId);
    const o: ObjRec = {
      id: this.ids.object.next(),
      typeId: type.id,
      schemaId: type.schemaId,
      keyNumber: this.rules.takeKeyNumber(schema.id),
      created,
      updated,
      values: new Map(),
    };
    if (avatarUUID !== undefined) o.avatarUUID = avatarUUID;
    this.objects.set(o.id, o);
    getOrAdd(this.typeObjects, type.id, () => new Set<number>()).add(o.id);
    getOrAdd(this.keyIndex, schema.id, () => new Map<number, number>()).set(o.keyNumber, o.id);
    if (schema.canManage) this.countedObjects++;
    return o;
  }

  updateObject(id: unknown, body: unknown, actor: string): ObjRec {
    const o = this.getObject(id);
    const b = objectIn(body);
    if (toId(b.objectTypeId) !== o.typeId)
      throw badRequest({ objectTypeId: 'The object type of an object cannot be changed' });
    const view = this.rules.view(o.typeId);
    const values = this.validateInput(view, b.attributes, o);
    const clear = this.deps.knobs().emptyValuesClear ?? true;
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
      this.revision.bump();
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
    const type = this.rules.type(typeId);
    if (!type) throw notFound(`Object type with id ${typeId} was not found`);
    if (opts.validate) {
      if (type.abstract) throw badRequestMessage(`Objects cannot be created in the abstract object type ${type.name}`);
      const view = this.rules.view(typeId);
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
    this.revision.bump();
    return o;
  }

  /** Fixture helper: replaces one attribute's values without history (references added after all objects exist). */
  setValuesUnchecked(o: ObjRec, attrId: number, vals: string[]): void {
    this.writeValues(o, attrId, vals);
    this.revision.bump();
  }

  private historyText(a: AttrRec, vals: string[]): string {
    return vals
      .map((v) => {
        if (a.kind === AttributeKind.Reference) {
          const t = this.objects.get(Number(v));
          return t ? this.objectLabel(t) : v;
        }
        if (a.kind === AttributeKind.Status) return this.rules.status(Number(v))?.name ?? v;
        if (a.kind === AttributeKind.User) return this.deps.directory.userName(v) ?? v;
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
    const schema = this.rules.schema(view.type.schemaId);
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
          (a.includeChildObjectTypes && this.rules.isSameOrDescendant(target.typeId, allowedType));
        if (!typeOk) return { error: `${a.name}: Invalid due to restrictions (object ${v} has the wrong object type)` };
        if (target.schemaId !== schema?.id && !(schema?.config.allowOtherObjectSchema ?? false)) {
          return {
            error: `${a.name}: refers to the schema ${this.rules.schema(target.schemaId)?.name ?? target.schemaId}, which is not allowed`,
          };
        }
        if (a.qlQuery && !this.deps.matches(target, a.qlQuery))
          return { error: `${a.name}: Invalid due to restrictions (object ${v} is outside the filter)` };
        return String(target.id);
      }
      case AttributeKind.User:
        if (!this.deps.directory.hasUser(v)) return { error: `${a.name}: user "${v}" not found in Jira` };
        return v;
      case AttributeKind.Group:
        if (!this.deps.directory.hasGroup(v)) return { error: `${a.name}: Invalid Group(s) "${v}"` };
        return v;
      case AttributeKind.Status: {
        const s = this.rules.status(toId(v) ?? -1);
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
    this.revision.bump();
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
    if (this.rules.schema(o.schemaId)?.canManage) this.countedObjects--;
    this.objects.delete(id);
    this.historyByObject.delete(id);
  }

  addHistory(entry: Omit<HistoryRec, 'id'>): HistoryRec {
    const rec: HistoryRec = { id: this.ids.history.next(), ...entry };
    const list = getOrAdd(this.historyByObject, entry.objectId, (): HistoryRec[] => []);
    list.push(rec);
    return rec;
  }

  /** Registers an avatar image so objects can point at it (no public upload endpoint exists). */
  registerAvatar(uuid: string, fileId: string, colour: number): void {
    this.avatars.set(uuid, { uuid, fileId, colour });
  }

  /** Equality index of one attribute (lower-cased value → object ids), built on first use. */
  lookupEq(attrId: number, value: string): ReadonlySet<number> | undefined {
    let index = this.eqIndex.get(attrId);
    if (!index) {
      index = new Map();
      for (const [typeId, ids] of this.typeObjects) {
        if (!this.rules.view(typeId).byId.has(attrId)) continue;
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
}

const EMPTY_IDS: ReadonlySet<number> = new Set();
