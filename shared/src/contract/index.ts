/**
 * The wire contract between the Forge app and the vault (architecture.md "Contract between forge-app
 * and vault-service"): request and response schemas, event types, and the chunk webhook-id binding.
 * The Forge app builds its requests from it and the vault validates them with it. The two halves are
 * deployed separately, so a change here is a **Contract** entry in both changelogs.
 */
export {
  BackupDeletedData,
  ForgeActor,
  ForgeEventEnvelope,
  ForgeEventResponse,
  InstallationConnectedData,
  SchemaSyncedData,
  TrustedUserInvitedData,
  TrustedUserRemovedData,
  forgeEventDataSchemas,
  parseForgeEvent,
  type ForgeEvent,
  type ForgeEventData,
  type ForgeEventType,
} from './events.js';
export {
  BackupKind,
  BackupParams,
  CHUNK_SHA256_HEADER,
  ChunkParams,
  ChunkResponse,
  CompleteResponse,
  OpenBackupBody,
  OpenBackupResponse,
  chunkWebhookId,
  forgeApiPaths,
} from './backups.js';
export {
  BackupList,
  BackupListQuery,
  BackupRow,
  ObjectTypeNode,
  ObjectTypeTree,
  SchemaId,
  SchemaList,
  SchemaSummary,
} from './site-data.js';
export {
  ForgeBackupRequest,
  ForgeBackupsRequest,
  ForgeCredentialsStatus,
  ForgeDeleteBackupRequest,
  ForgeDeleteBackupResponse,
  ForgeSiteRequest,
  ForgeStoreCredentialsRequest,
  ForgeAssetsSchemasRequest,
  ForgeIssueFieldsRequest,
  ForgePreviewRestoreRequest,
  ForgeRestoreLogLink,
  ForgeRestoreRequest,
  ForgeRestoresRequest,
  ForgeStartRestoreRequest,
  forgeSiteApiPaths,
  isRestoreRequest,
} from './forge-site.js';
// every name of restores.ts is wire contract (the vault's restore API re-exports the same list)
export * from './restores.js';
export { SchemaOptionList, TargetInstanceInput, TargetInstanceList, TargetInstanceView } from './target-instances.js';
