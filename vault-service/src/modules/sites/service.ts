/** Tenant resolution for signed Forge calls: the cloudId + siteUrl of the signed body name the site. */
import { ConflictError } from '@assets-vault/shared/errors';
import type { Transaction } from 'kysely';
import type { Config } from '../../config.js';
import type { DB } from '../../db/types.js';
import { insertAuditEvent } from '../audit/repository.js';
import {
  findSiteByCloudIdForUpdate,
  findSiteByUrl,
  insertSiteIfAbsent,
  updateSiteUrl,
  type Site,
} from './repository.js';
import { normaliseSiteUrl } from './site-url.js';

/**
 * Finds the site of a signed Forge call, creating it on first contact, inside the caller's
 * transaction (the row stays locked until it commits). A renamed site (same cloudId, new URL) gets
 * its URL updated; a URL that belongs to another cloudId is a 409 and nothing is written.
 */
export async function resolveForgeSite(
  deps: { db: Transaction<DB>; config: Pick<Config, 'allowInsecureSiteUrls' | 'allowedSiteHosts'> },
  input: { cloudId: string; siteUrl: string },
  now: Date,
): Promise<{ site: Site; created: boolean }> {
  const trx = deps.db;
  const siteUrl = normaliseSiteUrl(input.siteUrl, deps.config);
  const existing = await findSiteByCloudIdForUpdate(trx, input.cloudId);
  if (!existing) {
    const inserted = await insertSiteIfAbsent(trx, { cloudId: input.cloudId, siteUrl });
    if (inserted) {
      await insertAuditEvent(trx, inserted.id, {
        actor: 'system',
        action: 'site.created',
        target: siteUrl,
        details: { cloudId: input.cloudId },
      });
      return { site: inserted, created: true };
    }
    // Lost a race with a concurrent first call for the same cloudId: that row is committed now.
    const raced = await findSiteByCloudIdForUpdate(trx, input.cloudId);
    if (raced) return { site: await renameIfNeeded(trx, raced, siteUrl, now), created: false };
    throw siteUrlTaken();
  }
  return { site: await renameIfNeeded(trx, existing, siteUrl, now), created: false };
}

async function renameIfNeeded(trx: Transaction<DB>, site: Site, siteUrl: string, now: Date): Promise<Site> {
  if (site.siteUrl === siteUrl) return site;
  const holder = await findSiteByUrl(trx, siteUrl);
  if (holder && holder.id !== site.id) throw siteUrlTaken();
  await updateSiteUrl(trx, site.id, siteUrl, now);
  await insertAuditEvent(trx, site.id, {
    actor: 'system',
    action: 'site.url_changed',
    target: siteUrl,
    details: { previousUrl: site.siteUrl },
  });
  return { ...site, siteUrl, updatedAt: now };
}

function siteUrlTaken(): ConflictError {
  return new ConflictError('This site URL is registered to another Atlassian site (cloudId)', {
    code: 'site_url_conflict',
  });
}
