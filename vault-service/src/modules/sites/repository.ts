/**
 * Sites are the tenants, so these methods are the one place that looks a site up by something other
 * than its id: Atlassian's cloudId (signed Forge calls) or its URL (login page).
 */
import type { Executor } from '../../db/types.js';
import type { InstallationState } from '../../db/tables/site.js';

export interface Site {
  id: string;
  cloudId: string;
  siteUrl: string;
  workspaceId: string | null;
  installationState: InstallationState;
  appVersion: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const siteColumns = [
  'id',
  'cloud_id',
  'site_url',
  'workspace_id',
  'installation_state',
  'app_version',
  'created_at',
  'updated_at',
] as const;

type SiteRecord = {
  id: string;
  cloud_id: string;
  site_url: string;
  workspace_id: string | null;
  installation_state: InstallationState;
  app_version: string | null;
  created_at: Date;
  updated_at: Date;
};

function toSite(row: SiteRecord): Site {
  return {
    id: row.id,
    cloudId: row.cloud_id,
    siteUrl: row.site_url,
    workspaceId: row.workspace_id,
    installationState: row.installation_state,
    appVersion: row.app_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function findSiteById(db: Executor, siteId: string): Promise<Site | undefined> {
  const row = await db.selectFrom('site').select(siteColumns).where('id', '=', siteId).executeTakeFirst();
  return row && toSite(row);
}

/** For the login page: the site a normalised URL names, if any. */
export async function findSiteByUrl(db: Executor, siteUrl: string): Promise<Site | undefined> {
  const row = await db.selectFrom('site').select(siteColumns).where('site_url', '=', siteUrl).executeTakeFirst();
  return row && toSite(row);
}

/** Locks the site row (FOR UPDATE) so concurrent Forge calls for one site serialise on it. */
export async function findSiteByCloudIdForUpdate(db: Executor, cloudId: string): Promise<Site | undefined> {
  const row = await db
    .selectFrom('site')
    .select(siteColumns)
    .where('cloud_id', '=', cloudId)
    .forUpdate()
    .executeTakeFirst();
  return row && toSite(row);
}

/** Inserts a site; returns undefined when its cloudId or URL is already taken (no error, no row). */
export async function insertSiteIfAbsent(
  db: Executor,
  site: { cloudId: string; siteUrl: string },
): Promise<Site | undefined> {
  const row = await db
    .insertInto('site')
    .values({ cloud_id: site.cloudId, site_url: site.siteUrl, installation_state: 'connected' })
    .onConflict((oc) => oc.doNothing())
    .returning(siteColumns)
    .executeTakeFirst();
  return row && toSite(row);
}

export async function updateSiteUrl(db: Executor, siteId: string, siteUrl: string, now: Date): Promise<void> {
  await db.updateTable('site').set({ site_url: siteUrl, updated_at: now }).where('id', '=', siteId).execute();
}

export async function updateSiteInstallation(
  db: Executor,
  siteId: string,
  change: { workspaceId: string | null; appVersion: string | null; state: InstallationState },
  now: Date,
): Promise<void> {
  await db
    .updateTable('site')
    .set({
      workspace_id: change.workspaceId,
      app_version: change.appVersion,
      installation_state: change.state,
      updated_at: now,
    })
    .where('id', '=', siteId)
    .execute();
}
