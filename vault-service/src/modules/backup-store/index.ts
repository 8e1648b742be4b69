/**
 * The backup store: the one owner of `backup`, `backup_chunk`, each backup's browse schema
 * (`backup_<id>`, ADR 0007) and the completing transaction. Every other module reaches backups through
 * this file; test/boundaries.test.ts fails when one imports the store's files or queries its tables.
 *
 * Functions take the executor first, like repositories: a caller that must write in the same
 * transaction (an audit entry, a job's state, a Forge event) passes its transaction.
 */
export type { BackupKind, BackupStatus } from '../../db/tables/backup.js';
export { isBackupId } from './backup-id.js';
export { parseStoredAttributes, type StoredAttribute } from './browse-chunk.js';
export { dropOrphanBrowseSchemas, queueRebuildOfLostBrowseTables } from './browse-tables.js';
export type { MaterialiseOptions } from './materialise.js';
export {
  findObject,
  listAttributes,
  listObjectsAfter,
  listObjectsWithAttributesAfter,
  listObjectTypes,
  type BrowseAttribute,
  type BrowseObject,
  type BrowseObjectType,
  type ObjectDifference,
  type StoredObject,
  type StoredObjectDetail,
} from './browse-repository.js';
export {
  deleteAbandonedUploads,
  findBackup,
  insertBackup,
  listCompletedBackups,
  listSchemaBackupStats,
  listTrashedBackups,
  setSchemaNames,
  type BackupSummary,
  type TrashedBackup,
  type CompletedBackup,
  type OpenedBackup,
  type SchemaBackupStats,
} from './repository.js';
export {
  buildNextSearchIndex,
  completeBackup,
  deleteBackup,
  findBackupForUpload,
  lockBackupForRestore,
  openStoredSnapshot,
  purgeDueTrash,
  putChunk,
  readDifferences,
  requireBrowsableBackup,
  restoreFromTrash,
  trashBackupUnlessRestoring,
  truncateChunks,
  verifyStoredSnapshot,
  type BackupInUse,
  type CompletionInput,
  type DifferenceReader,
  type StoredSnapshot,
} from './store.js';
