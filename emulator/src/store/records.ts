/**
 * The records one emulated site holds, shared by the parts of its store (schema rules, objects,
 * AQL, Jira side), and the small helpers every part uses to read request bodies.
 */
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import type { GlobalConfig } from '@assets-vault/shared/model';
import { badRequest } from '../errors.js';

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
export function toInt(v: unknown): number | undefined {
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

/** Bumps on every mutation of the site, so caches (AQL results) know when they are stale. */
export class Revision {
  private n = 0;
  get value(): number {
    return this.n;
  }
  bump(): void {
    this.n++;
  }
}
