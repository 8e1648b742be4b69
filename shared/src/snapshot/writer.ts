/**
 * Streaming snapshot writer: records in, gzip NDJSON chunks of bounded size out to a ChunkSink,
 * a manifest at the end. Memory holds one open chunk at most. `checkpoint()` flushes the open
 * chunk and returns a JSON-serialisable state from which `SnapshotWriter.resume` continues in
 * another process; the content hash does not depend on where chunks were cut.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { CONTENT_HASH_INITIAL, ContentHashChain } from './content-hash.js';
import { canonicalJson } from './canonical.js';
import { InvalidSnapshotRecordError } from './errors.js';
import {
  SNAPSHOT_FORMAT_VERSION,
  type ChunkInfo,
  type SnapshotCounts,
  type SnapshotManifest,
  type SnapshotOptions,
  type SnapshotSchemaRef,
  type SnapshotSource,
} from './manifest.js';
import { RECORD_KINDS, isKnownRecordKind, type SnapshotRecord } from './records.js';
import { firstRecordError, recordChecks } from './validate.js';
import { AppError } from '../errors.js';

const gzipAsync = promisify(gzip);
/** Output slice of the async gzip: larger than zlib's 16 KiB default, a third less CPU per chunk. */
const DEFLATE_SLICE_BYTES = 256 * 1024;

/** One finished chunk as handed to a sink. */
export interface SnapshotChunk {
  seq: number;
  /** the gzip NDJSON bytes */
  bytes: Uint8Array;
  records: number;
  /** lowercase hex SHA-256 of `bytes` */
  sha256: string;
  uncompressedBytes?: number;
}

/** Where chunks go: memory in tests, a directory, the vault (over signed HTTP) from Forge. */
export interface ChunkSink {
  putChunk(chunk: SnapshotChunk): Promise<void>;
}

export interface SnapshotHeader {
  source: SnapshotSource;
  schema: SnapshotSchemaRef;
  options: SnapshotOptions;
  /** ISO timestamp of the backup start; defaults to now */
  createdAt?: string;
}

export interface SnapshotWriterOptions {
  sink: ChunkSink;
  /** close a chunk before its NDJSON would exceed this many bytes; default 4 MiB */
  maxChunkBytes?: number;
  /** close a chunk at this many records; default 20,000 */
  maxChunkRecords?: number;
  /** zlib level 1..9; default 6 */
  gzipLevel?: number;
}

/** Everything needed to continue a snapshot elsewhere. Plain JSON; store it with the job cursor. */
export interface SnapshotWriterState {
  formatVersion: typeof SNAPSHOT_FORMAT_VERSION;
  source: SnapshotSource;
  schema: SnapshotSchemaRef;
  options: SnapshotOptions;
  createdAt: string;
  chunks: ChunkInfo[];
  counts: SnapshotCounts;
  contentHashState: string;
}

export const DEFAULT_MAX_CHUNK_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_CHUNK_RECORDS = 20_000;

/** Validates a record against its kind's schema; throws InvalidSnapshotRecordError naming the path, never the value. */
export function assertValidRecord(record: unknown): asserts record is SnapshotRecord {
  const kind = (record as { kind?: unknown } | null)?.kind;
  if (!isKnownRecordKind(kind))
    throw new InvalidSnapshotRecordError(`Unknown snapshot record kind ${JSON.stringify(kind)}`);
  if (!recordChecks[kind].Check(record)) {
    const first = firstRecordError(kind, record);
    throw new InvalidSnapshotRecordError(`Invalid ${kind} record at ${first.path}: ${first.message}`, {
      kind,
      path: first.path,
    });
  }
}

function emptyCounts(): SnapshotCounts {
  return { records: 0, byKind: Object.fromEntries(RECORD_KINDS.map((k) => [k, 0])), objectsByObjectType: {} };
}

function cloneCounts(c: SnapshotCounts): SnapshotCounts {
  return { records: c.records, byKind: { ...c.byKind }, objectsByObjectType: { ...c.objectsByObjectType } };
}

export class SnapshotWriter {
  private readonly sink: ChunkSink;
  private readonly maxChunkBytes: number;
  private readonly maxChunkRecords: number;
  private readonly gzipLevel: number;
  private readonly header: Required<SnapshotHeader>;

  // committed: what is in chunks the sink accepted
  private readonly chunks: ChunkInfo[];
  private committedCounts: SnapshotCounts;
  private committedHash: string;

  // open chunk
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingCounts: SnapshotCounts;
  private readonly chain: ContentHashChain;

  private inflight: Promise<void> | undefined;
  private closed = false;
  private failed: unknown = undefined;

  private constructor(header: Required<SnapshotHeader>, opts: SnapshotWriterOptions, state?: SnapshotWriterState) {
    this.sink = opts.sink;
    this.maxChunkBytes = opts.maxChunkBytes ?? DEFAULT_MAX_CHUNK_BYTES;
    this.maxChunkRecords = opts.maxChunkRecords ?? DEFAULT_MAX_CHUNK_RECORDS;
    this.gzipLevel = opts.gzipLevel ?? 6;
    if (!(this.maxChunkBytes > 0) || !(this.maxChunkRecords > 0)) throw new RangeError('chunk limits must be positive');
    this.header = header;
    this.chunks = state ? state.chunks.map((c) => ({ ...c })) : [];
    this.committedCounts = state ? cloneCounts(state.counts) : emptyCounts();
    this.committedHash = state?.contentHashState ?? CONTENT_HASH_INITIAL;
    this.pendingCounts = cloneCounts(this.committedCounts);
    this.chain = new ContentHashChain(this.committedHash);
  }

