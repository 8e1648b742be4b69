import type { Generated } from 'kysely';
import type { UpdatedAt } from './site.js';

/** An Assets schema the Jira admin chose to back up (from `schema.synced` events). */
export interface SyncedSchemaTable {
  id: Generated<string>;
  site_id: string;
  /** Assets schema id (a numeric string in Atlassian's API). */
  schema_id: string;
  name: string;
  key: string;
  object_count: number;
  is_synced: boolean;
  updated_at: UpdatedAt;
}

export interface SyncedSchemaTables {
  synced_schema: SyncedSchemaTable;
}
