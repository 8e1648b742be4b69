/**
 * The signed Forge API for the Jira page (`/api/v1/forge/site/…`): the Forge app reads and changes the site's
 * backups, restores and credentials in the vault. Every call is a POST signed over its JSON body like the
 * events; the body names the tenant (`cloudId`, `siteUrl`, from the Forge context only) and every parameter, so
 * the signature covers all of it. Each `webhook-id` is used once: a write retried with the same id and body
 * gets its first answer again (`webhook-duplicate: true`), any other reuse is a 409. Answers are the same
 * shapes as the session API's (site-data.ts, restores.ts).
 */
import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ForgeActor } from './events.js';
import { RestoreListQuery, RestoreRequest } from './restores.js';
import { BackupListQuery, SchemaId } from './site-data.js';

const tenant = {
  cloudId: Type.String({ minLength: 1, maxLength: 128, description: 'Atlassian cloudId from the Forge context' }),
  siteUrl: Type.String({ minLength: 1, maxLength: 2048, description: 'Site URL from the Forge context, https://…' }),
};
/** The admin who asked, for the vault's audit log (`forge:<accountId>`). */
const actor = { actor: ForgeActor };
const Id = Type.String({ minLength: 1, maxLength: 64 });

/** A request body: the tenant plus the call's own fields; unknown fields are refused. */
function siteRequest<P extends TProperties>(properties: P) {
  return Type.Object({ ...tenant, ...properties }, { additionalProperties: false });
}

export const ForgeSiteRequest = siteRequest({});
export type ForgeSiteRequest = Static<typeof ForgeSiteRequest>;

export const ForgeBackupsRequest = siteRequest({ schemaId: SchemaId, ...BackupListQuery.properties });
export type ForgeBackupsRequest = Static<typeof ForgeBackupsRequest>;

export const ForgeBackupRequest = siteRequest({ backupId: Id });
export type ForgeBackupRequest = Static<typeof ForgeBackupRequest>;

export const ForgeDeleteBackupRequest = siteRequest({ ...actor, backupId: Id });
export type ForgeDeleteBackupRequest = Static<typeof ForgeDeleteBackupRequest>;
export const ForgeDeleteBackupResponse = Type.Object({
  backupId: Type.String(),
  /** the backup is in the vault's trash until then (restorable from the vault's web UI) */
  purgeAfter: Type.String({ format: 'date-time' }),
});
export type ForgeDeleteBackupResponse = Static<typeof ForgeDeleteBackupResponse>;

/** Whether the vault holds the site's own Assets API credentials (never the token itself). */
export const ForgeCredentialsStatus = Type.Object({
  stored: Type.Boolean(),
  email: Type.Union([Type.String(), Type.Null()]),
});
export type ForgeCredentialsStatus = Static<typeof ForgeCredentialsStatus>;

/** The site's Assets API credentials for restores to the current instance, stored encrypted by the vault. */
export const ForgeStoreCredentialsRequest = siteRequest({
  ...actor,
  email: Type.String({ minLength: 3, maxLength: 320 }),
  apiToken: Type.String({ minLength: 1, maxLength: 4096 }),
  /** only for sites whose Assets API is not at api.atlassian.com (the local emulator) */
  assetsApiBaseUrl: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2048 })),
});
export type ForgeStoreCredentialsRequest = Static<typeof ForgeStoreCredentialsRequest>;

/** The "existing schema" dropdown: the site's own Assets schemas, or a target instance's. */
export const ForgeAssetsSchemasRequest = siteRequest({ targetInstanceId: Type.Optional(Id) });
export type ForgeAssetsSchemasRequest = Static<typeof ForgeAssetsSchemasRequest>;

export const ForgeRestoresRequest = siteRequest({ ...RestoreListQuery.properties });
export type ForgeRestoresRequest = Static<typeof ForgeRestoresRequest>;

export const ForgeRestoreRequest = siteRequest({ restoreId: Id });
export type ForgeRestoreRequest = Static<typeof ForgeRestoreRequest>;

/** `POST /api/v1/restores`'s body (backupId, destination, options) plus who asked. */
export const ForgeStartRestoreRequest = siteRequest({ ...actor, ...RestoreRequest.properties });
export type ForgeStartRestoreRequest = Static<typeof ForgeStartRestoreRequest>;

/** Whether a value is a restore request the vault's schema accepts (the Forge resolvers check payloads with it). */
export function isRestoreRequest(value: unknown): value is Static<typeof RestoreRequest> {
  return Value.Check(RestoreRequest, value);
}

/** `POST /api/v1/restores/preview`'s body: checked like a start, writes nothing. */
export const ForgePreviewRestoreRequest = siteRequest({ ...RestoreRequest.properties });
export type ForgePreviewRestoreRequest = Static<typeof ForgePreviewRestoreRequest>;

export const ForgeIssueFieldsRequest = siteRequest({ ...actor, restoreId: Id });
export type ForgeIssueFieldsRequest = Static<typeof ForgeIssueFieldsRequest>;

/**
 * A link to download one restore's full .xlsx log from the vault, for the browser of the admin who asked: signed
 * by the vault, good for that restore's log only and for a few minutes.
 */
export const ForgeRestoreLogLink = Type.Object({
  url: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
});
export type ForgeRestoreLogLink = Static<typeof ForgeRestoreLogLink>;

/** Paths of the signed Forge site API (all POST), and the log download the link points at (GET, unsigned). */
export const forgeSiteApiPaths = {
  schemas: '/api/v1/forge/site/schemas',
  backups: '/api/v1/forge/site/backups',
  objectTypes: '/api/v1/forge/site/backups/object-types',
  deleteBackup: '/api/v1/forge/site/backups/delete',
  credentialsStatus: '/api/v1/forge/site/credentials/status',
  storeCredentials: '/api/v1/forge/site/credentials',
  targetInstances: '/api/v1/forge/site/target-instances',
  assetsSchemas: '/api/v1/forge/site/assets-schemas',
  restores: '/api/v1/forge/site/restores',
  restore: '/api/v1/forge/site/restores/get',
  startRestore: '/api/v1/forge/site/restores/start',
  previewRestore: '/api/v1/forge/site/restores/preview',
  issueFields: '/api/v1/forge/site/restores/issue-fields',
  restoreLogLink: '/api/v1/forge/site/restores/log-link',
  restoreLogs: '/api/v1/forge/restore-logs',
  // the token in the query string: the vault's request log redacts `token` there
  restoreLogDownload: (token: string) => `/api/v1/forge/restore-logs?token=${encodeURIComponent(token)}`,
} as const;
