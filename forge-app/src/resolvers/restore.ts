/**
 * Resolvers of the restore screens: each validates its payload, then asks the vault through the signed site API
 * (src/vault-site.ts) for the tenant of the Forge context. The vault runs the restore; nothing of it is kept in
 * Forge storage, the site's API token included (it goes to the vault, signed, and is stored encrypted there).
 */
import { isRestoreRequest, type RestoreRequest } from '@assets-vault/shared/contract';
import { ValidationError } from '@assets-vault/shared/errors';
import type { BackupFilter } from '../contract';
import { currentUser } from '../jira';
import { log } from '../log';
import { isSchemaId, isSiteUrl, normaliseEmail, restoreRequestProblems } from '../validation';
import { vaultSite } from '../vault-site';
import type { Handler } from './session';

type RestoreKeys =
  | 'listVaultSchemas'
  | 'listBackups'
  | 'backupObjectTypes'
  | 'deleteBackup'
  | 'getSiteCredentials'
  | 'saveSiteCredentials'
  | 'listTargetInstances'
  | 'listAssetsSchemas'
  | 'listRestores'
  | 'getRestore'
  | 'previewRestore'
  | 'startRestore'
  | 'restoreIssueFields'
  | 'restoreLogLink';

/** Vault ids (backups, restores, target instances): UUIDs and similar tokens. */
const VAULT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_TOKEN_LENGTH = 4096;
const MAX_CURSOR_LENGTH = 200;

function vaultId(value: unknown, what: string): string {
  if (typeof value !== 'string' || !VAULT_ID.test(value))
    throw new ValidationError(`${what} must be a vault id`, { code: 'invalid_id' });
  return value;
}

function optional<T>(value: unknown, check: (v: unknown) => T): T | undefined {
  return value === undefined || value === null || value === '' ? undefined : check(value);
}

function dateTime(value: unknown, what: string): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value)))
    throw new ValidationError(`${what} must be an ISO date-time`, { code: 'invalid_date' });
  return new Date(value).toISOString();
}

function backupFilter(payload: Record<string, unknown>): BackupFilter {
  const kind = optional(payload.kind, (k) => {
    if (k !== 'manual' && k !== 'scheduled')
      throw new ValidationError('kind must be manual or scheduled', { code: 'invalid_kind' });
    return k;
  });
  const from = optional(payload.from, (v) => dateTime(v, 'from'));
  const to = optional(payload.to, (v) => dateTime(v, 'to'));
  if (from && to && from > to)
    throw new ValidationError('The start of the date range must not be after its end', { code: 'invalid_range' });
  return { ...(kind ? { kind } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/** The payload as a restore request the vault accepts, with the form's own rules; else a 400 naming the field. */
function restoreRequest(payload: Record<string, unknown>): RestoreRequest {
  if (!isRestoreRequest(payload))
    throw new ValidationError('The restore request is incomplete or has unknown fields', { code: 'invalid_restore' });
  const problems = Object.entries(restoreRequestProblems(payload));
  const [first] = problems;
  if (first)
    throw new ValidationError(first[1], {
      code: 'invalid_restore',
      details: problems.map(([field, message]) => ({ field, message })),
    });
  return payload;
}

const schemaIdOf = (value: unknown): string => {
  if (!isSchemaId(value))
    throw new ValidationError('schemaId must be an Assets schema id', { code: 'invalid_schema_id' });
  return value;
};

export const restoreHandlers: { [K in RestoreKeys]: Handler<K> } = {
  listVaultSchemas: async (_payload, session) => (await vaultSite(session.tenant).schemas()).items,

  listBackups: async (payload, session) =>
    (await vaultSite(session.tenant).backups({ schemaId: schemaIdOf(payload.schemaId), ...backupFilter(payload) }))
      .items,

  backupObjectTypes: async (payload, session) =>
    (await vaultSite(session.tenant).objectTypes(vaultId(payload.backupId, 'backupId'))).items,

  deleteBackup: async (payload, session) => {
    const backupId = vaultId(payload.backupId, 'backupId');
    const actor = await currentUser(session.accountId);
    const deleted = await vaultSite(session.tenant).deleteBackup(actor, backupId);
    log.info('backup deleted from Jira', { backupId });
    return deleted;
  },

  getSiteCredentials: async (_payload, session) => vaultSite(session.tenant).credentialsStatus(),

  saveSiteCredentials: async (payload, session) => {
    const email = normaliseEmail(payload.email);
    if (!email) throw new ValidationError('Enter a valid email address', { code: 'invalid_email' });
    const apiToken = typeof payload.apiToken === 'string' ? payload.apiToken.trim() : '';
    if (apiToken.length === 0 || apiToken.length > MAX_TOKEN_LENGTH)
      throw new ValidationError('Enter the API token of that account', { code: 'invalid_token' });
    const assetsApiBaseUrl = optional(payload.assetsApiBaseUrl, (v) => {
      if (typeof v !== 'string' || !isSiteUrl(v))
        throw new ValidationError('The Assets API base URL must be an https:// address', { code: 'invalid_url' });
      return v;
    });
    const actor = await currentUser(session.accountId);
    const stored = await vaultSite(session.tenant).storeCredentials(actor, {
      email,
      apiToken,
      ...(assetsApiBaseUrl ? { assetsApiBaseUrl } : {}),
    });
    log.info('site credentials sent to the vault');
    return stored;
  },

  listTargetInstances: async (_payload, session) => (await vaultSite(session.tenant).targetInstances()).items,

  listAssetsSchemas: async (payload, session) =>
    (
      await vaultSite(session.tenant).assetsSchemas(
        optional(payload.targetInstanceId, (v) => vaultId(v, 'targetInstanceId')),
      )
    ).items,

  listRestores: async (payload, session) => {
    const schemaId = optional(payload.schemaId, schemaIdOf);
    const cursor = optional(payload.cursor, (v) => {
      if (typeof v !== 'string' || v.length > MAX_CURSOR_LENGTH)
        throw new ValidationError('cursor must be the one a previous page returned', { code: 'invalid_cursor' });
      return v;
    });
    return vaultSite(session.tenant).restores({ ...(schemaId ? { schemaId } : {}), ...(cursor ? { cursor } : {}) });
  },

  getRestore: async (payload, session) => vaultSite(session.tenant).restore(vaultId(payload.restoreId, 'restoreId')),

  previewRestore: async (payload, session) => vaultSite(session.tenant).previewRestore(restoreRequest(payload)),

  startRestore: async (payload, session) => {
    const request = restoreRequest(payload);
    const actor = await currentUser(session.accountId);
    const accepted = await vaultSite(session.tenant).startRestore(actor, request);
    log.info('restore started from Jira', { restoreId: accepted.id, destination: request.destination.kind });
    return accepted;
  },

  restoreIssueFields: async (payload, session) => {
    const restoreId = vaultId(payload.restoreId, 'restoreId');
    const actor = await currentUser(session.accountId);
    return vaultSite(session.tenant).issueFields(actor, restoreId);
  },

  restoreLogLink: async (payload, session) =>
    vaultSite(session.tenant).restoreLogLink(vaultId(payload.restoreId, 'restoreId')),
};
