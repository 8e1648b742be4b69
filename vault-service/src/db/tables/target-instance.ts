import type { Generated } from 'kysely';
import type { CreatedAt, NullableTimestamp } from './site.js';

/** Another Jira site a site's backups can be restored to; its API token lives in `site_credential`. */
export interface TargetInstanceTable {
  id: Generated<string>;
  site_id: string;
  name: string;
  /** normalised origin (a path only for the emulator under ALLOW_INSECURE_SITE_URLS) */
  url: string;
  email: string;
  assets_api_base_url: string | null;
  workspace_id: string;
  created_by: string;
  created_at: CreatedAt;
  last_checked_at: NullableTimestamp;
}

export interface TargetInstanceTables {
  target_instance: TargetInstanceTable;
}
