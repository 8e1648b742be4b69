/** Encrypted credential rows (`site_credential`): one per site and purpose. Ciphertext only; service.ts decrypts. */
import type { Executor } from '../../db/types.js';

export interface EncryptedCredential {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  authTag: Buffer;
}

export async function upsertCredential(
  db: Executor,
  siteId: string,
  purpose: string,
  encrypted: EncryptedCredential,
  now: Date,
): Promise<void> {
  const row = {
    key_id: encrypted.keyId,
    iv: encrypted.iv,
    ciphertext: encrypted.ciphertext,
    auth_tag: encrypted.authTag,
  };
  await db
    .insertInto('site_credential')
    .values({ site_id: siteId, purpose, ...row })
    .onConflict((oc) => oc.columns(['site_id', 'purpose']).doUpdateSet({ ...row, updated_at: now }))
    .execute();
}

/** The encrypted secret: only this method reads the ciphertext columns. */
export async function findEncryptedCredential(
  db: Executor,
  siteId: string,
  purpose: string,
): Promise<EncryptedCredential | undefined> {
  const row = await db
    .selectFrom('site_credential')
    .select(['key_id', 'iv', 'ciphertext', 'auth_tag'])
    .where('site_id', '=', siteId)
    .where('purpose', '=', purpose)
    .executeTakeFirst();
  return row && { keyId: row.key_id, iv: row.iv, ciphertext: row.ciphertext, authTag: row.auth_tag };
}

export async function deleteCredential(db: Executor, siteId: string, purpose: string): Promise<boolean> {
  const r = await db
    .deleteFrom('site_credential')
    .where('site_id', '=', siteId)
    .where('purpose', '=', purpose)
    .executeTakeFirst();
  return r.numDeletedRows > 0n;
}
