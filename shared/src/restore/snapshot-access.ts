/** Snapshot access for the engine over the verifying reader: every pass re-reads and re-checks the chunks. */
import {
  parseManifest,
  readSnapshot,
  type ChunkSource,
  type ReadSnapshotOptions,
  type SnapshotManifest,
} from '../snapshot/index.js';
import type { RestoreSnapshot } from './types.js';

/** A snapshot whose chunks come from `source` (the vault's backup storage, a directory, memory). */
export function snapshotFromChunks(
  manifest: SnapshotManifest,
  source: ChunkSource,
  opts: ReadSnapshotOptions = {},
): RestoreSnapshot {
  const checked = parseManifest(manifest);
  return { manifest: checked, records: () => readSnapshot(checked, source, opts) };
}
