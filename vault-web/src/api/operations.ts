/**
 * Every vault operation the web UI uses, by name. This list is the contract: `pnpm api:update` keeps exactly
 * these operations of the vault's OpenAPI document in `openapi.json` and generates `schema.gen.ts` from it,
 * and `test/api-contract.test.ts` fails when the vault's live document no longer matches them.
 */
export const OPERATIONS = {
  loginOptions: { method: 'get', path: '/auth/options' },
  login: { method: 'get', path: '/auth/login' },
  logout: { method: 'post', path: '/auth/logout' },
  me: { method: 'get', path: '/api/v1/me' },
  listSchemas: { method: 'get', path: '/api/v1/schemas' },
  listBackups: { method: 'get', path: '/api/v1/schemas/{schemaId}/backups' },
  startVaultBackup: { method: 'post', path: '/api/v1/schemas/{schemaId}/backups' },
  getBackupJob: { method: 'get', path: '/api/v1/backup-jobs/{jobId}' },
  deleteBackup: { method: 'delete', path: '/api/v1/backups/{id}' },
  objectTypes: { method: 'get', path: '/api/v1/backups/{id}/object-types' },
  listObjects: { method: 'get', path: '/api/v1/backups/{id}/objects' },
  getObject: { method: 'get', path: '/api/v1/backups/{id}/objects/{objectId}' },
  backupDefinitions: { method: 'get', path: '/api/v1/backups/{id}/definitions' },
  backupIcon: { method: 'get', path: '/api/v1/backups/{id}/icons/{iconId}' },
  exportBackup: { method: 'get', path: '/api/v1/backups/{id}/export' },
  diffBackup: { method: 'post', path: '/api/v1/backups/{id}/diff' },
  getCredentials: { method: 'get', path: '/api/v1/site-credentials' },
  saveCredentials: { method: 'put', path: '/api/v1/site-credentials' },
  deleteCredentials: { method: 'delete', path: '/api/v1/site-credentials' },
  getRetention: { method: 'get', path: '/api/v1/retention' },
  saveRetention: { method: 'put', path: '/api/v1/retention' },
  listAudit: { method: 'get', path: '/api/v1/audit' },
  listTrash: { method: 'get', path: '/api/v1/trash' },
  restoreFromTrash: { method: 'post', path: '/api/v1/trash/{id}/restore' },
  startRestore: { method: 'post', path: '/api/v1/restores' },
  previewRestore: { method: 'post', path: '/api/v1/restores/preview' },
  listRestores: { method: 'get', path: '/api/v1/restores' },
  getRestore: { method: 'get', path: '/api/v1/restores/{id}' },
  restoreLog: { method: 'get', path: '/api/v1/restores/{id}/log.xlsx' },
  startIssueFields: { method: 'post', path: '/api/v1/restores/{id}/issue-fields' },
  listTargetInstances: { method: 'get', path: '/api/v1/target-instances' },
  createTargetInstance: { method: 'post', path: '/api/v1/target-instances' },
  deleteTargetInstance: { method: 'delete', path: '/api/v1/target-instances/{id}' },
  targetSchemas: { method: 'get', path: '/api/v1/target-instances/{id}/schemas' },
  siteSchemas: { method: 'get', path: '/api/v1/site-schemas' },
} as const;

export type OperationName = keyof typeof OPERATIONS;
