/**
 * The Jira page's door to the vault: the signed site API (`@assets-vault/shared/contract`, forge-site.ts), one
 * typed function per route. Every request carries the tenant of the resolver's Forge context, never a payload's.
 * A vault that does not answer within the resolver's time is a clear error, never a hanging page.
 */
import {
  forgeSiteApiPaths as paths,
  type BackupList,
  type ForgeActor,
  type ForgeCredentialsStatus,
  type ForgeDeleteBackupResponse,
  type ForgeRestoreLogLink,
  type IssueFieldsAccepted,
  type ObjectTypeTree,
  type RestoreAccepted,
  type RestoreDetail,
  type RestoreList,
  type RestoreListQuery,
  type RestorePreview,
  type RestoreRequest,
  type SchemaList,
  type SchemaOptionList,
  type TargetInstanceList,
} from '@assets-vault/shared/contract';
import type { BackupKind } from '@assets-vault/shared/contract';
import { readVaultConfig } from './config';
import type { Tenant } from './store';
import { createVaultClient, VaultRequestError } from './vault-client';

/** A resolver has 25 s; a restore start checks its target live in the vault, which takes the longest. */
const SITE_CALL_TIMEOUT_MS = 20_000;

export class VaultUnavailableError extends VaultRequestError {
  override name = 'VaultUnavailableError';
}

export function vaultSite(tenant: Tenant) {
  const client = createVaultClient({ config: readVaultConfig(process.env), timeoutMs: SITE_CALL_TIMEOUT_MS });
  const call = async <T>(path: string, body: object = {}): Promise<T> => {
    try {
      return await client.siteCall<T>(path, { cloudId: tenant.cloudId, siteUrl: tenant.siteUrl, ...body });
    } catch (err) {
      // network failures and 5xx: one message the page shows as it is
      if (err instanceof VaultRequestError && !(err instanceof VaultUnavailableError))
        throw new VaultUnavailableError(
          `The vault could not be reached or failed (${err.message}). Check the vault connection and try again.`,
          { retryable: err.retryable, ...(err.status !== undefined ? { status: err.status } : {}), cause: err },
        );
      throw err;
    }
  };
  return {
    schemas: () => call<SchemaList>(paths.schemas),
    backups: (query: { schemaId: string; kind?: BackupKind; from?: string; to?: string }) =>
      call<BackupList>(paths.backups, query),
    objectTypes: (backupId: string) => call<ObjectTypeTree>(paths.objectTypes, { backupId }),
    deleteBackup: (actor: ForgeActor, backupId: string) =>
      call<ForgeDeleteBackupResponse>(paths.deleteBackup, { actor, backupId }),
    credentialsStatus: () => call<ForgeCredentialsStatus>(paths.credentialsStatus),
    storeCredentials: (actor: ForgeActor, input: { email: string; apiToken: string; assetsApiBaseUrl?: string }) =>
      call<ForgeCredentialsStatus>(paths.storeCredentials, { actor, ...input }),
    targetInstances: () => call<TargetInstanceList>(paths.targetInstances),
    assetsSchemas: (targetInstanceId?: string) =>
      call<SchemaOptionList>(paths.assetsSchemas, targetInstanceId === undefined ? {} : { targetInstanceId }),
    restores: (query: RestoreListQuery) => call<RestoreList>(paths.restores, query),
    restore: (restoreId: string) => call<RestoreDetail>(paths.restore, { restoreId }),
    startRestore: (actor: ForgeActor, request: RestoreRequest) =>
      call<RestoreAccepted>(paths.startRestore, { actor, ...request }),
    previewRestore: (request: RestoreRequest) => call<RestorePreview>(paths.previewRestore, request),
    issueFields: (actor: ForgeActor, restoreId: string) =>
      call<IssueFieldsAccepted>(paths.issueFields, { actor, restoreId }),
    restoreLogLink: (restoreId: string) => call<ForgeRestoreLogLink>(paths.restoreLogLink, { restoreId }),
  };
}

export type VaultSite = ReturnType<typeof vaultSite>;
