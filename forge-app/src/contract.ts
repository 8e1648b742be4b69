/**
 * What the UI Kit frontend and the resolvers exchange through `invoke` (plain JSON only: the
 * resolver result is deep-copied through JSON.stringify, forge.md §3.3). The frontend imports these
 * types only, so no backend code reaches the UI bundle. The wire contract with the vault is
 * `@assets-vault/shared/contract`.
 */
import type {
  BackupKind,
  BackupRow,
  ForgeCredentialsStatus,
  ForgeDeleteBackupResponse,
  ForgeRestoreLogLink,
  IssueFieldsAccepted,
  ObjectTypeNode,
  RestoreAccepted,
  RestoreDetail,
  RestoreList,
  RestorePreview,
  RestoreRequest,
  SchemaOptionList,
  SchemaSummary,
  TargetInstanceView,
} from '@assets-vault/shared/contract';

export type {
  BackupRow,
  ForgeCredentialsStatus,
  ObjectTypeNode,
  RestoreDetail,
  RestorePreview,
  RestoreRequest,
  RestoreSummary,
  SchemaSummary,
  TargetInstanceView,
} from '@assets-vault/shared/contract';
export type SchemaOption = SchemaOptionList['items'][number];

/** Filters of the Available backups grid (completion time, ISO date-times; either end optional). */
export interface BackupFilter {
  kind?: BackupKind;
  from?: string;
  to?: string;
}

/** Every resolver answers with this envelope; `error.message` is safe to show to the admin. */
export type ResolverResult<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

export interface Person {
  accountId: string;
  displayName: string;
}

/**
 * pending: saved here, not yet delivered to the vault; invited: the vault has it; removing: the
 * removal is not yet delivered; failed: the vault refused the event or retries gave up (see
 * the vault connection panel, where it can be retried).
 */
export type TrustedUserStatus = 'pending' | 'invited' | 'removing' | 'failed';

export interface TrustedUserView {
  email: string;
  invitedBy: Person;
  invitedAt: string;
  status: TrustedUserStatus;
}

export type ScheduleFrequency = 'off' | 'daily' | 'weekly';

export interface Schedule {
  frequency: ScheduleFrequency;
  /** Local wall-clock time "HH:MM" (whole hours: the scheduler runs hourly). */
  time: string;
  /** 0 = Sunday … 6 = Saturday; used when frequency is weekly. */
  dayOfWeek: number;
  /** IANA time zone the time is read in. */
  timezone: string;
}

export type BackupRunStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface BackupRunView {
  jobId: string;
  kind: BackupKind;
  status: BackupRunStatus;
  requestedAt: string;
  finishedAt?: string;
  backupId?: string;
  records: number;
  chunks: number;
  invocations: number;
  error?: string;
}

export type SchemaSyncStatus = 'pending' | 'synced' | 'failed';

export interface SchemaView {
  id: string;
  name: string;
  key: string;
  objectCount?: number;
  synced: boolean;
  syncStatus?: SchemaSyncStatus;
  schedule: Schedule;
  lastBackup?: BackupRunView;
}

export interface DeliveryView {
  id: string;
  type: string;
  createdAt: string;
  attempts: number;
  state: 'pending' | 'failed';
  lastError?: string;
}

export interface VaultStatusView {
  vaultUrl?: string;
  configured: boolean;
  configError?: string;
  lastSuccessAt?: string;
  lastError?: { at: string; message: string };
  deliveries: DeliveryView[];
}

/** Resolver function keys with their payload and result types. */
export interface ResolverDefinitions {
  getVaultStatus: { payload: Record<string, never>; result: VaultStatusView };
  retryDeliveries: { payload: Record<string, never>; result: VaultStatusView };
  listTrustedUsers: { payload: Record<string, never>; result: TrustedUserView[] };
  addTrustedUser: { payload: { email: string }; result: TrustedUserView };
  removeTrustedUser: { payload: { email: string }; result: { email: string; status: TrustedUserStatus | 'removed' } };
  listSchemas: { payload: Record<string, never>; result: SchemaView[] };
  setSyncedSchemas: { payload: { schemaIds: string[] }; result: SchemaView[] };
  setSchedule: { payload: { schemaId: string; schedule: Schedule }; result: SchemaView };
  backupNow: { payload: { schemaId: string }; result: BackupRunView };
  // restore from inside Jira: each answered by the vault's signed site API
  listVaultSchemas: { payload: Record<string, never>; result: SchemaSummary[] };
  listBackups: { payload: BackupFilter & { schemaId: string }; result: BackupRow[] };
  backupObjectTypes: { payload: { backupId: string }; result: ObjectTypeNode[] };
  deleteBackup: { payload: { backupId: string }; result: ForgeDeleteBackupResponse };
  getSiteCredentials: { payload: Record<string, never>; result: ForgeCredentialsStatus };
  saveSiteCredentials: {
    payload: { email: string; apiToken: string; assetsApiBaseUrl?: string };
    result: ForgeCredentialsStatus;
  };
  listTargetInstances: { payload: Record<string, never>; result: TargetInstanceView[] };
  listAssetsSchemas: { payload: { targetInstanceId?: string }; result: SchemaOption[] };
  listRestores: { payload: { schemaId?: string; cursor?: string }; result: RestoreList };
  getRestore: { payload: { restoreId: string }; result: RestoreDetail };
  previewRestore: { payload: RestoreRequest; result: RestorePreview };
  startRestore: { payload: RestoreRequest; result: RestoreAccepted };
  restoreIssueFields: { payload: { restoreId: string }; result: IssueFieldsAccepted };
  restoreLogLink: { payload: { restoreId: string }; result: ForgeRestoreLogLink };
}

export type ResolverKey = keyof ResolverDefinitions;

export const DEFAULT_SCHEDULE: Schedule = { frequency: 'off', time: '02:00', dayOfWeek: 0, timezone: 'UTC' };
