/**
 * The restore options form as data: what the user chose, what is wrong with it (by field, for inline errors),
 * and the request the vault takes (`POST /api/v1/restores`) when nothing is. Schema names and keys follow the
 * Assets rules of the restore engine (`@assets-vault/shared/restore/schema-rules`), the same check the vault
 * makes again; a new target's URL follows the sign-in page's rule.
 */
import { schemaInputProblems } from '@assets-vault/shared/restore/schema-rules';
import type { RestoreRequest } from '../api/vault.js';
import { siteUrlError } from './site-url.js';

export type DestinationKind = 'current-instance' | 'existing-schema' | 'another-instance';

/** The target choice meaning "enter a new target instance" (another instance). */
export const NEW_TARGET = 'new';

export interface RestoreFormValues {
  kind: DestinationKind;
  /** current instance and another instance: the new schema */
  schemaName: string;
  schemaKey: string;
  /** existing schema: where ('' = the current instance, else a target instance id) and which schema */
  existingTarget: string;
  existingSchemaId: string;
  createDuplicates: boolean;
  /** another instance: a stored target instance's id, or NEW_TARGET */
  targetInstanceId: string;
  newTarget: TargetInput & { save: boolean };
  objectIcons: boolean;
  history: boolean;
  specificTypes: boolean;
  objectTypeIds: ReadonlySet<string>;
}

export type RestoreFormField =
  | 'schemaName'
  | 'schemaKey'
  | 'existingSchemaId'
  | 'targetInstanceId'
  | 'newTargetName'
  | 'newTargetUrl'
  | 'newTargetEmail'
  | 'newTargetApiToken'
  | 'newTargetAssetsApiBaseUrl'
  | 'objectTypeIds';

export type RestoreFormProblems = Partial<Record<RestoreFormField, string>>;

export const emptyRestoreForm = (): RestoreFormValues => ({
  kind: 'current-instance',
  schemaName: '',
  schemaKey: '',
  existingTarget: '',
  existingSchemaId: '',
  createDuplicates: false,
  targetInstanceId: '',
  newTarget: { name: '', url: '', email: '', apiToken: '', assetsApiBaseUrl: '', save: true },
  objectIcons: true,
  history: true,
  specificTypes: false,
  objectTypeIds: new Set(),
});

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A suggestion for the new schema's key from its name: the letters and digits, upper-cased, at most 10. */
export function suggestSchemaKey(name: string): string {
  const letters = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]/g, '')
    .toUpperCase()
    .replace(/^[0-9]+/, '');
  return letters.slice(0, 10);
}

function newSchemaProblems(v: RestoreFormValues): RestoreFormProblems {
  const problems = schemaInputProblems(v.schemaName, v.schemaKey);
  return {
    ...(problems.name ? { schemaName: problems.name } : {}),
    ...(problems.key ? { schemaKey: problems.key } : {}),
  };
}

export interface TargetInput {
  name: string;
  url: string;
  email: string;
  apiToken: string;
  assetsApiBaseUrl: string;
}

/** What is wrong with a target instance's fields (Settings › Target instances, or a new target in the form). */
export function targetInputProblems(
  t: TargetInput,
  allowInsecureSiteUrls: boolean,
): Partial<Record<keyof TargetInput, string>> {
  const out: Partial<Record<keyof TargetInput, string>> = {};
  if (t.name.trim() === '') out.name = 'Give the target instance a name.';
  const url = siteUrlError(t.url, allowInsecureSiteUrls);
  if (url) out.url = url;
  if (!EMAIL.test(t.email.trim())) out.email = 'Enter the e-mail address of the Atlassian account.';
  if (t.apiToken === '') out.apiToken = "Enter the account's API token.";
  const base = t.assetsApiBaseUrl.trim();
  if (base !== '' && !/^https?:\/\/\S+$/.test(base))
    out.assetsApiBaseUrl = 'Enter a URL starting with https://, or leave it empty.';
  return out;
}

