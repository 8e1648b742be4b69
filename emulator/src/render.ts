/**
 * Store records → the exact wire shapes of the Assets Cloud API (assets-cloud-api.md §4): ids as
 * strings, counts/positions/timestamps as numbers, absent optionals omitted (never null), URLs
 * built from the base the request came in on. One Renderer serves one request, so it may cache
 * embedded object types and referenced objects for the length of a page.
 */
import { createHmac, randomUUID } from 'node:crypto';
import {
  AttributeKind,
  DEFAULT_TYPE_NAMES,
  type AssetObject,
  type Avatar,
  type Icon,
  type JiraUser,
  type ObjectAttribute,
  type ObjectAttributeValue,
  type ObjectHistory,
  type ObjectSchema,
  type ObjectType,
  type ObjectTypeAttribute,
  type ReferenceType,
  type Status,
} from '@assets-vault/shared/model';
import type { AttrRec, HistoryRec, ObjRec, RefTypeRec, SchemaRec, StatusRec, TypeRec } from './store/records.js';
import type { SiteStore } from './store/site-store.js';
import { displayDefaultValue } from './values.js';

const iso = (ms: number) => new Date(ms).toISOString();
const AVATAR_SIZES = [16, 48, 72, 144, 288] as const;

export interface RenderContext {
  /** Assets API base of the request, ending in `/v1` */
  assetsBase: string;
  /** origin of the emulator (for media and user avatar URLs) */
  origin: string;
  /** signs the fake media tokens */
  mediaSecret: string;
  mediaClientId: string;
}

export type AttributeMode = 'none' | 'plain' | 'embedded';

export class Renderer {
  private typeCache = new Map<string, ObjectType>();
  private summaryCache = new Map<number, AssetObject>();
  constructor(
    private readonly store: SiteStore,
    private readonly ctx: RenderContext,
  ) {}

  get assetsBase(): string {
    return this.ctx.assetsBase;
  }

  schema(s: SchemaRec, counts: boolean): ObjectSchema {
    const ws = this.store.workspaceId;
    return {
      workspaceId: ws,
      globalId: this.store.globalId(s.id),
      id: String(s.id),
      name: s.name,
      objectSchemaKey: s.key,
      ...(s.description ? { description: s.description } : {}),
      status: 'Ok',
      created: iso(s.created),
      updated: iso(s.updated),
      objectCount: counts ? this.store.schemaObjectCount(s.id) : 0,
      objectTypeCount: counts ? this.store.schemaTypeIds(s.id).length : 0,
      canManage: s.canManage,
    };
  }

  icon(iconId: number): Icon {
    return {
      id: String(iconId),
      name: this.store.icon(iconId)?.name ?? 'Object',
      url16: `${this.ctx.assetsBase}/icon/${iconId}/icon.png?size=16`,
      url48: `${this.ctx.assetsBase}/icon/${iconId}/icon.png?size=48`,
    };
  }

  objectType(t: TypeRec, counts = true): ObjectType {
    const cacheKey = `${t.id}:${counts}`;
    const hit = this.typeCache.get(cacheKey);
    if (hit) return hit;
    const out: ObjectType = {
      workspaceId: this.store.workspaceId,
      globalId: this.store.globalId(t.id),
      id: String(t.id),
      name: t.name,
      ...(t.description ? { description: t.description } : {}),
      icon: {
        id: String(t.iconId),
        name: this.store.icon(t.iconId)?.name ?? 'Object',
        url16: `${this.ctx.assetsBase}/objecttype/${t.id}/icon.png?size=16`,
        url48: `${this.ctx.assetsBase}/objecttype/${t.id}/icon.png?size=48`,
      },
      position: t.position,
      created: iso(t.created),
      updated: iso(t.updated),
      objectCount: counts ? this.store.countOfType(t.id) : 0,
      // declared a number by the spec (§4.2)
      ...(t.parentId !== undefined ? { parentObjectTypeId: t.parentId } : {}),
      type: 0,
      objectSchemaId: String(t.schemaId),
      inherited: t.inherited,
      abstractObjectType: t.abstract,
      parentObjectTypeInherited: t.parentInherited,
    };
    this.typeCache.set(cacheKey, out);
    return out;
  }

  status(s: StatusRec): Status {
    return {
      workspaceId: this.store.workspaceId,
      globalId: this.store.globalId(s.id),
      id: String(s.id),
      name: s.name,
      ...(s.description ? { description: s.description } : {}),
      category: s.category,
      ...(s.schemaId !== undefined ? { objectSchemaId: String(s.schemaId) } : {}),
    };
  }

