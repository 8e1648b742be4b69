/**
 * Site URLs name tenants: in signed Forge bodies and on the login page. Both places normalise them
 * here, so `https://Acme.atlassian.net/` and `https://acme.atlassian.net` are the same site.
 */
import { ValidationError } from '@assets-vault/shared/errors';
import { isIP } from 'node:net';
import type { Config } from '../../config.js';
import { isAllowedHostName } from '../../outbound/index.js';

export type SiteUrlPolicy = Pick<Config, 'allowInsecureSiteUrls' | 'allowedSiteHosts'>;

/**
 * Returns the site's origin (`https://acme.atlassian.net`) or throws a 422 `invalid_site_url`.
 * Real sites must be https on an allowed host (`.atlassian.net` by default); with
 * `allowInsecureSiteUrls` (never in production) http and any host are accepted for the emulator.
 */
export function normaliseSiteUrl(input: string, policy: SiteUrlPolicy): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw invalid('Site URL must be an absolute URL such as https://your-site.atlassian.net');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('Site URL must start with https://');
  if (url.username || url.password || url.search || url.hash) {
    throw invalid('Site URL must be just the site address, without a path, query or credentials');
  }
  const path = url.pathname.replace(/\/+$/, '');
  // The local emulator hosts many sites on one origin (`http://127.0.0.1:4000/sites/<name>`), so only
  // the insecure development mode keeps a path; a real site is always a bare origin.
  if (policy.allowInsecureSiteUrls && url.protocol === 'http:') return `${url.origin}${path}`;
  if (url.protocol === 'http:') throw invalid('Site URL must start with https://');
  if (path !== '') throw invalid('Site URL must be just the site address, without a path, query or credentials');
  if (policy.allowInsecureSiteUrls) return url.origin;
  // a real site is a host name on port 443: never an address ([::ffff:127.0.0.1], 0.0.0.0), never
  // localhost (with or without its trailing dot), never another port; the outbound guard checks again
  if (url.port !== '') throw invalid('Site URL must not name a port');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0 || host.endsWith('.') || !isAllowedHostName(host, policy.allowedSiteHosts)) {
    throw invalid('Site URL is not an Atlassian site address');
  }
  return url.origin;
}

function invalid(message: string): ValidationError {
  return new ValidationError(message, { statusCode: 422, code: 'invalid_site_url' });
}
