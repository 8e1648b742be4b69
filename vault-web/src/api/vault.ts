/** The vault operations the screens use, with the names and shapes the screens think in. */
import { call, operationUrl, type RequestOf, type ResponseOf } from './http.js';

export type LoginOptions = ResponseOf<'loginOptions'>;
export type Me = ResponseOf<'me'>;
export type SchemaSummary = ResponseOf<'listSchemas'>['items'][number];
export type BackupRow = ResponseOf<'listBackups'>['items'][number];
export type BackupKind = BackupRow['type'];
export type BackupJob = ResponseOf<'getBackupJob'>;
export type ObjectTypeNode = ResponseOf<'objectTypes'>['items'][number];
export type ObjectPage = ResponseOf<'listObjects'>;
export type ObjectSummary = ObjectPage['items'][number];
export type ObjectDetail = ResponseOf<'getObject'>;
export type BackupDefinitions = ResponseOf<'backupDefinitions'>;
export type TypeDefinition = BackupDefinitions['objectTypes'][number];
export type AttributeDefinition = TypeDefinition['attributes'][number];
export type Diff = ResponseOf<'diffBackup'>;
export type Credentials = ResponseOf<'getCredentials'>;
export type CredentialsInput = RequestOf<'saveCredentials'>['body'];
export type RetentionPolicy = ResponseOf<'getRetention'>;
export type AuditPage = ResponseOf<'listAudit'>;
export type TrashList = ResponseOf<'listTrash'>;
export type RestoreRequest = RequestOf<'startRestore'>['body'];
export type RestoreDestination = RestoreRequest['destination'];
export type RestorePreview = ResponseOf<'previewRestore'>;
export type RestoreSummary = ResponseOf<'listRestores'>['items'][number];
export type RestoreDetail = ResponseOf<'getRestore'>;
export type TargetInstance = ResponseOf<'listTargetInstances'>['items'][number];
export type TargetInstanceInput = RequestOf<'createTargetInstance'>['body'];
export type LiveSchemaOption = ResponseOf<'siteSchemas'>['items'][number];
export type ExportFormat = 'csv' | 'xlsx' | 'json';
export type LoginProvider = 'google' | 'microsoft';

/** A live comparison snapshots the whole schema from Atlassian first: it may take minutes on a large schema. */
const LIVE_DIFF_TIMEOUT_MS = 5 * 60_000;

/** Checking a site (a new target, a restore's destination) reaches Atlassian; allow for a slow answer. */
const TARGET_CHECK_TIMEOUT_MS = 60_000;

type Signal = { signal?: AbortSignal };

