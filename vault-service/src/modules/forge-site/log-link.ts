/**
 * Download links for a restore's .xlsx log, asked for by the Jira page (signed) and opened by the admin's
 * browser (not signed: a browser cannot sign). The link carries its own proof: the site, the restore and an
 * expiry, with an HMAC under a key derived from SESSION_SECRET for this one purpose, so it opens that log
 * only, for a few minutes, and a changed id or expiry fails the check. Stateless, so any replica serves it.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { forgeSiteApiPaths } from '@assets-vault/shared/contract';
import { NotFoundError } from '@assets-vault/shared/errors';
import type { Config } from '../../config.js';

/** Long enough to confirm Jira's "open external link" prompt, short enough that a leaked link soon dies. */
export const LOG_LINK_TTL_MS = 5 * 60_000;
const PURPOSE = 'assets-vault/forge-restore-log-link/v1';

interface LinkClaims {
  siteId: string;
  restoreId: string;
  /** expiry, unix ms */
  exp: number;
}

function linkKey(config: Pick<Config, 'sessionSecret'>): Buffer {
  return Buffer.from(hkdfSync('sha256', config.sessionSecret, '', PURPOSE, 32));
}

function mac(config: Pick<Config, 'sessionSecret'>, payload: string): Buffer {
  return createHmac('sha256', linkKey(config)).update(payload).digest();
}

export function createRestoreLogLink(
  config: Pick<Config, 'sessionSecret' | 'publicUrl'>,
  claims: { siteId: string; restoreId: string },
  now: Date,
): { url: string; expiresAt: string } {
  const exp = now.getTime() + LOG_LINK_TTL_MS;
  const payload = Buffer.from(JSON.stringify({ ...claims, exp } satisfies LinkClaims)).toString('base64url');
  const token = `${payload}.${mac(config, payload).toString('base64url')}`;
  return {
    url: `${config.publicUrl}${forgeSiteApiPaths.restoreLogDownload(token)}`,
    expiresAt: new Date(exp).toISOString(),
  };
}

/** The restore a link names; any bad, altered or expired link is the same 404 (a link proves nothing else). */
export function verifyRestoreLogLink(
  config: Pick<Config, 'sessionSecret'>,
  token: string,
  now: Date,
): { siteId: string; restoreId: string } {
  const gone = () => new NotFoundError('This download link is invalid or has expired: ask for a new one in Jira');
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) throw gone();
  // compared as text: base64url decoding ignores a last character's spare bits, the text does not
  const expected = Buffer.from(mac(config, payload).toString('base64url'));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw gone();
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw gone();
  }
  const { siteId, restoreId, exp } = (claims ?? {}) as Partial<LinkClaims>;
  if (typeof siteId !== 'string' || typeof restoreId !== 'string' || typeof exp !== 'number') throw gone();
  if (exp <= now.getTime()) throw gone();
  return { siteId, restoreId };
}
