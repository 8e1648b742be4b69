/**
 * Snapshot format v1 (shared/SNAPSHOT_FORMAT.md): typed records, a streaming chunked writer with
 * resumable state, a verifying streaming reader, chunk stores, and API → record projections.
 */
export { canonicalJson } from './canonical.js';
export { CONTENT_HASH_INITIAL, ContentHashChain } from './content-hash.js';
export { InvalidSnapshotRecordError, SnapshotIntegrityError, type SnapshotIntegrityCode } from './errors.js';
export {
  toAttributeRecord, toHistoryRecord, toIconRecord, toIssueRefRecord, toObjectRecord, toObjectTypeRecord, toReferenceTypeRecord,
  toSchemaConfigRecord, toSchemaRecord, toStatusTypeRecord, toUserRef, toValueRecord,
} from './from-api.js';
export {
  ChunkInfoSchema, SNAPSHOT_FORMAT_VERSION, SnapshotCountsSchema, SnapshotManifestSchema, SnapshotOptionsSchema,
  SnapshotSchemaRefSchema, SnapshotSourceSchema, parseManifest,
  type ChunkInfo, type SnapshotCounts, type SnapshotManifest, type SnapshotOptions, type SnapshotSchemaRef, type SnapshotSource,
} from './manifest.js';
export {
  DEFAULT_MAX_UNCOMPRESSED_BYTES, SnapshotVerifier, decodeChunk, fetchChunk, readSnapshot, verifyChunk,
  type ChunkSource, type DecodeChunkOptions, type DecodedChunk, type ExpectedChunk, type ReadSnapshotOptions, type SnapshotWarning, type VerifiedChunk,
} from './reader.js';
export {
  AttributeRecordSchema, HistoryEntryRecordSchema, HistoryRecordSchema, IconRecordSchema, IssueRefRecordSchema, ObjectRecordSchema,
  ObjectTypeRecordSchema, RECORD_KINDS, RECORD_SCHEMAS, ReferenceTypeRecordSchema, SchemaConfigRecordSchema, SchemaRecordSchema,
  SnapshotRecordSchema, StatusTypeRecordSchema, UserRefSchema, ValueRecordSchema, isKnownRecordKind,
  type AttributeRecord, type HistoryEntryRecord, type HistoryRecord, type IconRecord, type IssueRefRecord, type ObjectRecord,
  type ObjectTypeRecord, type RecordKind, type ReferenceTypeRecord, type SchemaConfigRecord, type SchemaRecord, type SnapshotRecord,
  type StatusTypeRecord, type UserRef, type ValueRecord,
} from './records.js';
export {
  createDirectoryChunkStore, createMemoryChunkStore, type DirectoryChunkStore, type MemoryChunkStore,
} from './sinks.js';
export {
  DEFAULT_MAX_CHUNK_BYTES, DEFAULT_MAX_CHUNK_RECORDS, SnapshotWriter, assertValidRecord,
  type ChunkSink, type SnapshotChunk, type SnapshotHeader, type SnapshotWriterOptions, type SnapshotWriterState,
} from './writer.js';
