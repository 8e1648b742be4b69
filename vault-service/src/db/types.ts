/**
 * The database type: one intersection of the per-table interfaces in ./tables/. A module that adds
 * a table adds its `XxxTables` interface here.
 */
import type { Kysely, Transaction } from 'kysely';
import type { AuditEventTables } from './tables/audit-event.js';
import type { BackupTables } from './tables/backup.js';
import type { BrowseTables } from './tables/browse.js';
import type { EmailOutboxTables } from './tables/email-outbox.js';
import type { CredentialTables, RetentionTables } from './tables/retention.js';
import type { PacingTables } from './tables/pacing.js';
import type { ProcessedWebhookTables } from './tables/processed-webhook.js';
import type { RestoreTables } from './tables/restore.js';
import type { SessionTables } from './tables/session.js';
import type { SiteTables } from './tables/site.js';
import type { SyncedSchemaTables } from './tables/synced-schema.js';
import type { TargetInstanceTables } from './tables/target-instance.js';
import type { TrustedUserTables } from './tables/trusted-user.js';
import type { VaultBackupJobTables } from './tables/vault-backup-job.js';

export type DB = SiteTables &
  TrustedUserTables &
  AuditEventTables &
  ProcessedWebhookTables &
  EmailOutboxTables &
  SyncedSchemaTables &
  SessionTables &
  BackupTables &
  BrowseTables &
  RetentionTables &
  CredentialTables &
  VaultBackupJobTables &
  RestoreTables &
  TargetInstanceTables &
  PacingTables;

export type Database = Kysely<DB>;
/** What a repository method takes first: the pool or an open transaction. */
export type Executor = Kysely<DB> | Transaction<DB>;