  /** Starts a new snapshot. */
  static create(header: SnapshotHeader, opts: SnapshotWriterOptions): SnapshotWriter {
    return new SnapshotWriter({ ...header, createdAt: header.createdAt ?? new Date().toISOString() }, opts);
  }

  /** Continues a snapshot from `checkpoint()` state, possibly in another process. */
  static resume(state: SnapshotWriterState, opts: SnapshotWriterOptions): SnapshotWriter {
    if (state.formatVersion !== SNAPSHOT_FORMAT_VERSION) {
      throw new AppError(
        'snapshot_state_unsupported',
        `Cannot resume a format ${String(state.formatVersion)} snapshot`,
        500,
      );
    }
    state.chunks.forEach((c, i) => {
      if (c.seq !== i) throw new AppError('snapshot_state_invalid', 'Writer state has a gap in its chunk list', 500);
    });
    const { source, schema, options, createdAt } = state;
    return new SnapshotWriter({ source, schema, options, createdAt }, opts, state);
  }

  /** Chunks the sink has accepted so far. */
  get chunkCount(): number {
    return this.chunks.length;
  }

  /** Records accepted so far (flushed or not). */
  get recordCount(): number {
    return this.pendingCounts.records;
  }

  /** Appends one record; flushes a chunk to the sink when the open one is full. */
  async write(record: SnapshotRecord): Promise<void> {
    this.assertUsable();
    assertValidRecord(record);
    const line = Buffer.from(`${canonicalJson(record)}\n`, 'utf8');
    if (
      this.pending.length > 0 &&
      (this.pendingBytes + line.length > this.maxChunkBytes || this.pending.length >= this.maxChunkRecords)
    ) {
      await this.flush(false);
    }
    this.pending.push(line);
    this.pendingBytes += line.length;
    this.chain.add(line);
    const counts = this.pendingCounts;
    counts.records += 1;
    counts.byKind[record.kind] = (counts.byKind[record.kind] ?? 0) + 1;
    if (record.kind === 'object') {
      counts.objectsByObjectType[record.objectTypeId] = (counts.objectsByObjectType[record.objectTypeId] ?? 0) + 1;
    }
  }

  /**
   * Flushes the open chunk and returns the state to resume from. Everything written before the
   * call is in the sink when it resolves, so a cursor saved with this state loses nothing.
   */
  async checkpoint(): Promise<SnapshotWriterState> {
    this.assertUsable();
    await this.flush(true);
    return this.state();
  }

  /** Flushes the last chunk and returns the manifest; the writer is closed afterwards. */
  async finish(opts: { completedAt?: string; warnings?: string[] } = {}): Promise<SnapshotManifest> {
    this.assertUsable();
    await this.flush(true);
    this.closed = true;
    const s = this.state();
    const manifest: SnapshotManifest = {
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      source: s.source,
      schema: s.schema,
      createdAt: s.createdAt,
      completedAt: opts.completedAt ?? new Date().toISOString(),
      options: s.options,
      counts: s.counts,
      chunks: s.chunks,
      contentSha256: s.contentHashState,
    };
    if (opts.warnings && opts.warnings.length > 0) manifest.warnings = [...opts.warnings];
    return manifest;
  }

  /** Resolves once no chunk upload is in flight, whatever its outcome; never rejects. */
  async settled(): Promise<void> {
    await this.inflight?.catch(() => undefined);
  }

  private state(): SnapshotWriterState {
    return {
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      source: { ...this.header.source },
      schema: { ...this.header.schema },
      options: { ...this.header.options },
      createdAt: this.header.createdAt,
      chunks: this.chunks.map((c) => ({ ...c })),
      counts: cloneCounts(this.committedCounts),
      contentHashState: this.committedHash,
    };
  }

  /**
   * Closes the open chunk and hands it to gzip and the sink. One chunk may be in flight while the
   * next one fills (compression and upload overlap with fetching); `wait` awaits it too.
   */
  private async flush(wait: boolean): Promise<void> {
    if (this.inflight) await this.inflight;
    this.assertUsable();
    if (this.pending.length > 0) {
      const raw = Buffer.concat(this.pending, this.pendingBytes);
      const records = this.pending.length;
      const hashAfter = this.chain.hex;
      const countsAfter = cloneCounts(this.pendingCounts);
      const seq = this.chunks.length;
      this.pending = [];
      this.pendingBytes = 0;
      const upload = (async () => {
        try {
          const gz = await gzipAsync(raw, { level: this.gzipLevel, chunkSize: DEFLATE_SLICE_BYTES });
          const sha256 = createHash('sha256').update(gz).digest('hex');
          const bytes = new Uint8Array(gz.buffer, gz.byteOffset, gz.byteLength);
          await this.sink.putChunk({ seq, bytes, records, sha256, uncompressedBytes: raw.length });
          this.chunks.push({ seq, bytes: gz.byteLength, records, sha256, uncompressedBytes: raw.length });
          this.committedCounts = countsAfter;
          this.committedHash = hashAfter;
        } catch (err) {
          // The chain already holds these records: only a resume from the last checkpoint is safe.
          this.failed = err;
          throw err;
        } finally {
          this.inflight = undefined;
        }
      })();
      // handled here so a failure waits for the next call instead of crashing the process
      upload.catch(() => undefined);
      this.inflight = upload;
    }
    if (wait && this.inflight) await this.inflight;
  }

  private assertUsable(): void {
    if (this.failed !== undefined) {
      throw new AppError('snapshot_writer_failed', 'A chunk upload failed; resume from the last checkpoint', 500, {
        cause: this.failed,
      });
    }
    if (this.closed) throw new AppError('snapshot_writer_closed', 'The snapshot writer is already finished', 500);
  }
}
