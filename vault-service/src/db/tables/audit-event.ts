import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt } from './site.js';

/** Who did what, when, for which site. `site_id` is null for events before a tenant is known. */
export interface AuditEventTable {
  id: Generated<string>;
  site_id: string | null;
  /** An e-mail, `forge:<accountId>` or `system`. */
  actor: string;
  /** Dotted, e.g. `trusted_user.invited`, `auth.login_failed`, `backup.deleted`. */
  action: string;
  target: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: CreatedAt;
}

export interface AuditEventTables {
  audit_event: AuditEventTable;
}
