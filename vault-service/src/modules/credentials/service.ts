/**
 * Encrypted credentials store: AES-256-GCM with the first configured key (its id stored with the
 * ciphertext, so every configured key still decrypts after rotation), a random 12-byte IV, and AAD
 * binding the site id and purpose (a row copied to another site or purpose fails to decrypt).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { NotFoundError, ValidationError } from '@assets-vault/shared/errors';
import type { Executor } from '../../db/types.js';
import type { Config } from '../../config.js';
import type { VaultDeps } from '../../deps.js';
import { insertAuditEvent } from '../audit/repository.js';
import { findSiteById } from '../sites/repository.js';
import { deleteCredential, findEncryptedCredential, upsertCredential } from './repository.js';

/** The purpose under which a site's own Assets API credentials are stored. */
export const ASSETS_API_PURPOSE = 'assets-api';

export interface SiteAssetsCredentials {
  email: string;
  apiToken: string;
  assetsApiBaseUrl?: string;
  vaultBackupsEnabled: boolean;
}

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
  await upsertCredential(
    db,
    siteId,
    purpose,
    { keyId: current.id, iv, ciphertext, authTag: cipher.getAuthTag() },
    new Date(),
  );
}

/** The decrypted secret, or undefined when none is stored. Throws when no configured key decrypts it. */
export async function loadCredentials(
  db: Executor,
  keys: readonly CredentialKey[],
  siteId: string,
  purpose: string,
): Promise<unknown> {
  const row = await findEncryptedCredential(db, siteId, purpose);
  if (!row) return undefined;
  const key = keys.find((k) => k.id === row.keyId);
  if (!key) throw new Error(`Credentials were encrypted with key "${row.keyId}", which is no longer configured`);
  const decipher = createDecipheriv('aes-256-gcm', key.key, row.iv);
  decipher.setAAD(aad(siteId, purpose));
  decipher.setAuthTag(row.authTag);
  const plain = Buffer.concat([decipher.update(row.ciphertext), decipher.final()]).toString('utf8');
  return JSON.parse(plain) as unknown;
}

export async function deleteCredentials(db: Executor, siteId: string, purpose: string): Promise<boolean> {
  return deleteCredential(db, siteId, purpose);
}

/** The site's stored Assets API credentials, decrypted; undefined when none are stored. */
export async function loadSiteAssetsCredentials(
  deps: Pick<VaultDeps, 'db'> & { config: Pick<Config, 'encryptionKeys'> },
  siteId: string,
): Promise<SiteAssetsCredentials | undefined> {
  return (await loadCredentials(deps.db, deps.config.encryptionKeys, siteId, ASSETS_API_PURPOSE)) as
    SiteAssetsCredentials | undefined;
}

type CredentialDeps = Pick<VaultDeps, 'db'> & { config: Pick<Config, 'encryptionKeys' | 'allowInsecureSiteUrls'> };

/** Stores the site's Assets API credentials (encrypted) with an audit entry that never holds the token. */
export async function saveSiteAssetsCredentials(
  deps: CredentialDeps,
  siteId: string,
  actor: string,
  secret: SiteAssetsCredentials,
): Promise<void> {
  if (secret.assetsApiBaseUrl !== undefined) {
    const site = await findSiteById(deps.db, siteId);
    if (!site) throw new NotFoundError('Site not found');
    checkAssetsApiBaseUrl(secret.assetsApiBaseUrl, site.siteUrl, deps.config.allowInsecureSiteUrls);
  }
  await deps.db.transaction().execute(async (trx) => {
    await saveCredentials(trx, deps.config.encryptionKeys, siteId, ASSETS_API_PURPOSE, secret);
    // who changed what the vault may do on the site's behalf; never the token
    await insertAuditEvent(trx, siteId, {
      actor,
      action: 'credentials.saved',
      details: {
        email: secret.email,
        assetsApiBaseUrl: secret.assetsApiBaseUrl ?? null,
        vaultBackupsEnabled: secret.vaultBackupsEnabled,
      },
    });
  });
}

/** Removes the site's Assets API credentials (audited); 404 when none are stored. */
export async function deleteSiteAssetsCredentials(deps: CredentialDeps, siteId: string, actor: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    if (!(await deleteCredentials(trx, siteId, ASSETS_API_PURPOSE))) throw new NotFoundError('No credentials stored');
    await insertAuditEvent(trx, siteId, { actor, action: 'credentials.deleted' });
  });
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
