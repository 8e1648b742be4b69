/**
 * The restore form's state and the request it makes. The form validates that request with the same function the
 * resolver uses (`restoreRequestProblems`), so what the page accepts is what the backend accepts.
 */
import type { RestoreRequest } from '../../contract';

export type DestinationKind = RestoreRequest['destination']['kind'];

/** The target choice that means "a new target instance" (stored ones are chosen by id). */
export const NEW_TARGET = 'new';

export interface RestoreDraft {
  kind: DestinationKind;
  /** new schema (current or another instance) */
  schemaName: string;
  schemaKey: string;
  /** existing schema: '' = this site, else a target instance id */
  existingOn: string;
  schemaId: string;
  createDuplicates: boolean;
  /** another instance: a target instance id, NEW_TARGET, or '' (none chosen yet) */
  target: string;
  newTarget: { name: string; url: string; email: string; apiToken: string; save: boolean };
  objectIcons: boolean;
  history: boolean;
  specificTypes: boolean;
  objectTypeIds: string[];
}

export const EMPTY_DRAFT: RestoreDraft = {
  kind: 'current-instance',
  schemaName: '',
  schemaKey: '',
  existingOn: '',
  schemaId: '',
  createDuplicates: false,
  target: '',
  newTarget: { name: '', url: '', email: '', apiToken: '', save: true },
  objectIcons: false,
  history: false,
  specificTypes: false,
  objectTypeIds: [],
};

export function requestFromDraft(backupId: string, draft: RestoreDraft): RestoreRequest {
  const options = {
    objectIcons: draft.objectIcons,
    history: draft.history,
    ...(draft.specificTypes ? { objectTypeIds: draft.objectTypeIds } : {}),
  };
  const newSchema = { schemaName: draft.schemaName.trim(), schemaKey: draft.schemaKey.trim() };
  if (draft.kind === 'current-instance') return { backupId, destination: { kind: draft.kind, ...newSchema }, options };
  if (draft.kind === 'existing-schema')
    return {
      backupId,
      destination: {
        kind: draft.kind,
        schemaId: draft.schemaId,
        createDuplicates: draft.createDuplicates,
        ...(draft.existingOn ? { targetInstanceId: draft.existingOn } : {}),
      },
      options,
    };
  const target =
    draft.target === NEW_TARGET
      ? { newTarget: { ...draft.newTarget, name: draft.newTarget.name.trim(), email: draft.newTarget.email.trim() } }
      : draft.target
        ? { targetInstanceId: draft.target }
        : {};
  return { backupId, destination: { kind: draft.kind, ...target, ...newSchema }, options };
}

/** Whether the restore writes to the site itself, with the credentials the vault stores for it. */
export function usesSiteCredentials(draft: RestoreDraft): boolean {
  return draft.kind === 'current-instance' || (draft.kind === 'existing-schema' && draft.existingOn === '');
}
