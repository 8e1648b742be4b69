/**
 * The in-memory state of one emulated site (one Assets workspace plus its Jira side), as one API
 * over four parts that each own their data: SchemaRules (structure and its rules), ObjectStore
 * (objects, values, keys, history, avatars), AqlSearch (queries) and JiraSide (accounts, fields,
 * issues, permissions). Store methods validate, mutate and throw `EmulatorHttpError` with the body
 * the real service would send; rendering to the wire shapes lives in render.ts. Deletions that
 * cross parts (a schema or type with its objects, an attribute with its values) are put in order
 * here. Records handed out are the store's own: read and render them, change them only through
 * these methods.
 */
import { GLOBAL_ICON_NAMES } from '../catalog.js';
import { SiteIds } from '../ids.js';
import type { EmulatorKnobs } from '../types.js';
import { AqlSearch } from './aql-search.js';
import { JiraSide } from './jira-side.js';
import { ObjectStore } from './objects.js';
import { Revision, type HistoryRec, type ObjRec, type UserRec } from './records.js';
import { SchemaRules } from './schema-rules.js';

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
  readonly clock: () => number;
  private readonly schemaRules: SchemaRules;
  private readonly objectStore: ObjectStore;
  private readonly aqlSearch: AqlSearch;
  private readonly jiraSide: JiraSide;

  constructor(opts: StoreOptions) {
    this.workspaceId = opts.workspaceId;
    this.adminAccountId = opts.adminAccountId;
    this.clock = opts.clock ?? Date.now;
    const { knobs, clock } = { knobs: opts.knobs, clock: this.clock };
    const revision = new Revision();
    const ids = new SiteIds(opts.idSeed, () => knobs().denseIds === true, GLOBAL_ICON_NAMES.length);
    this.jiraSide = new JiraSide({
      workspaceId: opts.workspaceId,
      admin: { accountId: opts.adminAccountId, displayName: opts.adminDisplayName, email: opts.adminEmail },
      clock,
      objectExists: (id) => this.objectStore.object(id) !== undefined,
    });
    this.schemaRules = new SchemaRules({
      knobs,
      ids,
      clock,
      revision,
      hasGroup: (name) => this.jiraSide.hasGroup(name),
      objectCount: (typeId) => this.objectStore.countOfType(typeId),
    });
    this.objectStore = new ObjectStore({
      rules: this.schemaRules,
      directory: this.jiraSide,
      knobs,
      ids,
      clock,
      revision,
      matches: (o, qlQuery) => this.aqlSearch.objectMatches(o, qlQuery),
    });
    this.aqlSearch = new AqlSearch(this.schemaRules, this.objectStore, this.jiraSide, revision);
  }

  globalId(id: number | string): string {
    return `${this.workspaceId}:${id}`;
  }

  // -------------------------------------------------------------------------------------------
  // Structure (SchemaRules)

  schema = (id: number) => this.schemaRules.schema(id);
  schemaList = () => this.schemaRules.schemaList();
  getSchema = (id: unknown) => this.schemaRules.getSchema(id);
  schemaTypeIds = (schemaId: number) => this.schemaRules.schemaTypeIds(schemaId);
  createSchema = (body: unknown, opts: { canManage?: boolean } = {}) => this.schemaRules.createSchema(body, opts);
  updateSchema = (id: unknown, body: unknown) => this.schemaRules.updateSchema(id, body);
  setSchemaConfig = (id: unknown, body: unknown) => this.schemaRules.setSchemaConfig(id, body);
  get globalConfig() {
    return this.schemaRules.globalConfig;
  }

  /** Deletes a schema with its types, attributes, objects, statuses, reference types and icons. */
  deleteSchema(id: unknown) {
    const s = this.schemaRules.getSchema(id);
    this.schemaRules.checkSchemaDeletable(s);
    const attrIds = this.schemaRules.schemaAttributes(s.id).map((a) => a.id);
    for (const typeId of this.schemaRules.schemaTypeIds(s.id)) this.objectStore.removeAllOfType(typeId);
    this.objectStore.forgetSchema(s.id);
    this.objectStore.forgetAttributes(attrIds);
    this.schemaRules.removeSchema(s);
    return s;
  }

  type = (id: number) => this.schemaRules.type(id);
  typeList = () => this.schemaRules.typeList();
  getType = (id: unknown) => this.schemaRules.getType(id);
  childrenOf = (parentId: number | undefined, schemaId: number) => this.schemaRules.childrenOf(parentId, schemaId);
  isSameOrDescendant = (typeId: number, ancestorId: number) => this.schemaRules.isSameOrDescendant(typeId, ancestorId);
  createType = (body: unknown) => this.schemaRules.createType(body);
  updateType = (id: unknown, body: unknown) => this.schemaRules.updateType(id, body);
  moveType = (id: unknown, body: unknown) => this.schemaRules.moveType(id, body);

  /** Deletes a type with the types below it, their attributes and their objects. */
  deleteType(id: unknown) {
    const t = this.schemaRules.getType(id);
    this.schemaRules.checkTypeDeletable(t);
    const tree = this.schemaRules.typeTree(t.id);
    const attrIds = tree.flatMap((typeId) => this.schemaRules.view(typeId).attrs.filter((a) => a.typeId === typeId));
    for (const typeId of tree) this.objectStore.removeAllOfType(typeId);
    this.objectStore.forgetAttributes(attrIds.map((a) => a.id));
    this.schemaRules.removeType(t);
    return t;
  }

  /** Own and inherited attributes of a type (cached until the next structural change). */
  view = (typeId: number) => this.schemaRules.view(typeId);
  attribute = (id: number) => this.schemaRules.attribute(id);
  getAttribute = (id: unknown) => this.schemaRules.getAttribute(id);
  schemaAttributes = (schemaId: number) => this.schemaRules.schemaAttributes(schemaId);
  createAttribute = (typeId: unknown, body: unknown) => this.schemaRules.createAttribute(typeId, body);
  updateAttribute = (typeId: unknown, id: unknown, body: unknown) => this.schemaRules.updateAttribute(typeId, id, body);

  /** Deletes an attribute definition and its values on every object of its type and the types below. */
  deleteAttribute(id: unknown): void {
    const a = this.schemaRules.removeAttribute(id);
    this.objectStore.dropAttribute(a.id, this.schemaRules.typeTree(a.typeId));
  }

  status = (id: number) => this.schemaRules.status(id);
  statusList = (schemaId?: number) => this.schemaRules.statusList(schemaId);
  getStatus = (id: unknown) => this.schemaRules.getStatus(id);
  createStatus = (body: unknown) => this.schemaRules.createStatus(body);
  updateStatus = (id: unknown, body: unknown) => this.schemaRules.updateStatus(id, body);
  deleteStatus = (id: unknown) => this.schemaRules.deleteStatus(id);
  referenceType = (id: number) => this.schemaRules.referenceType(id);
  refTypeList = (schemaId: number | undefined, includeAll: boolean) =>
    this.schemaRules.refTypeList(schemaId, includeAll);
  createRefType = (body: unknown) => this.schemaRules.createRefType(body);
  icon = (id: number) => this.schemaRules.icon(id);
  iconList = () => this.schemaRules.iconList();
  globalIcons = () => this.schemaRules.globalIcons();
  getIcon = (id: unknown) => this.schemaRules.getIcon(id);
  addIcon = (input: { name: string; schemaId?: number }) => this.schemaRules.addIcon(input);

  // -------------------------------------------------------------------------------------------
  // Objects (ObjectStore)

  object = (id: number) => this.objectStore.object(id);
  /** Every object id, in id order. */
  objectIds = () => this.objectStore.objectIds();
  objectCount = () => this.objectStore.size;
  idsOfType = (typeId: number) => this.objectStore.idsOfType(typeId);
  countOfType = (typeId: number) => this.objectStore.countOfType(typeId);
  schemaObjectCount = (schemaId: number) => this.objectStore.countOfSchema(schemaId);
  getObject = (id: unknown) => this.objectStore.getObject(id);
  objectKey = (o: ObjRec) => this.objectStore.objectKey(o);
  objectLabel = (o: ObjRec) => this.objectStore.objectLabel(o);
  storedValues = (o: ObjRec, a: Parameters<ObjectStore['storedValues']>[1]) => this.objectStore.storedValues(o, a);
  usage = () => this.objectStore.usage();
  referencesTo = (objectId: number) => this.objectStore.referencesTo(objectId);
  createObject = (body: unknown, actor: string) => this.objectStore.createObject(body, actor);
  updateObject = (id: unknown, body: unknown, actor: string) => this.objectStore.updateObject(id, body, actor);
  insertObject = (...args: Parameters<ObjectStore['insertObject']>) => this.objectStore.insertObject(...args);
  setValuesUnchecked = (o: ObjRec, attrId: number, vals: string[]) =>
    this.objectStore.setValuesUnchecked(o, attrId, vals);
  deleteObject = (id: unknown) => this.objectStore.deleteObject(id);
  history = (objectId: number) => this.objectStore.history(objectId);
  addHistory = (entry: Omit<HistoryRec, 'id'>) => this.objectStore.addHistory(entry);
  avatar = (uuid: string) => this.objectStore.avatar(uuid);
  avatarByFileId = (fileId: string) => this.objectStore.avatarByFileId(fileId);
  /** Registers an avatar image so objects can point at it (no public upload endpoint exists). */
  registerAvatar = (uuid: string, fileId: string, colour: number) =>
    this.objectStore.registerAvatar(uuid, fileId, colour);

  // -------------------------------------------------------------------------------------------
  // AQL (AqlSearch)

  /** Ids of the objects matching an AQL query, in result order; cached until the next mutation. */
  aqlIds = (qlQuery: string) => this.aqlSearch.aqlIds(qlQuery);
  objectMatches = (o: ObjRec, qlQuery: string) => this.aqlSearch.objectMatches(o, qlQuery);

  // -------------------------------------------------------------------------------------------
  // Jira side (JiraSide)

  user = (accountId: string) => this.jiraSide.user(accountId);
  userList = () => this.jiraSide.userList();
  addUser = (u: UserRec) => this.jiraSide.addUser(u);
  groupList = () => this.jiraSide.groupList();
  fieldList = () => this.jiraSide.fieldList();
  field = (id: string) => this.jiraSide.field(id);
  assetsFields = () => this.jiraSide.assetsFields();
  addAssetsField = (name: string) => this.jiraSide.addAssetsField(name);
  addPlainCustomField = (name: string, type: 'number' | 'string') => this.jiraSide.addPlainCustomField(name, type);
  issue = (key: string) => this.jiraSide.issue(key);
  issueList = () => this.jiraSide.issueList();
  getIssue = (idOrKey: string) => this.jiraSide.getIssue(idOrKey);
  addIssue = (input: Parameters<JiraSide['addIssue']>[0]) => this.jiraSide.addIssue(input);
  updateIssue = (...args: Parameters<JiraSide['updateIssue']>) => this.jiraSide.updateIssue(...args);
  assetsFieldValue = (objectId: number | string) => this.jiraSide.assetsFieldValue(objectId);
  issueObjectIds = (...args: Parameters<JiraSide['issueObjectIds']>) => this.jiraSide.issueObjectIds(...args);
  issuesReferencing = (objectId: number) => this.jiraSide.issuesReferencing(objectId);
  hasPermission = (key: string) => this.jiraSide.hasPermission(key);
  /** Takes a Jira permission away from the site's user (GET /rest/api/3/mypermissions). */
  denyPermission = (key: string) => this.jiraSide.denyPermission(key);
  allowPermission = (key: string) => this.jiraSide.allowPermission(key);
  get deniedPermissions(): ReadonlySet<string> {
    return this.jiraSide.deniedPermissions;
  }
}
