/**
 * One emulated site: its identity and credentials, its data (SiteStore), its traffic knobs, and a
 * typed read view that renders exactly what the API would return, for tests that compare a backup
 * with the truth without going through HTTP.
 */
import { randomBytes } from 'node:crypto';
import type {
  AssetObject,
  Icon,
  JiraField,
  JiraIssue,
  ObjectHistory,
  ObjectSchema,
  ObjectType,
  ObjectTypeAttribute,
  ReferenceType,
  Status,
} from '@assets-vault/shared/model';
import { toId, type JiraFieldRec, type UserRec } from './store/records.js';
import { SiteStore } from './store/site-store.js';
import { Renderer, type AttributeMode } from './render.js';
import { Traffic } from './traffic.js';
import { renderIssue } from './jql.js';
import { seededToken, seededUuid } from './random.js';
import type { EmulatorCounters, EmulatorKnobs, EmulatorSiteInfo } from './types.js';

/** Read accessors over a site's data, rendered as the API renders it (URLs use the gateway base). */
export class EmulatorStoreView {
  constructor(private readonly site: EmulatorSite) {}

  /** The mutable store: the same methods the routes call (createSchema, createObject, …). */
  get raw(): SiteStore {
    return this.site.data;
  }
  private r(): Renderer {
    return this.site.renderer();
  }

  schemas(): ObjectSchema[] {
    const r = this.r();
    return this.raw.schemaList().map((s) => r.schema(s, true));
  }
  schema(id: string | number): ObjectSchema | undefined {
    const s = this.raw.schema(toId(id) ?? -1);
    return s ? this.r().schema(s, true) : undefined;
  }
  objectTypes(schemaId: string | number): ObjectType[] {
    const r = this.r();
    const sid = toId(schemaId) ?? -1;
    return this.raw
      .typeList()
      .filter((t) => t.schemaId === sid)
      .map((t) => r.objectType(t, true));
  }
  objectType(id: string | number): ObjectType | undefined {
    const t = this.raw.type(toId(id) ?? -1);
    return t ? this.r().objectType(t, true) : undefined;
  }
  /** Own and inherited attributes of a type, like GET /objecttype/{id}/attributes. */
  attributes(typeId: string | number): ObjectTypeAttribute[] {
    const r = this.r();
    return this.raw.view(toId(typeId) ?? -1).attrs.map((a) => r.attribute(a, true));
  }
  /** Every attribute defined in a schema (each once, on its owning type). */
  schemaAttributes(schemaId: string | number): ObjectTypeAttribute[] {
    const r = this.r();
    return this.raw.schemaAttributes(toId(schemaId) ?? -1).map((a) => r.attribute(a, true));
  }
  /** Like GET /icon/{id}: a global icon or one uploaded in a schema. */
  icon(id: string | number): Icon | undefined {
    const icon = this.raw.icon(toId(id) ?? -1);
    return icon ? this.r().icon(icon.id) : undefined;
  }
  /** Like GET /icon/global: the built-in catalog plus this site's global uploads. */
  globalIcons(): Icon[] {
    const r = this.r();
    return this.raw.globalIcons().map((i) => r.icon(i.id));
  }
  /** Icons uploaded in one schema (no public endpoint lists them; its types show them). */
  schemaIcons(schemaId: string | number): Icon[] {
    const r = this.r();
    const sid = toId(schemaId) ?? -1;
    return this.raw
      .iconList()
      .filter((i) => i.schemaId === sid)
      .map((i) => r.icon(i.id));
  }
  statuses(schemaId?: string | number): Status[] {
    const r = this.r();
    return this.raw.statusList(schemaId === undefined ? undefined : toId(schemaId)).map((s) => r.status(s));
  }
  referenceTypes(schemaId?: string | number): ReferenceType[] {
    const r = this.r();
    return this.raw
      .refTypeList(schemaId === undefined ? undefined : toId(schemaId), false)
      .map((x) => r.referenceType(x));
  }
  /** Object ids in id order, optionally of one schema. */
  objectIds(schemaId?: string | number): string[] {
    if (schemaId === undefined) return [...this.raw.objectIds()].map(String);
    return this.raw.aqlIds(`objectSchemaId = ${String(schemaId)}`).map(String);
  }
  objectCount(schemaId?: string | number): number {
    return schemaId === undefined ? this.raw.objectCount() : this.raw.schemaObjectCount(toId(schemaId) ?? -1);
  }
  /** Like GET /object/{id} (includeAttributes: true embeds the definitions, as that endpoint does). */
  renderObject(
    id: string | number,
    opts: { includeAttributes?: boolean; embedDefinitions?: boolean } = {},
  ): AssetObject | undefined {
    const o = this.raw.object(toId(id) ?? -1);
    if (!o) return undefined;
    const mode: AttributeMode =
      opts.includeAttributes === false ? 'none' : opts.embedDefinitions === false ? 'plain' : 'embedded';
    return this.r().object(o, mode);
  }
  /** History of an object, newest first unless asc. */
  history(objectId: string | number, opts: { asc?: boolean } = {}): ObjectHistory[] {
    const r = this.r();
    const list = this.raw.history(toId(objectId) ?? -1).map((h) => r.history(h));
    return opts.asc ? list : list.reverse();
  }
  issues(): JiraIssue[] {
    return this.raw.issueList().map((i) => renderIssue(this.raw, i, undefined, this.site.info.siteUrl));
  }
  issue(key: string): JiraIssue | undefined {
    const i = this.raw.issue(key);
    return i ? renderIssue(this.raw, i, undefined, this.site.info.siteUrl) : undefined;
  }
  fields(): JiraField[] {
    return this.raw.fieldList().map(renderField);
  }
  /** Assets custom fields only (schema.custom = cmdb-object-cftype). */
  assetsFields(): JiraField[] {
    return this.raw.assetsFields().map(renderField);
  }
  users(): UserRec[] {
    return this.raw.userList();
  }
}