  referenceType(r: RefTypeRec): ReferenceType {
    return {
      workspaceId: this.store.workspaceId,
      globalId: this.store.globalId(r.id),
      id: String(r.id),
      name: r.name,
      ...(r.description ? { description: r.description } : {}),
      ...(r.color ? { color: r.color } : {}),
      url16: `${this.ctx.assetsBase}/config/referencetype/${r.id}/icon.png?size=16`,
      removable: r.removable,
      ...(r.schemaId !== undefined ? { objectSchemaId: String(r.schemaId) } : {}),
    };
  }

  attribute(a: AttrRec, embedType: boolean): ObjectTypeAttribute {
    const owner = this.store.type(a.typeId);
    const out: ObjectTypeAttribute = {
      workspaceId: this.store.workspaceId,
      globalId: this.store.globalId(a.id),
      id: String(a.id),
      ...(embedType && owner ? { objectType: this.objectType(owner) } : {}),
      name: a.name,
      ...(a.description ? { description: a.description } : {}),
      label: a.label,
      type: a.kind,
      indexed: a.indexed,
      position: a.position,
    };
    if (a.kind === AttributeKind.Default && a.defaultTypeId !== undefined) {
      out.defaultType = { id: a.defaultTypeId, name: DEFAULT_TYPE_NAMES[a.defaultTypeId] ?? 'Text' };
    }
    if (a.typeValue !== undefined) out.typeValue = a.typeValue;
    if (a.typeValueMulti !== undefined) out.typeValueMulti = [...a.typeValueMulti];
    if (a.additionalValue !== undefined) out.additionalValue = a.additionalValue;
    if (a.kind === AttributeKind.Reference) {
      const rt = this.store.referenceType(Number(a.additionalValue));
      if (rt) out.referenceType = this.referenceType(rt);
      const target = this.store.type(Number(a.typeValue));
      if (a.typeValue !== undefined) out.referenceObjectTypeId = a.typeValue;
      if (target) out.referenceObjectType = this.objectType(target);
    }
    Object.assign(out, {
      editable: a.editable,
      system: a.system,
      sortable: a.sortable,
      summable: a.summable,
      minimumCardinality: a.min,
      maximumCardinality: a.max,
      ...(a.suffix ? { suffix: a.suffix } : {}),
      removable: a.removable,
      hidden: a.hidden,
      includeChildObjectTypes: a.includeChildObjectTypes,
      uniqueAttribute: a.unique,
      ...(a.regexValidation ? { regexValidation: a.regexValidation } : {}),
      ...(a.qlQuery ? { qlQuery: a.qlQuery, iql: a.qlQuery } : {}),
      options: a.options,
    });
    // keep `position` last, like the real payloads (cosmetic, helps diffing)
    const { position } = out;
    delete (out as Partial<ObjectTypeAttribute>).position;
    out.position = position;
    return out;
  }

  private avatar(o: ObjRec): Avatar {
    const ws = this.store.workspaceId;
    const custom = o.avatarUUID ? this.store.avatar(o.avatarUUID) : undefined;
    const url = (size: number) =>
      custom
        ? `${this.ctx.assetsBase}/object/${o.id}/avatar.png?size=${size}`
        : `${this.ctx.assetsBase}/objecttype/${o.typeId}/icon.png?size=${size}`;
    const [u16, u48, u72, u144, u288] = AVATAR_SIZES.map(url) as [string, string, string, string, string];
    const base: Avatar = {
      workspaceId: ws,
      url16: u16,
      url48: u48,
      url72: u72,
      url144: u144,
      url288: u288,
      objectId: String(o.id),
    };
    if (!custom) return base;
    // Real sites only send a media config for custom avatars, with a fresh short-lived token each time.
    return {
      ...base,
      globalId: this.store.globalId(o.id),
      id: String(o.id),
      avatarUUID: custom.uuid,
      mediaClientConfig: {
        clientId: this.ctx.mediaClientId,
        mediaBaseUrl: `${this.ctx.origin}/media`,
        mediaJwtToken: this.mediaToken(custom.fileId),
        fileId: custom.fileId,
      },
    };
  }

