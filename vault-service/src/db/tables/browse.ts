import type { ColumnType } from 'kysely';

/**
 * A completed backup materialised for browsing. Each backup has its own Postgres schema
 * (`backup_<id without dashes>`, see modules/backup-store/browse-tables.ts) holding these tables; only
 * the backup store queries them, through `browseDb(db, backupId)`, never on the default schema.
 */
export interface BrowseObjectTypeTable {
  id: string;
  name: string;
  parent_id: string | null;
  position: number;
  /** objects of this type in this backup, counted when it was materialised */
  object_count: number;
  abstract: boolean;
}

export interface BrowseAttributeTable {
  id: string;
  object_type_id: string;
  name: string;
  type: number;
  position: number;
}

export interface BrowseObjectTable {
  /** snapshot order (chunk seq × 2^20 + line): keyset paging and export order */
  seq: ColumnType<string, string | number, string | number>;
  id: string;
  object_key: string;
  label: string;
  object_type_id: string;
  created: ColumnType<Date, string, string>;
  updated: ColumnType<Date, string, string>;
  /** JSON text of the snapshot record's `attributes`: `[{objectTypeAttributeId, objectAttributeValues}]` */
  attributes: string;
  /** lower-cased label, key and every display value: what `q` searches */
  search_text: string;
}

export interface BrowseHistoryTable {
  object_id: string;
  /** JSON text of the history record's entries */
  entries: string;
}

export interface BrowseIssueRefTable {
  object_id: string;
  issue_id: string;
  issue_key: string;
  field_id: string;
  field_name: string;
}

/** One row once the tables are complete; gone after crash recovery empties the (unlogged) tables. */
export interface BrowseStateTable {
  built_at: Date;
}

export interface BrowseTables {
  browse_state: BrowseStateTable;
  browse_object_type: BrowseObjectTypeTable;
  browse_attribute: BrowseAttributeTable;
  browse_object: BrowseObjectTable;
  browse_history: BrowseHistoryTable;
  browse_issue_ref: BrowseIssueRefTable;
}
