/**
 * Encrypted credentials store: AES-256-GCM with the first configured key (its id stored with the
 * ciphertext, so every configured key still decrypts after rotation), a random 12-byte IV, and AAD
 * binding the site id and purpose (a row copied to another site or purpose fails to decrypt).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ValidationError } from '@assets-vault/shared/errors';
import type { Kysely } from 'kysely';
import type { DB, Executor } from '../../db/types.js';

export interface CredentialKey {
  readonly id: string;
  readonly key: Buffer;
}

function aad(siteId: string, purpose: string): Buffer {
  return Buffer.from(`site-credential\u0000${siteId}\u0000${purpose}`, 'utf8');
}

export async function saveCredentials(
  db: Executor,
  keys: readonly CredentialKey[],
  siteId: string,
  purpose: string,
  secret: unknown,
): Promise<void> {
  const current = keys[0];
  if (!current) throw new Error('No ENCRYPTION_KEYS configured: credentials cannot be stored');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', current.key, iv);
  cipher.setAAD(aad(siteId, purpose));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(secret), 'utf8'), cipher.final()]);
  const row = { key_id: current.id, iv, ciphertext, auth_tag: cipher.getAuthTag() };
  await db
    .insertInto('site_credential')
    .values({ site_id: siteId, purpose, ...row })
    .onConflict((oc) => oc.columns(['site_id', 'purpose']).doUpdateSet({ ...row, updated_at: new Date() }))
    .execute();
}

/** The decrypted secret, or undefined when none is stored. Throws when no configured key decrypts it. */
export async function loadCredentials(
  db: Kysely<DB>,
  keys: readonly CredentialKey[],
  siteId: string,
  purpose: string,
): Promise<unknown> {
  const row = await db
    .selectFrom('site_credential')
    .selectAll()
    .where('site_id', '=', siteId)
    .where('purpose', '=', purpose)
    .executeTakeFirst();
  if (!row) return undefined;
  const key = keys.find((k) => k.id === row.key_id);
  if (!key) throw new Error(`Credentials were encrypted with key "${row.key_id}", which is no longer configured`);
  const decipher = createDecipheriv('aes-256-gcm', key.key, row.iv);
  decipher.setAAD(aad(siteId, purpose));
  decipher.setAuthTag(row.auth_tag);
  const plain = Buffer.concat([decipher.update(row.ciphertext), decipher.final()]).toString('utf8');
  return JSON.parse(plain) as unknown;
}

export async function deleteCredentials(db: Executor, siteId: string, purpose: string): Promise<boolean> {
  const r = await db
    .deleteFrom('site_credential')
    .where('site_id', '=', siteId)
    .where('purpose', '=', purpose)
    .executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/** Atlassian's API gateway, where the Assets REST API lives (`https://api.atlassian.com/jsm/assets/workspace/<id>/v1`). */
const ASSETS_GATEWAY_HOST = 'api.atlassian.com';

/**
 * The stored token travels with every call to the Assets API base URL: it must be https on Atlassian's
 * gateway or the site's own host, never an arbitrary (or internal) address. `allowInsecure` (the local
 * emulator, never in production) accepts any http(s) URL.
 */
export function checkAssetsApiBaseUrl(value: string, siteUrl: string, allowInsecure: boolean): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError('assetsApiBaseUrl must be an absolute URL');
  }
  if (url.username || url.password) throw new ValidationError('assetsApiBaseUrl must not contain credentials');
  if (allowInsecure && (url.protocol === 'http:' || url.protocol === 'https:')) return;
  if (url.protocol !== 'https:') throw new ValidationError('assetsApiBaseUrl must be an https:// URL');
  if (url.hostname !== ASSETS_GATEWAY_HOST && url.hostname !== new URL(siteUrl).hostname) {
    throw new ValidationError(
      `assetsApiBaseUrl must be on ${ASSETS_GATEWAY_HOST} (https://${ASSETS_GATEWAY_HOST}/jsm/assets/workspace/<workspaceId>/v1) or the site's own address`,
    );
  }
}
