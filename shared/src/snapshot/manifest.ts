/**
 * The snapshot manifest (format v1): what was backed up, how it was chunked and the hashes that
 * prove it. `parseManifest` is the one validation every reader and the vault's upload route use.
 */
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { IsoTimestamp } from '../model/index.js';
import { SnapshotIntegrityError } from './errors.js';

/** Major format version. Additive changes (new optional fields, new record kinds) keep it. */
export const SNAPSHOT_FORMAT_VERSION = 1;

const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$' });
const Count = Type.Integer({ minimum: 0 });

export const SnapshotSourceSchema = Type.Object({
  cloudId: Type.String({ minLength: 1 }),
  siteUrl: Type.String({ minLength: 1 }),
  workspaceId: Type.String({ minLength: 1 }),
});
export type SnapshotSource = Static<typeof SnapshotSourceSchema>;

export const SnapshotSchemaRefSchema = Type.Object({
  id: Type.String({ minLength: 1 }),
  name: Type.String(),
  key: Type.String(),
});
export type SnapshotSchemaRef = Static<typeof SnapshotSchemaRefSchema>;

export const SnapshotOptionsSchema = Type.Object({
  history: Type.Boolean(),
  icons: Type.Boolean(),
  issueRefs: Type.Boolean(),
});
export type SnapshotOptions = Static<typeof SnapshotOptionsSchema>;

export const ChunkInfoSchema = Type.Object({
  seq: Count,
  /** size of the gzip bytes as stored and uploaded */
  bytes: Count,
  records: Count,
  /** lowercase hex SHA-256 of the gzip bytes */
  sha256: Sha256Hex,
  /** size of the NDJSON once decompressed (bounds a reader's memory) */
  uncompressedBytes: Type.Optional(Count),
});
export type ChunkInfo = Static<typeof ChunkInfoSchema>;

export const SnapshotCountsSchema = Type.Object({
  records: Count,
  /** every kind the writer knows, zeros included */
  byKind: Type.Record(Type.String(), Count),
  /** `object` records per objectTypeId */
  objectsByObjectType: Type.Record(Type.String(), Count),
});
export type SnapshotCounts = Static<typeof SnapshotCountsSchema>;

export const SnapshotManifestSchema = Type.Object({
  formatVersion: Type.Literal(SNAPSHOT_FORMAT_VERSION),
  source: SnapshotSourceSchema,
  schema: SnapshotSchemaRefSchema,
  createdAt: IsoTimestamp,
  completedAt: Type.Optional(IsoTimestamp),
  options: SnapshotOptionsSchema,
  counts: SnapshotCountsSchema,
  chunks: Type.Array(ChunkInfoSchema),
  /** hash chain over the record lines, independent of chunk boundaries (SNAPSHOT_FORMAT.md) */
  contentSha256: Sha256Hex,
  /** things a human should know about this backup, e.g. objects changed while it ran */
  warnings: Type.Optional(Type.Array(Type.String())),
});
export type SnapshotManifest = Static<typeof SnapshotManifestSchema>;

const manifestCheck = TypeCompiler.Compile(SnapshotManifestSchema);

/**
 * Validates an untrusted manifest (uploaded JSON, a file): version first, then shape, then chunk
 * numbering 0..n-1 and count totals. Unknown fields are allowed (newer minor additions).
 */
export function parseManifest(value: unknown): SnapshotManifest {
  if (typeof value !== 'object' || value === null) {
    throw new SnapshotIntegrityError('invalid_manifest', 'Snapshot manifest is not an object');
  }
  const version = (value as { formatVersion?: unknown }).formatVersion;
  if (version !== SNAPSHOT_FORMAT_VERSION) {
    throw new SnapshotIntegrityError(
      'unsupported_format_version',
      `Snapshot format version ${String(version)} is not supported (this reader reads version ${SNAPSHOT_FORMAT_VERSION})`,
    );
  }
  if (!manifestCheck.Check(value)) {
    const first = manifestCheck.Errors(value).First();
    throw new SnapshotIntegrityError(
      'invalid_manifest',
      `Snapshot manifest is invalid at ${first?.path ?? '/'}: ${first?.message ?? 'unknown problem'}`,
    );
  }
  const manifest = value;
  manifest.chunks.forEach((chunk, index) => {
    if (chunk.seq !== index) {
      throw new SnapshotIntegrityError(
        'chunk_sequence_invalid',
        `Manifest lists chunk ${chunk.seq} at position ${index}; chunks must be numbered 0..n-1 in order`,
        { seq: chunk.seq },
      );
    }
  });
  const chunkRecords = manifest.chunks.reduce((sum, c) => sum + c.records, 0);
  const kindRecords = Object.values(manifest.counts.byKind).reduce((sum, n) => sum + n, 0);
  if (chunkRecords !== manifest.counts.records || kindRecords !== manifest.counts.records) {
    throw new SnapshotIntegrityError(
      'count_mismatch',
      `Manifest counts disagree: ${manifest.counts.records} records, ${chunkRecords} in chunks, ${kindRecords} by kind`,
    );
  }
  return manifest;
}
