import type { Generated } from 'kysely';
import type { CreatedAt, NullableTimestamp, Timestamp } from './site.js';

export type EmailStatus = 'pending' | 'sent' | 'failed';

/**
 * Transactional outbox: an e-mail is inserted in the same transaction as the change that causes it,
 * and a worker sends it (claim with SKIP LOCKED, lease, attempts, exponential backoff).
 */
export interface EmailOutboxTable {
  id: Generated<string>;
  site_id: string;
  /** Dotted kind, e.g. `trusted_user.invitation`. */
  kind: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  status: Generated<EmailStatus>;
  attempts: Generated<number>;
  max_attempts: number;
  run_after: Timestamp;
  locked_by: string | null;
  locked_until: NullableTimestamp;
  last_error: string | null;
  sent_at: NullableTimestamp;
  created_at: CreatedAt;
}

export interface EmailOutboxTables {
  email_outbox: EmailOutboxTable;
}
