import type { ColumnType } from 'kysely';

/** A completed backup materialised for browsing (migration 0004-browse); rows keyed by backup_id. */
export interface BrowseObjectTypeTable {
  backup_id: string;
  id: string;
  name: string;
  parent_id: string | null;
  position: number;
  /** objects of this type in this backup, counted when it was materialised */
  object_count: number;
  abstract: boolean;
}

export interface BrowseAttributeTable {
  backup_id: string;
  id: string;
  object_type_id: string;
  name: string;
  type: number;
  position: number;
}

export interface BrowseObjectTable {
  backup_id: string;
  seq: ColumnType<string, string | number, string | number>;
  id: string;
  object_key: string;
  label: string;
  object_type_id: string;
  created: ColumnType<Date, string, string>;
  updated: ColumnType<Date, string, string>;
  attributes: ColumnType<unknown, string, string>;
  search_text: string;
}

export interface BrowseHistoryTable {
  backup_id: string;
  object_id: string;
  entries: ColumnType<unknown, string, string>;
}

export interface BrowseIssueRefTable {
  backup_id: string;
  object_id: string;
  issue_id: string;
  issue_key: string;
  field_id: string;
  field_name: string;
}

export interface BrowseTables {
  browse_object_type: BrowseObjectTypeTable;
  browse_attribute: BrowseAttributeTable;
  browse_object: BrowseObjectTable;
  browse_history: BrowseHistoryTable;
  browse_issue_ref: BrowseIssueRefTable;
}