export function renderField(f: JiraFieldRec): JiraField {
  return {
    id: f.id,
    key: f.id,
    name: f.name,
    custom: f.custom,
    ...(f.schema
      ? {
          schema: {
            type: f.schema.type,
            ...(f.schema.items ? { items: f.schema.items } : {}),
            ...(f.schema.custom ? { custom: f.schema.custom } : {}),
            ...(f.schema.customId !== undefined ? { customId: f.schema.customId } : {}),
          },
        }
      : {}),
  };
}

export interface SiteSeedMaterial {
  /** when given, ids and credentials derive from it (stable across runs); otherwise random */
  seed?: string;
}

export class EmulatorSite {
  readonly info: EmulatorSiteInfo;
  readonly store: EmulatorStoreView;
  data: SiteStore;
  readonly traffic: Traffic;
  readonly mediaSecret = randomBytes(32).toString('hex');
  readonly mediaClientId: string;
  private readonly adminAccountId: string;
  private readonly idSeed: string;

  constructor(name: string, emulatorUrl: string, knobs: EmulatorKnobs, material: SiteSeedMaterial) {
    const seed = material.seed;
    const rnd = (len: number, label: string) =>
      seed !== undefined ? seededToken(len, seed, name, label) : randomBytes(len).toString('base64url').slice(0, len);
    const uuid = (label: string) =>
      seed !== undefined ? seededUuid(seed, name, label) : seededUuid(randomBytes(16).toString('hex'), label);
    const siteUrl = `${emulatorUrl}/sites/${name}`;
    this.info = {
      name,
      siteUrl,
      assetsApiBase: `${emulatorUrl}/gateway`,
      workspaceId: uuid('workspace'),
      cloudId: uuid('cloud'),
      email: `admin@${name}.example.test`,
      apiToken: `ATATT${rnd(40, 'token')}`,
      bearerToken: `emu-oauth-${rnd(40, 'bearer')}`,
    };
    this.mediaClientId = uuid('media-client');
    this.adminAccountId = `712020:${uuid('admin')}`;
    this.traffic = new Traffic(knobs, `${seed ?? 'random'}:${name}`);
    // ids differ between sites (a restore to another site must map them) but repeat across runs
    this.idSeed = `${seed ?? 'emulator'}:${name}`;
    this.data = this.freshStore();
    this.store = new EmulatorStoreView(this);
  }

  private freshStore(): SiteStore {
    return new SiteStore({
      workspaceId: this.info.workspaceId,
      adminAccountId: this.adminAccountId,
      adminDisplayName: 'Site Admin',
      adminEmail: this.info.email,
      knobs: () => this.traffic.knobs,
      idSeed: this.idSeed,
    });
  }

  /** accountId of the user the site's credentials act as */
  get actorAccountId(): string {
    return this.adminAccountId;
  }

  /** Gateway-form Assets base of this site. */
  get assetsBase(): string {
    return `${this.info.assetsApiBase}/jsm/assets/workspace/${this.info.workspaceId}/v1`;
  }

  renderer(assetsBase = this.assetsBase): Renderer {
    return new Renderer(this.data, {
      assetsBase,
      origin: this.info.siteUrl,
      mediaSecret: this.mediaSecret,
      mediaClientId: this.mediaClientId,
    });
  }

  setKnobs(k: EmulatorKnobs): void {
    this.traffic.setKnobs(k);
  }
  knobs(): EmulatorKnobs {
    return { ...this.traffic.knobs };
  }
  counters(): EmulatorCounters {
    return structuredClone(this.traffic.counters);
  }
  resetCounters(): void {
    this.traffic.resetCounters();
  }
  /** Empties the site's data (credentials, ids of the site and knobs stay). */
  resetData(): void {
    this.data = this.freshStore();
  }
  /** Empties data and counters. */
  reset(): void {
    this.resetData();
    this.resetCounters();
  }
}
