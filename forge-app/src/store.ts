/**
 * Everything the app keeps in Forge KVS (`storage:app`), one typed accessor per record kind.
 * KVS is per installation, so keys carry no tenant. Keys must match ^[a-zA-Z0-9:._\s-#]+$, which is
 * why e-mail addresses are hashed into keys and kept in the value. Snapshot data never goes here
 * (240 KiB per value): only settings, job state and the event outbox.
 */
import { createHash } from 'node:crypto';
import type { BackupKind, OpenBackupBody } from '@assets-vault/shared/contract';
import { kvs, WhereConditions } from '@forge/kvs';
import type { BackupRunStatus, BackupRunView, Person, Schedule, SchemaSyncStatus, TrustedUserStatus } from './contract';

// KVS documents pages of at most 20 results for plain key queries (forge.md §3.4).
const PAGE_SIZE = 20;

export interface Tenant {
  cloudId: string;
  siteUrl: string;
}

export interface InstallationRecord extends Tenant {
  workspaceId?: string;
  firstSeenAt: string;
  /** Set when an installation.connected event for this tenant was written to the outbox. */
  connectedEventId?: string;
}

export interface VaultStatusRecord {
  lastSuccessAt?: string;
  lastError?: { at: string; message: string };
}

export interface TrustedUserRecord {
  email: string;
  invitedBy: Person;
  invitedAt: string;
  status: TrustedUserStatus;
  /** The newest event about this user; only its delivery may change `status`. */
  lastEventId: string;
  removedBy?: Person;
}

export interface SchemaRecord {
  schemaId: string;
  name: string;
  key: string;
  objectCount?: number;
  synced: boolean;
  syncStatus?: SchemaSyncStatus;
  lastEventId?: string;
  schedule?: Schedule;
  scheduleUpdatedAt?: string;
  /** Start instant (ISO) of the last schedule slot a backup was enqueued for. */
  lastScheduledSlot?: string;
  activeJobId?: string;
  lastBackup?: BackupRunView;
}

export interface SchemaMeta {
  id: string;
  name: string;
  key: string;
  objectCount?: number;
}

export interface BackupJobRecord {
  jobId: string;
  schemaId: string;
  kind: BackupKind;
  status: BackupRunStatus;
  requestedAt: string;
  requestedBy?: Person;
  updatedAt: string;
  schema?: SchemaMeta;
  /** The "open backup" call, saved before it is sent so a retry sends the same id and bytes. */
  open?: { webhookId: string; body: OpenBackupBody };
  /** How often the job started over with a new vault backup (after a chunk conflict). */
  restarts?: number;
  backupId?: string;
  startedAt?: string;
  finishedAt?: string;
  /** The backup engine's resume point; only ever advanced after its chunks reached the vault. */
  cursor?: unknown;
  records: number;
  chunks: number;
  invocations: number;
  /** Consecutive failed attempts since the last progress. */
  failures: number;
  error?: string;
}

export type OutboxSubject =
  { kind: 'installation' } | { kind: 'trusted_user'; email: string } | { kind: 'schema'; schemaId: string };

export interface OutboxRecord {
  id: string;
  type: string;
  /** The exact JSON text that is signed and sent; retries send the same bytes with the same id. */
  body: string;
  subject: OutboxSubject;
  createdAt: string;
  attempts: number;
  state: 'pending' | 'failed';
  lastAttemptAt?: string;
  lastError?: string;
}

const key = {
  installation: 'installation',
  vaultStatus: 'vault-status',
  outboxRetry: 'outbox-retry',
  trustedUser: (email: string) => `trusted-user:${digest(email)}`,
  schema: (schemaId: string) => `schema:${schemaId}`,
  job: (jobId: string) => `backup-job:${jobId}`,
  outbox: (createdAtMs: number, id: string) => `outbox:${String(createdAtMs).padStart(15, '0')}:${id}`,
};

function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 40);
}

/** One write of a multi-record change, applied with `commit` in a single KVS transaction. */
export interface KvsWrite {
  key: string;
  value: unknown;
}

