import type { Generated } from 'kysely';

/** A site's retention policy (null = no limit). */
export interface RetentionPolicyTable {
  site_id: string;
  keep_manual: number | null;
  keep_scheduled: number | null;
  max_age_days: number | null;
  updated_at: Generated<Date>;
}

export interface RetentionTables {
  retention_policy: RetentionPolicyTable;
}

/** Encrypted credentials of a site for one purpose (AES-256-GCM; AAD = site id + purpose). */
export interface SiteCredentialTable {
  site_id: string;
  purpose: string;
  key_id: string;
  iv: Buffer;
  ciphertext: Buffer;
  auth_tag: Buffer;
  updated_at: Generated<Date>;
}

export interface CredentialTables {
  site_credential: SiteCredentialTable;
}