export const vault = {
  loginOptions: ({ signal }: Signal = {}) => call('loginOptions', { signal }),
  me: ({ signal }: Signal = {}) => call('me', { signal }),
  logout: () => call('logout', {}),
  listSchemas: ({ signal }: Signal = {}) => call('listSchemas', { signal }),
  listBackups: (schemaId: string, filter: { kind?: BackupKind; from?: string; to?: string }, { signal }: Signal = {}) =>
    call('listBackups', { params: { schemaId }, query: filter, signal }),
  /** `unsyncedSchema`: back up a schema the site's admins did not choose (the vault refuses it otherwise). */
  startVaultBackup: (schemaId: string, { unsyncedSchema = false }: { unsyncedSchema?: boolean } = {}) =>
    call('startVaultBackup', { params: { schemaId }, body: unsyncedSchema ? { unsyncedSchema: true } : null }),
  getBackupJob: (jobId: string, { signal }: Signal = {}) => call('getBackupJob', { params: { jobId }, signal }),
  deleteBackup: (id: string) => call('deleteBackup', { params: { id } }),
  objectTypes: (id: string, { signal }: Signal = {}) => call('objectTypes', { params: { id }, signal }),
  listObjects: (
    id: string,
    query: { q?: string; objectTypeId?: string; cursor?: string; limit?: number },
    { signal }: Signal = {},
  ) => call('listObjects', { params: { id }, query, signal }),
  getObject: (id: string, objectId: string, { signal }: Signal = {}) =>
    call('getObject', { params: { id, objectId }, signal }),
  definitions: (id: string, { signal }: Signal = {}) => call('backupDefinitions', { params: { id }, signal }),
  diffBackup: (id: string, against: string, { signal }: Signal = {}) =>
    // a POST: a live comparison spends the site's Atlassian quota, so it carries the CSRF headers
    call('diffBackup', {
      params: { id },
      body: { against, limit: 500 },
      signal,
      ...(against === 'live' ? { timeoutMs: LIVE_DIFF_TIMEOUT_MS } : {}),
    }),
  getCredentials: ({ signal }: Signal = {}) => call('getCredentials', { signal }),
  saveCredentials: (body: CredentialsInput) => call('saveCredentials', { body }),
  deleteCredentials: () => call('deleteCredentials', {}),
  getRetention: ({ signal }: Signal = {}) => call('getRetention', { signal }),
  saveRetention: (body: RetentionPolicy) => call('saveRetention', { body }),
  listAudit: (query: { cursor?: string; limit?: number }, { signal }: Signal = {}) =>
    call('listAudit', { query, signal }),
  listTrash: ({ signal }: Signal = {}) => call('listTrash', { signal }),
  restoreFromTrash: (id: string) => call('restoreFromTrash', { params: { id } }),
  startRestore: (body: RestoreRequest) => call('startRestore', { body, timeoutMs: TARGET_CHECK_TIMEOUT_MS }),
  previewRestore: (body: RestoreRequest, { signal }: Signal = {}) =>
    call('previewRestore', { body, signal, timeoutMs: TARGET_CHECK_TIMEOUT_MS }),
  listRestores: (query: { schemaId?: string; cursor?: string; limit?: number }, { signal }: Signal = {}) =>
    call('listRestores', { query, signal }),
  getRestore: (id: string, { signal }: Signal = {}) => call('getRestore', { params: { id }, signal }),
  startIssueFields: (id: string) => call('startIssueFields', { params: { id } }),
  listTargetInstances: ({ signal }: Signal = {}) => call('listTargetInstances', { signal }),
  // saving checks the site first (workspace discovery and one read): give it the time a slow site needs
  createTargetInstance: (body: TargetInstanceInput) =>
    call('createTargetInstance', { body, timeoutMs: TARGET_CHECK_TIMEOUT_MS }),
  deleteTargetInstance: (id: string) => call('deleteTargetInstance', { params: { id } }),
  /** The live schemas of a target instance, or of the site itself (`targetInstanceId` empty). */
  liveSchemas: (targetInstanceId: string, { signal }: Signal = {}) =>
    targetInstanceId === ''
      ? call('siteSchemas', { signal, timeoutMs: TARGET_CHECK_TIMEOUT_MS })
      : call('targetSchemas', { params: { id: targetInstanceId }, signal, timeoutMs: TARGET_CHECK_TIMEOUT_MS }),
};

/** Where the browser goes to sign in (a top-level navigation: the provider's pages are not fetched). */
export const loginUrl = (site: string, provider: LoginProvider) => operationUrl('login', {}, { site, provider });

/** The full log of a restore (.xlsx), downloaded by the browser. */
export const restoreLogUrl = (restoreId: string) => operationUrl('restoreLog', { id: restoreId });

/** The picture of an object type icon as the backup holds it (when the definitions say `image`). */
export const iconUrl = (backupId: string, iconId: string) => operationUrl('backupIcon', { id: backupId, iconId });

/** A download link for an export (the browser saves the streamed attachment itself). */
export const exportUrl = (backupId: string, format: ExportFormat, objectTypeId?: string) =>
  operationUrl('exportBackup', { id: backupId }, { format, objectTypeId });
