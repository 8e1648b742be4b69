import type { Generated } from 'kysely';
import type { CreatedAt, NullableTimestamp, Timestamp, UpdatedAt } from './site.js';

export type TrustedUserStatus = 'invited' | 'active' | 'removed';

/** A person a Jira admin allowed into the vault for one site (identified by e-mail). */
export interface TrustedUserTable {
  id: Generated<string>;
  site_id: string;
  /** Trimmed, lower-case. */
  email: string;
  status: TrustedUserStatus;
  invited_by_account_id: string;
  invited_by_name: string;
  invited_at: Timestamp;
  activated_at: NullableTimestamp;
  removed_at: NullableTimestamp;
  removed_by_name: string | null;
  last_login_at: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface TrustedUserTables {
  trusted_user: TrustedUserTable;
}
