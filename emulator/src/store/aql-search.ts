/**
 * AQL search over one site's objects (assets-cloud-api.md §3.5): the subset aql.ts parses, evaluated
 * against the store. Conjuncts that pin a schema, type, id, key or an indexed value narrow the scan
 * through indexes, and results are cached per query string until the next mutation, so a page of
 * /object/aql is a slice, not a scan.
 */
import { AttributeKind, DefaultType } from '@assets-vault/shared/model';
import { matchValue, parseAql, type AqlNode, type AqlQuery } from '../aql.js';
import { badRequestMessage } from '../errors.js';
import type { Directory, ObjectStore } from './objects.js';
import { toId, type ObjRec, type Revision, type TypeRec } from './records.js';
import type { SchemaRules } from './schema-rules.js';

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

export class AqlSearch {
  private readonly aqlCache = new Map<string, { version: number; ids: number[] }>();

  constructor(
    private readonly rules: SchemaRules,
    private readonly objects: ObjectStore,
    private readonly directory: Directory,
    private readonly revision: Revision,
  ) {}

  /** Ids of the objects matching an AQL query, in result order; cached until the next mutation. */
  aqlIds(qlQuery: string): number[] {
    const hit = this.aqlCache.get(qlQuery);
    if (hit && hit.version === this.revision.value) return hit.ids;
    const query = parseAql(qlQuery);
    this.checkAqlFields(query);
    const candidates = query.where ? this.candidates(query.where) : undefined;
    const source: Iterable<number> = candidates ?? this.objects.objectIds();
    const ids: number[] = [];
    const where = query.where;
    for (const id of source) {
      const o = this.objects.object(id);
      if (o && (!where || this.evalNode(o, where))) ids.push(id);
    }
    if (query.orderBy) this.sortIds(ids, query.orderBy);
    if (this.aqlCache.size >= AQL_CACHE_SIZE) {
      const oldest = this.aqlCache.keys().next().value;
      if (oldest !== undefined) this.aqlCache.delete(oldest);
    }
    this.aqlCache.set(qlQuery, { version: this.revision.value, ids });
    return ids;
  }

  objectMatches(o: ObjRec, qlQuery: string): boolean {
    const q = parseAql(qlQuery);
    return !q.where || this.evalNode(o, q.where);
  }

  private checkAqlFields(q: AqlQuery): void {
    const check = (field: string[]) => {
      const first = (field[0] ?? '').toLowerCase();
      if (field.length === 1 && AQL_RESERVED.has(first)) return;
      for (const part of field) {
        if (this.rules.attributesNamed(part).length === 0)
          throw badRequestMessage(`AQL: no attribute named "${part}" exists`);
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
      const types = this.rules.typeList().filter(pred);
      for (const t of types) for (const id of this.objects.idsOfType(t.id)) out.push(id);
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
          .filter((id) => this.objects.object(id) !== undefined)
          .sort((a, b) => a - b);
      case 'key':
      case 'objectkey':
        return this.objects.idsByKey(n.values);
      case 'objectschema':
      case 'label':
        return undefined;
      default: {
        const attrs = this.rules.attributesNamed(field);
        if (attrs.length === 0 || attrs.some((a) => a.kind !== AttributeKind.Default || a.system)) return undefined;
        const out = new Set<number>();
        for (const a of attrs)
          for (const v of n.values) for (const id of this.objects.lookupEq(a.id, v) ?? []) out.add(id);
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
          return [[this.rules.type(o.typeId)?.name ?? '']];
        case 'objectschema':
          return [[this.rules.schema(o.schemaId)?.name ?? '']];
        case 'objectid':
          return [[String(o.id)]];
        case 'key':
        case 'objectkey':
          return [[this.objects.objectKey(o)]];
        case 'label':
          return [[this.objects.objectLabel(o)]];
      }
    }
    const a = this.rules.view(o.typeId).byLowerName.get(first);
    if (!a) return [];
    const vals = this.objects.storedValues(o, a);
    if (path.length > 1) {
      if (a.kind !== AttributeKind.Reference) return [];
      const out: string[][] = [];
      for (const v of vals) {
        const t = this.objects.object(Number(v));
        if (t) out.push(...this.fieldValues(t, path.slice(1)));
      }
      return out;
    }
    switch (a.kind) {
      case AttributeKind.Reference:
        return vals.map((v) => {
          const t = this.objects.object(Number(v));
          return t ? [this.objects.objectKey(t), this.objects.objectLabel(t), v] : [v];
        });
      case AttributeKind.Status:
        return vals.map((v) => [this.rules.status(Number(v))?.name ?? v, v]);
      case AttributeKind.User:
        return vals.map((v) => [v, this.directory.userName(v) ?? v]);
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
        const a = this.objects.object(x),
          b = this.objects.object(y);
        if (!a || !b) return x - y;
        const ka = this.rules.schema(a.schemaId)?.key ?? '',
          kb = this.rules.schema(b.schemaId)?.key ?? '';
        return (ka < kb ? -1 : ka > kb ? 1 : a.keyNumber - b.keyNumber) * dir;
      });
      return;
    }
    const keys = new Map<number, string | number | undefined>();
    for (const id of ids) {
      const o = this.objects.object(id);
      if (!o) continue;
      const a = field.length === 1 ? this.rules.view(o.typeId).byLowerName.get(field[0] ?? '') : undefined;
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
}
