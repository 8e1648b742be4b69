/**
 * The rules for a URL the vault sends a request (and the site's API token) to. Checked on every
 * request, not only when a URL is saved: a stored URL is only as good as the rules at the time of use.
 */
import { isIP } from 'node:net';
import { AppError } from '@assets-vault/shared/errors';
import type { Config } from '../config.js';
import { classifyAddress } from './address.js';

/** The URL breaks the rules (scheme, port, host, credentials): refused before any DNS or connection. */
export const OUTBOUND_URL_REFUSED = 'outbound_url_refused';
/** The host resolved to, or the socket connected to, an address that is not public. */
export const OUTBOUND_ADDRESS_REFUSED = 'outbound_address_refused';
/** The server answered with a redirect: Assets calls never follow one (the token would go along). */
export const OUTBOUND_REDIRECT_REFUSED = 'outbound_redirect_refused';

export type OutboundRefusal =
  typeof OUTBOUND_URL_REFUSED | typeof OUTBOUND_ADDRESS_REFUSED | typeof OUTBOUND_REDIRECT_REFUSED;

/**
 * An outbound call the guard refused. Its message names the URL or address for the logs; it is not
 * exposed: users get a fixed text (`describeOutboundFailure`).
 */
export class OutboundRefusedError extends AppError {
  override name = 'OutboundRefusedError';
  declare readonly code: OutboundRefusal;
  constructor(code: OutboundRefusal, message: string) {
    super(code, message, 502, { expose: false });
  }
}

export interface OutboundPolicy {
  /**
   * Development only (`ALLOW_INSECURE_SITE_URLS`, refused in production): http, any port and loopback
   * addresses, for the emulator on 127.0.0.1. Private, link-local and other non-public addresses stay
   * refused even then.
   */
  readonly allowInsecure: boolean;
  /** Host suffixes (`.atlassian.net`) or exact hosts; `*` = any host name (never in production). */
  readonly allowedHosts: readonly string[];
}

/** Atlassian's API gateway: the Assets REST API of every site lives there. */
export const ASSETS_GATEWAY_HOST = 'api.atlassian.com';

export function outboundPolicyFromConfig(
  config: Pick<Config, 'allowInsecureSiteUrls' | 'allowedSiteHosts'>,
): OutboundPolicy {
  return {
    allowInsecure: config.allowInsecureSiteUrls,
    allowedHosts: [...config.allowedSiteHosts, ASSETS_GATEWAY_HOST],
  };
}

const refuse = (url: string, why: string) =>
  new OutboundRefusedError(OUTBOUND_URL_REFUSED, `outbound request to ${url} refused: ${why}`);

/** `[::1]` → `::1`, `acme.atlassian.net.` → `acme.atlassian.net` */
function bareHost(hostname: string): string {
  const unbracketed = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return unbracketed.replace(/\.$/, '').toLowerCase();
}

export function isAllowedHostName(host: string, allowed: readonly string[]): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return false;
  return allowed.some((entry) => {
    if (entry === '*') return true;
    if (entry.startsWith('.')) return host.endsWith(entry) && host.length > entry.length;
    return host === entry;
  });
}

/**
 * The URL if the vault may call it, else `OutboundRefusedError` (`outbound_url_refused`): https on
 * port 443, no credentials, a host name on the allowed list and never an IP address. With
 * `allowInsecure`: http or https on any port, any host name, and IP addresses only if loopback. The
 * address a name resolves to is checked when connecting (`createOutboundGuard`).
 */
export function checkOutboundUrl(input: string | URL, policy: OutboundPolicy): URL {
  const shown = String(input).split('?')[0] ?? '';
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw refuse(shown, 'not an absolute URL');
  }
  if (url.username || url.password) throw refuse(shown, 'credentials in the URL');
  const insecure = policy.allowInsecure;
  if (url.protocol !== 'https:' && !(insecure && url.protocol === 'http:')) throw refuse(shown, 'not https');
  if (!insecure && url.port !== '' && url.port !== '443') throw refuse(shown, 'port other than 443');
  const host = bareHost(url.hostname);
  if (isIP(host) !== 0) {
    if (insecure && classifyAddress(host) === 'loopback') return url;
    throw refuse(shown, 'an IP address instead of a host name');
  }
  if (!insecure && !isAllowedHostName(host, policy.allowedHosts)) throw refuse(shown, 'host not allowed');
  return url;
}

/** Whether a socket may be (or stay) connected to `address` under the policy. */
export function isAllowedAddress(address: string, policy: OutboundPolicy): boolean {
  const kind = classifyAddress(address);
  return kind === 'public' || (kind === 'loopback' && policy.allowInsecure);
}
