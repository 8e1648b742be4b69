/**
 * The one way the vault builds an Assets client for a site: from a connection (site URL, optional
 * Assets API base URL, e-mail and API token), whatever holds it — the site's own stored credentials
 * (`siteAssetsConnection`), a restore's target instance (`modules/target-instances`), a new target
 * typed into a restore form. Both URLs are checked when the client is built (the rules may have
 * changed since a connection was saved) and every request goes through the outbound guard.
 */
import { ConflictError, NotFoundError } from '@assets-vault/shared/errors';
import { createAssetsClient, type AssetsClient, type AssetsClientOptions } from '@assets-vault/shared/assets-client';
import type { Config } from '../../config.js';
import type { VaultDeps } from '../../deps.js';
import { createGuardedTransport } from '../../outbound/index.js';
import { findSiteById, type Site } from '../sites/repository.js';
import { checkAssetsApiBaseUrl, loadSiteAssetsCredentials } from './service.js';

/** Where and as whom to call Assets. Internal only: it holds the API token. */
export interface AssetsConnection {
  siteUrl: string;
  /** the Assets gateway (default `https://api.atlassian.com`); `http://` only with ALLOW_INSECURE_SITE_URLS */
  assetsApiBaseUrl?: string;
  email: string;
  apiToken: string;
  /** known workspace id (saves the discovery call); discovered through the site when absent */
  workspaceId?: string;
}

export type AssetsClientDeps = Pick<VaultDeps, 'outbound'> & { config: Pick<Config, 'allowInsecureSiteUrls'> };

export interface AssetsClientForOptions extends Omit<AssetsClientOptions, 'transport' | 'workspaceId'> {
  /** per request, including reading the body (the transport's default is 60 s) */
  timeoutMs?: number;
}

/**
 * An Assets client for `connection` through the outbound guard. Throws `ValidationError` for an Assets
 * API base URL that is neither Atlassian's gateway nor the site's own host, and `OutboundRefusedError`
 * (`outbound_url_refused`) for a URL the guard refuses. `options` carry the pacer, retries and so on.
 */
export function assetsClientFor(
  deps: AssetsClientDeps,
  connection: AssetsConnection,
  options: AssetsClientForOptions = {},
): AssetsClient {
  const { timeoutMs, ...clientOptions } = options;
  if (connection.assetsApiBaseUrl !== undefined)
    checkAssetsApiBaseUrl(connection.assetsApiBaseUrl, connection.siteUrl, deps.config.allowInsecureSiteUrls);
  const transport = createGuardedTransport(deps.outbound, {
    siteUrl: connection.siteUrl,
    assetsApiBase: connection.assetsApiBaseUrl,
    ...(connection.workspaceId !== undefined ? { workspaceId: connection.workspaceId } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    auth: { type: 'basic', email: connection.email, apiToken: connection.apiToken },
  });
  return createAssetsClient({ ...clientOptions, transport });
}

/**
 * The site's own connection from its stored credentials (`PUT /api/v1/site-credentials`); 409
 * `no_credentials` when none are stored, 404 for an unknown site.
 */
export async function siteAssetsConnection(
  deps: Pick<VaultDeps, 'db'> & { config: Pick<Config, 'encryptionKeys'> },
  siteId: string,
): Promise<{ site: Site; connection: AssetsConnection; vaultBackupsEnabled: boolean }> {
  const site = await findSiteById(deps.db, siteId);
  if (!site) throw new NotFoundError('Site not found');
  const creds = await loadSiteAssetsCredentials(deps, siteId);
  if (!creds)
    throw new ConflictError('No Assets API credentials are stored for this site (PUT /api/v1/site-credentials)', {
      code: 'no_credentials',
    });
  const connection: AssetsConnection = {
    siteUrl: site.siteUrl,
    email: creds.email,
    apiToken: creds.apiToken,
    ...(creds.assetsApiBaseUrl ? { assetsApiBaseUrl: creds.assetsApiBaseUrl } : {}),
    ...(site.workspaceId ? { workspaceId: site.workspaceId } : {}),
  };
  return { site, connection, vaultBackupsEnabled: creds.vaultBackupsEnabled };
}