/** Applies all writes and deletes atomically, so a state change and its outbox event never part. */
export async function commit(writes: KvsWrite[], deletes: string[] = []): Promise<void> {
  let transaction = kvs.transact();
  for (const write of writes) transaction = transaction.set(write.key, write.value);
  for (const keyToDelete of deletes) transaction = transaction.delete(keyToDelete);
  await transaction.execute();
}

async function listByPrefix<T>(prefix: string): Promise<Array<{ key: string; value: T }>> {
  const all: Array<{ key: string; value: T }> = [];
  let cursor: string | undefined;
  do {
    let query = kvs.query().where('key', WhereConditions.beginsWith(prefix)).limit(PAGE_SIZE);
    if (cursor) query = query.cursor(cursor);
    const page = await query.getMany<T>();
    for (const result of page.results) all.push({ key: result.key, value: result.value });
    cursor = page.nextCursor;
  } while (cursor);
  return all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export const installationStore = {
  get: () => kvs.get<InstallationRecord>(key.installation),
  put: (record: InstallationRecord) => kvs.set(key.installation, record),
  write: (record: InstallationRecord): KvsWrite => ({ key: key.installation, value: record }),
};

export const vaultStatusStore = {
  get: async (): Promise<VaultStatusRecord> => (await kvs.get<VaultStatusRecord>(key.vaultStatus)) ?? {},
  async recordSuccess(at: Date): Promise<void> {
    const current = await vaultStatusStore.get();
    await kvs.set(key.vaultStatus, { ...current, lastSuccessAt: at.toISOString(), lastError: undefined });
  },
  async recordFailure(at: Date, message: string): Promise<void> {
    const current = await vaultStatusStore.get();
    await kvs.set(key.vaultStatus, { ...current, lastError: { at: at.toISOString(), message } });
  },
};

export const trustedUserStore = {
  get: (email: string) => kvs.get<TrustedUserRecord>(key.trustedUser(email)),
  put: (record: TrustedUserRecord) => kvs.set(key.trustedUser(record.email), record),
  write: (record: TrustedUserRecord): KvsWrite => ({ key: key.trustedUser(record.email), value: record }),
  delete: (email: string) => kvs.delete(key.trustedUser(email)),
  list: async () => (await listByPrefix<TrustedUserRecord>('trusted-user:')).map((entry) => entry.value),
};

export const schemaStore = {
  get: (schemaId: string) => kvs.get<SchemaRecord>(key.schema(schemaId)),
  put: (record: SchemaRecord) => kvs.set(key.schema(record.schemaId), record),
  write: (record: SchemaRecord): KvsWrite => ({ key: key.schema(record.schemaId), value: record }),
  list: async () => (await listByPrefix<SchemaRecord>('schema:')).map((entry) => entry.value),
};

export const jobStore = {
  get: (jobId: string) => kvs.get<BackupJobRecord>(key.job(jobId)),
  put: (record: BackupJobRecord) => kvs.set(key.job(record.jobId), record),
  write: (record: BackupJobRecord): KvsWrite => ({ key: key.job(record.jobId), value: record }),
};

export const outboxStore = {
  keyOf: (record: OutboxRecord) => key.outbox(Date.parse(record.createdAt), record.id),
  put: (record: OutboxRecord) => kvs.set(outboxStore.keyOf(record), record),
  write: (record: OutboxRecord): KvsWrite => ({ key: outboxStore.keyOf(record), value: record }),
  delete: (record: OutboxRecord) => kvs.delete(outboxStore.keyOf(record)),
  /** Oldest first: events about one subject must reach the vault in the order they happened. */
  list: async () => (await listByPrefix<OutboxRecord>('outbox:')).map((entry) => entry.value),
  getRetryAt: async () => (await kvs.get<{ at: string }>(key.outboxRetry))?.at,
  setRetryAt: (at: Date) => kvs.set(key.outboxRetry, { at: at.toISOString() }),
  clearRetryAt: () => kvs.delete(key.outboxRetry),
};
