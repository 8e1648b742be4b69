/**
 * The Jira side of one emulated site (assets-cloud-api.md §9): accounts and groups, fields (with the
 * Assets custom fields), issues whose Assets fields point at objects, and the calling user's
 * permissions. Issue updates check that the objects they point at exist (`objectExists`).
 */
import { DEFAULT_GROUPS } from '../catalog.js';
import { badRequest, notFound } from '../errors.js';
import { toId, type IssueRec, type JiraFieldRec, type UserRec } from './records.js';

export interface JiraSideOptions {
  workspaceId: string;
  admin: UserRec;
  clock: () => number;
  objectExists: (objectId: number) => boolean;
}

export class JiraSide {
  private readonly users = new Map<string, UserRec>();
  private readonly groups = new Set<string>();
  private readonly fields: JiraFieldRec[] = [];
  private readonly issues = new Map<number, IssueRec>();
  private readonly issueByKey = new Map<string, number>();
  /** Jira permission keys the site's user does NOT have (GET /rest/api/3/mypermissions) */
  private readonly denied = new Set<string>();
  private seq = { issue: 10000, field: 10190 };
  private readonly workspaceId: string;
  private readonly adminAccountId: string;
  private readonly clock: () => number;
  private readonly objectExists: (objectId: number) => boolean;

  constructor(opts: JiraSideOptions) {
    this.workspaceId = opts.workspaceId;
    this.adminAccountId = opts.admin.accountId;
    this.clock = opts.clock;
    this.objectExists = opts.objectExists;
    for (const g of DEFAULT_GROUPS) this.groups.add(g);
    this.users.set(opts.admin.accountId, { ...opts.admin });
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

  private globalId(id: number | string): string {
    return `${this.workspaceId}:${id}`;
  }

  // -------------------------------------------------------------------------------------------
  // Reads

  user(accountId: string): UserRec | undefined {
    return this.users.get(accountId);
  }
  userList(): UserRec[] {
    return [...this.users.values()];
  }
  hasUser(accountId: string): boolean {
    return this.users.has(accountId);
  }
  userName(accountId: string): string | undefined {
    return this.users.get(accountId)?.displayName;
  }
  hasGroup(name: string): boolean {
    return this.groups.has(name);
  }
  groupList(): string[] {
    return [...this.groups];
  }
  fieldList(): readonly JiraFieldRec[] {
    return this.fields;
  }
  field(id: string): JiraFieldRec | undefined {
    return this.fields.find((f) => f.id === id);
  }
  /** Assets object custom fields only (schema items `cmdb-object-field`). */
  assetsFields(): JiraFieldRec[] {
    return this.fields.filter((f) => f.schema?.items === 'cmdb-object-field');
  }
  issueList(): IssueRec[] {
    return [...this.issues.values()];
  }
  issue(key: string): IssueRec | undefined {
    const id = this.issueByKey.get(key);
    return id === undefined ? undefined : this.issues.get(id);
  }

  /** Issues whose Assets fields hold `objectId`. */
  issuesReferencing(objectId: number): IssueRec[] {
    const fields = this.assetsFields();
    return this.issueList().filter((issue) => fields.some((f) => this.issueObjectIds(issue, f.id).includes(objectId)));
  }

  // -------------------------------------------------------------------------------------------
  // Permissions of the calling user (all granted unless denied)

  hasPermission(key: string): boolean {
    return !this.denied.has(key);
  }
  denyPermission(key: string): void {
    this.denied.add(key);
  }
  allowPermission(key: string): void {
    this.denied.delete(key);
  }
  get deniedPermissions(): ReadonlySet<string> {
    return this.denied;
  }

  // -------------------------------------------------------------------------------------------
  // Writes

  /** Seeds an Atlassian account (user attributes and history actors name accounts). */
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
          if (objectId === undefined || !this.objectExists(objectId)) {
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
