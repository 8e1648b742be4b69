import type { Generated } from 'kysely';

/** A site's retention policy (null = no limit). */
export interface RetentionPolicyTable {
  site_id: string;
  keep_manual: number | null;
  keep_scheduled: number | null;
  max_age_days: number | null;
  updated_at: Generated<Date>;
}

export interface RetentionTables {
  retention_policy: RetentionPolicyTable;
}
