import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** `timestamptz`: read as Date, written as Date or ISO string, defaulted by the database. */
export type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
export type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type InstallationState = 'connected' | 'disconnected';

/** A Jira Cloud site: the tenant. Everything else hangs off `site.id`. */
export interface SiteTable {
  id: Generated<string>;
  cloud_id: string;
  /** Normalised origin (`https://acme.atlassian.net`), unique. */
  site_url: string;
  workspace_id: string | null;
  installation_state: InstallationState;
  app_version: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface SiteTables {
  site: SiteTable;
}

export type SiteRow = Selectable<SiteTable>;
export type NewSiteRow = Insertable<SiteTable>;
export type SiteUpdate = Updateable<SiteTable>;