/** The restore form's field of each input of a new target instance. */
const NEW_TARGET_FIELDS: Record<keyof TargetInput, RestoreFormField> = {
  name: 'newTargetName',
  url: 'newTargetUrl',
  email: 'newTargetEmail',
  apiToken: 'newTargetApiToken',
  assetsApiBaseUrl: 'newTargetAssetsApiBaseUrl',
};
const TARGET_INPUTS = Object.keys(NEW_TARGET_FIELDS) as (keyof TargetInput)[];

/** A value for each input of a new target instance, read through the restore form's field of it. */
export function perTargetInput<T>(read: (field: RestoreFormField) => T): Record<keyof TargetInput, T> {
  return Object.fromEntries(TARGET_INPUTS.map((input) => [input, read(NEW_TARGET_FIELDS[input])])) as Record<
    keyof TargetInput,
    T
  >;
}

function newTargetProblems(v: RestoreFormValues, allowInsecureSiteUrls: boolean): RestoreFormProblems {
  const p = targetInputProblems(v.newTarget, allowInsecureSiteUrls);
  const out: RestoreFormProblems = {};
  for (const input of TARGET_INPUTS) if (p[input]) out[NEW_TARGET_FIELDS[input]] = p[input];
  return out;
}

/** Every problem of the form, by field; empty when the restore can be sent. */
export function restoreFormProblems(v: RestoreFormValues, allowInsecureSiteUrls: boolean): RestoreFormProblems {
  const problems: RestoreFormProblems = {};
  switch (v.kind) {
    case 'current-instance':
      Object.assign(problems, newSchemaProblems(v));
      break;
    case 'existing-schema':
      if (v.existingSchemaId === '') problems.existingSchemaId = 'Choose the schema to restore into.';
      break;
    case 'another-instance':
      Object.assign(problems, newSchemaProblems(v));
      if (v.targetInstanceId === '') problems.targetInstanceId = 'Choose a target instance or enter a new one.';
      else if (v.targetInstanceId === NEW_TARGET) Object.assign(problems, newTargetProblems(v, allowInsecureSiteUrls));
      break;
  }
  if (v.specificTypes && v.objectTypeIds.size === 0) problems.objectTypeIds = 'Choose at least one object type.';
  return problems;
}

/** The vault's request for a valid form (check `restoreFormProblems` first). */
export function restoreRequest(backupId: string, v: RestoreFormValues): RestoreRequest {
  const options = {
    objectIcons: v.objectIcons,
    history: v.history,
    // sorted: the same choice is the same request (the preview is asked again only when it changes)
    ...(v.specificTypes ? { objectTypeIds: [...v.objectTypeIds].sort() } : {}),
  };
  const schemaName = v.schemaName.trim();
  switch (v.kind) {
    case 'current-instance':
      return { backupId, destination: { kind: 'current-instance', schemaName, schemaKey: v.schemaKey }, options };
    case 'existing-schema':
      return {
        backupId,
        destination: {
          kind: 'existing-schema',
          schemaId: v.existingSchemaId,
          createDuplicates: v.createDuplicates,
          ...(v.existingTarget !== '' ? { targetInstanceId: v.existingTarget } : {}),
        },
        options,
      };
    case 'another-instance': {
      const t = v.newTarget;
      const target =
        v.targetInstanceId === NEW_TARGET
          ? {
              newTarget: {
                name: t.name.trim(),
                url: t.url.trim(),
                email: t.email.trim(),
                apiToken: t.apiToken,
                ...(t.assetsApiBaseUrl.trim() !== '' ? { assetsApiBaseUrl: t.assetsApiBaseUrl.trim() } : {}),
                save: t.save,
              },
            }
          : { targetInstanceId: v.targetInstanceId };
      return {
        backupId,
        destination: { kind: 'another-instance', ...target, schemaName, schemaKey: v.schemaKey },
        options,
      };
    }
  }
}
