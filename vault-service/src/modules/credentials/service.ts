/**
 * Encrypted credentials store: AES-256-GCM with the first configured key (its id stored with the
 * ciphertext, so every configured key still decrypts after rotation), a random 12-byte IV, and AAD
 * binding the site id and purpose (a row copied to another site or purpose fails to decrypt).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';

export interface CredentialKey {
  readonly id: string;
  readonly key: Buffer;
}

function aad(siteId: string, purpose: string): Buffer {
  return Buffer.from(`site-credential\u0000${siteId}\u0000${purpose}`, 'utf8');
}

export async function saveCredentials(db: Kysely<DB>, keys: readonly CredentialKey[], siteId: string, purpose: string, secret: unknown): Promise<void> {
  const current = keys[0];
  if (!current) throw new Error('No ENCRYPTION_KEYS configured: credentials cannot be stored');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', current.key, iv);
  cipher.setAAD(aad(siteId, purpose));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(secret), 'utf8'), cipher.final()]);
  const row = { key_id: current.id, iv, ciphertext, auth_tag: cipher.getAuthTag() };
  await db.insertInto('site_credential').values({ site_id: siteId, purpose, ...row })
    .onConflict((oc) => oc.columns(['site_id', 'purpose']).doUpdateSet({ ...row, updated_at: new Date() })).execute();
}

/** The decrypted secret, or undefined when none is stored. Throws when no configured key decrypts it. */
export async function loadCredentials(db: Kysely<DB>, keys: readonly CredentialKey[], siteId: string, purpose: string): Promise<unknown> {
  const row = await db.selectFrom('site_credential').selectAll().where('site_id', '=', siteId).where('purpose', '=', purpose).executeTakeFirst();
  if (!row) return undefined;
  const key = keys.find((k) => k.id === row.key_id);
  if (!key) throw new Error(`Credentials were encrypted with key "${row.key_id}", which is no longer configured`);
  const decipher = createDecipheriv('aes-256-gcm', key.key, row.iv);
  decipher.setAAD(aad(siteId, purpose));
  decipher.setAuthTag(row.auth_tag);
  const plain = Buffer.concat([decipher.update(row.ciphertext), decipher.final()]).toString('utf8');
  return JSON.parse(plain) as unknown;
}

export async function deleteCredentials(db: Kysely<DB>, siteId: string, purpose: string): Promise<boolean> {
  const r = await db.deleteFrom('site_credential').where('site_id', '=', siteId).where('purpose', '=', purpose).executeTakeFirst();
  return r.numDeletedRows > 0n;
}
