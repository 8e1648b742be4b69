/**
 * The backup engine: one Assets schema → a snapshot (format v1), resumable from a JSON cursor so a
 * Forge queue consumer can continue in its next invocation.
 */
export {
  assetsObjectIds,
  runBackup,
  type BackupCursor,
  type BackupOptions,
  type BackupPhase,
  type BackupProgress,
  type BackupResult,
  type BackupStats,
  type RunBackupInput,
} from './engine.js';