  private mediaToken(fileId: string): string {
    const now = Math.floor(Date.now() / 1000);
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const head = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({
      iss: this.ctx.mediaClientId,
      iat: now,
      exp: now + 900,
      jti: randomUUID(),
      access: { [`urn:filestore:file:${fileId}`]: ['read'] },
    })}`;
    return `${head}.${createHmac('sha256', this.ctx.mediaSecret).update(head).digest('base64url')}`;
  }

  /** An object as embedded in references: no attributes. */
  objectSummary(o: ObjRec): AssetObject {
    const hit = this.summaryCache.get(o.id);
    if (hit && !o.avatarUUID) return hit;
    const type = this.store.type(o.typeId);
    const label = this.store.objectLabel(o);
    const out: AssetObject = {
      workspaceId: this.store.workspaceId,
      globalId: this.store.globalId(o.id),
      id: String(o.id),
      label,
      objectKey: this.store.objectKey(o),
      avatar: this.avatar(o),
      objectType: type ? this.objectType(type) : (undefined as never),
      created: iso(o.created),
      updated: iso(o.updated),
      hasAvatar: o.avatarUUID !== undefined,
      timestamp: o.updated,
      name: label,
      _links: { self: `${this.ctx.assetsBase}/object/${o.id}` },
    };
    this.summaryCache.set(o.id, out);
    return out;
  }

  object(o: ObjRec, mode: AttributeMode, extendedInfo = false): AssetObject {
    const out: AssetObject = { ...this.objectSummary(o) };
    if (mode !== 'none') out.attributes = this.objectAttributes(o, mode === 'embedded');
    if (extendedInfo) {
      let openIssuesExists = false;
      for (const issue of this.store.issueList()) {
        for (const [, v] of issue.custom) {
          if (Array.isArray(v) && v.some((x) => String((x as { objectId?: unknown }).objectId) === String(o.id)))
            openIssuesExists = true;
        }
        if (openIssuesExists) break;
      }
      out.extendedInfo = { openIssuesExists, attachmentsExists: false };
    }
    return out;
  }

  /** The attributes of an object that hold values, in the type's attribute order. */
  objectAttributes(o: ObjRec, embedDefinition: boolean): ObjectAttribute[] {
    const view = this.store.view(o.typeId);
    const out: ObjectAttribute[] = [];
    for (const a of view.attrs) {
      const vals = this.store.storedValues(o, a);
      if (vals.length === 0) continue;
      // the value container id is deprecated; derived so it stays stable across reads
      const containerId = String(o.id * 1_000_000 + a.id);
      out.push({
        workspaceId: this.store.workspaceId,
        globalId: this.store.globalId(containerId),
        id: containerId,
        ...(embedDefinition ? { objectTypeAttribute: this.attribute(a, false) } : {}),
        objectTypeAttributeId: String(a.id),
        objectAttributeValues: vals.map((v) => this.value(a, v)),
        objectId: String(o.id),
      });
    }
    return out;
  }

  private value(a: AttrRec, v: string): ObjectAttributeValue {
    switch (a.kind) {
      case AttributeKind.Reference: {
        const target = this.store.object(Number(v));
        if (!target) return { displayValue: v, searchValue: v, referencedType: true };
        const summary = this.objectSummary(target);
        return {
          referencedObject: summary,
          displayValue: summary.label,
          searchValue: summary.objectKey,
          referencedType: true,
        };
      }
      case AttributeKind.User: {
        const user = this.user(v);
        return { value: v, displayValue: user.displayName ?? v, searchValue: v, referencedType: false, user };
      }
      case AttributeKind.Group:
        return {
          value: v,
          displayValue: v,
          searchValue: v,
          referencedType: false,
          group: { avatarUrl: `${this.ctx.origin}/secure/useravatar?avatarId=10123&size=small`, name: v },
        };
      case AttributeKind.Status: {
        const s = this.store.status(Number(v));
        return {
          value: v,
          displayValue: s?.name ?? v,
          searchValue: v,
          referencedType: false,
          ...(s ? { status: this.status(s) } : {}),
        };
      }
      default: {
        const dt = a.defaultTypeId ?? 0;
        return { value: v, displayValue: displayDefaultValue(dt, v), searchValue: v, referencedType: false };
      }
    }
  }

  user(accountId: string): JiraUser {
    const u = this.store.user(accountId);
    const name = u?.displayName ?? 'Former user';
    return {
      avatarUrl: `${this.ctx.origin}/avatar/${encodeURIComponent(accountId)}.png`,
      displayName: name,
      name,
      key: accountId,
      ...(u ? { emailAddress: u.email } : {}),
      html: `${name} (${accountId})`,
      renderedLink: `<a href="${this.ctx.origin}/jira/people/${accountId}">${name}</a>`,
      isDeleted: u === undefined,
      self: `${this.ctx.origin}/rest/api/3/user?accountId=${encodeURIComponent(accountId)}`,
    };
  }

  history(h: HistoryRec): ObjectHistory {
    return {
      actor: this.user(h.actor),
      id: String(h.id),
      ...(h.affectedAttribute !== undefined ? { affectedAttribute: h.affectedAttribute } : {}),
      ...(h.oldValue !== undefined ? { oldValue: h.oldValue } : {}),
      ...(h.newValue !== undefined ? { newValue: h.newValue } : {}),
      type: h.type,
      created: iso(h.created),
      objectId: String(h.objectId),
    };
  }
}
