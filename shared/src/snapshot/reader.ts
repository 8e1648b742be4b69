/**
 * Streaming snapshot reader. Each chunk is checked (present, byte size, SHA-256, gzip, record
 * count) before any of its records is yielded; after the last chunk the content hash chain and
 * the per-kind counts are compared with the manifest. Memory holds one chunk at a time.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { ContentHashChain } from './content-hash.js';
import { SnapshotIntegrityError } from './errors.js';
import { parseManifest, type ChunkInfo, type SnapshotManifest } from './manifest.js';
import { isKnownRecordKind, type SnapshotRecord } from './records.js';
import { firstRecordError, recordChecks } from './validate.js';

const gunzipAsync = promisify(gunzip);

/** Where a reader gets chunk bytes; `undefined` means the chunk does not exist. */
export interface ChunkSource {
  getChunk(seq: number): Promise<Uint8Array | undefined>;
}

export interface SnapshotWarning {
  code: 'unknown_record_kind';
  kind: string;
  seq: number;
}

export interface ReadSnapshotOptions {
  /** unknown record kinds (from a newer writer) are skipped and reported here */
  onWarning?: (warning: SnapshotWarning) => void;
  /** refuse chunks that inflate beyond this when the manifest gives no size; default 64 MiB */
  maxUncompressedBytes?: number;
}

export interface ExpectedChunk {
  sha256: string;
  /** gzip byte size */
  bytes?: number;
  /** when given, the chunk is decompressed and its lines counted */
  records?: number;
  uncompressedBytes?: number;
  seq?: number;
}

export interface VerifiedChunk {
  sha256: string;
  bytes: number;
  records?: number;
}

/** The most one chunk may inflate to unless a reader sets its own limit. */
export const DEFAULT_MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024;
const NEWLINE = 0x0a;
/**
 * Output slice of the async inflate: zlib's default (16 KiB) costs a thread-pool round trip and a copy per
 * slice, about five times the CPU of inflating a 4 MB chunk in 1 MiB slices.
 */
const INFLATE_SLICE_BYTES = 1024 * 1024;

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function checkSizeAndHash(bytes: Uint8Array, expected: ExpectedChunk): string {
  const seqText = expected.seq === undefined ? 'Chunk' : `Chunk ${expected.seq}`;
  const opts = expected.seq === undefined ? {} : { seq: expected.seq };
  if (expected.bytes !== undefined && bytes.byteLength !== expected.bytes) {
    throw new SnapshotIntegrityError(
      'chunk_size_mismatch',
      `${seqText} has ${bytes.byteLength} bytes, expected ${expected.bytes}`,
      opts,
    );
  }
  const actual = sha256Hex(bytes);
  if (actual !== expected.sha256.toLowerCase()) {
    throw new SnapshotIntegrityError('chunk_hash_mismatch', `${seqText} SHA-256 does not match`, opts);
  }
  return actual;
}

async function inflate(bytes: Uint8Array, expected: ExpectedChunk, maxUncompressed: number): Promise<Buffer> {
  const opts = expected.seq === undefined ? {} : { seq: expected.seq };
  const seqText = expected.seq === undefined ? 'Chunk' : `Chunk ${expected.seq}`;
  // the declared size narrows the limit, never widens it: a manifest is no licence to inflate gigabytes
  const limit = Math.min(expected.uncompressedBytes ?? maxUncompressed, maxUncompressed);
  let raw: Buffer;
  try {
    raw = await gunzipAsync(bytes, {
      maxOutputLength: Math.max(1, limit),
      chunkSize: Math.max(64 * 1024, Math.min(limit, INFLATE_SLICE_BYTES)),
    });
  } catch (err) {
    const tooLarge = (err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError;
    throw new SnapshotIntegrityError(
      tooLarge ? 'chunk_too_large' : 'chunk_corrupt',
      tooLarge ? `${seqText} inflates beyond ${limit} bytes` : `${seqText} is not valid gzip`,
      { ...opts, cause: err },
    );
  }
  if (expected.uncompressedBytes !== undefined && raw.length !== expected.uncompressedBytes) {
    throw new SnapshotIntegrityError(
      'chunk_size_mismatch',
      `${seqText} inflates to ${raw.length} bytes, expected ${expected.uncompressedBytes}`,
      opts,
    );
  }
  if (raw.length > 0 && raw[raw.length - 1] !== NEWLINE) {
    throw new SnapshotIntegrityError('chunk_corrupt', `${seqText} does not end with a newline`, opts);
  }
  return raw;
}

function countLines(raw: Buffer): number {
  let n = 0;
  for (let i = raw.indexOf(NEWLINE); i >= 0; i = raw.indexOf(NEWLINE, i + 1)) n++;
  return n;
}

/**
 * Checks one chunk as it arrives (the vault's upload route): byte size and SHA-256, and when
 * `expected.records` is given, that it is valid gzip NDJSON with that many lines.
 */
export async function verifyChunk(
  bytes: Uint8Array,
  expected: ExpectedChunk,
  opts: { maxUncompressedBytes?: number } = {},
): Promise<VerifiedChunk> {
  const sha256 = checkSizeAndHash(bytes, expected);
  if (expected.records === undefined) return { sha256, bytes: bytes.byteLength };
  const raw = await inflate(bytes, expected, opts.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED_BYTES);
  const records = countLines(raw);
  if (records !== expected.records) {
    throw new SnapshotIntegrityError(
      'chunk_record_count_mismatch',
      `Chunk${expected.seq === undefined ? '' : ` ${expected.seq}`} holds ${records} records, expected ${expected.records}`,
      expected.seq === undefined ? {} : { seq: expected.seq },
    );
  }
  return { sha256, bytes: bytes.byteLength, records };
}

/** One chunk checked and parsed: its inflated bytes (for the content hash chain), records and counts. */
export interface DecodedChunk {
  raw: Buffer;
  /** empty when the caller took each record with `onRecord` */
  records: SnapshotRecord[];
  /** every record kind seen, unknown ones included */
  byKind: Record<string, number>;
  objectsByType: Record<string, number>;
  warnings: SnapshotWarning[];
}

/**
 * Checks one stored chunk against its manifest entry (size, SHA-256, gzip, trailing newline, record
 * count) and parses and validates every record. Pure: runs as well in a worker thread as inline.
 */
export interface DecodeChunkOptions {
  maxUncompressedBytes?: number;
  /**
   * Takes each valid record with its JSON text instead of collecting them (memory stays at one record).
   * The chunk is verified only when decodeChunk resolves: a consumer discards what it built if it throws.
   */
  onRecord?: (record: SnapshotRecord, line: string) => void;
}

export async function decodeChunk(
  bytes: Uint8Array,
  chunk: ChunkInfo,
  opts: DecodeChunkOptions = {},
): Promise<DecodedChunk> {
  const seq = chunk.seq;
  checkSizeAndHash(bytes, chunk);
  const raw = await inflate(bytes, chunk, opts.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED_BYTES);
  const decoded: DecodedChunk = { raw, records: [], byKind: {}, objectsByType: {}, warnings: [] };
  let start = 0;
  let lines = 0;
  while (start < raw.length) {
    const end = raw.indexOf(NEWLINE, start);
    const line = raw.toString('utf8', start, end);
    start = end + 1;
    lines++;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (err) {
      throw new SnapshotIntegrityError('invalid_record', `Chunk ${seq} line ${lines} is not JSON`, { seq, cause: err });
    }
    const kind = (parsed as { kind?: unknown } | null)?.kind;
    if (typeof kind !== 'string' || typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new SnapshotIntegrityError('invalid_record', `Chunk ${seq} line ${lines} has no record kind`, { seq });
    }
    decoded.byKind[kind] = (decoded.byKind[kind] ?? 0) + 1;
    if (!isKnownRecordKind(kind)) {
      decoded.warnings.push({ code: 'unknown_record_kind', kind, seq });
      continue;
    }
    if (!recordChecks[kind].Check(parsed)) {
      const first = firstRecordError(kind, parsed);
      throw new SnapshotIntegrityError(
        'invalid_record',
        `Chunk ${seq} line ${lines}: invalid ${kind} record at ${first.path}: ${first.message}`,
        { seq },
      );
    }
    const record = parsed as SnapshotRecord;
    if (record.kind === 'object')
      decoded.objectsByType[record.objectTypeId] = (decoded.objectsByType[record.objectTypeId] ?? 0) + 1;
    if (opts.onRecord) opts.onRecord(record, line);
    else decoded.records.push(record);
  }
  if (lines !== chunk.records) {
    throw new SnapshotIntegrityError(
      'chunk_record_count_mismatch',
      `Chunk ${seq} holds ${lines} records, expected ${chunk.records}`,
      { seq },
    );
  }
  return decoded;
}

/**
 * What is checked across chunks: the content hash chain over every record line and the counts per kind
 * and per object type. Chunks must be added in manifest order; `finish()` throws on any mismatch.
 */
export class SnapshotVerifier {
  private readonly chain = new ContentHashChain();
  private readonly byKind: Record<string, number> = {};
  private readonly objectsByType: Record<string, number> = {};

  constructor(private readonly manifest: SnapshotManifest) {}

  addChunk(raw: Uint8Array, counts: Pick<DecodedChunk, 'byKind' | 'objectsByType'>): void {
    this.addLines(raw);
    this.addCounts(counts);
  }

  /** The chain over whole lines, in order; a caller may split a chunk at line ends to stay responsive. */
  addLines(lines: Uint8Array): void {
    this.chain.addLines(lines);
  }

  addCounts(counts: Pick<DecodedChunk, 'byKind' | 'objectsByType'>): void {
    for (const [kind, n] of Object.entries(counts.byKind)) this.byKind[kind] = (this.byKind[kind] ?? 0) + n;
    for (const [type, n] of Object.entries(counts.objectsByType))
      this.objectsByType[type] = (this.objectsByType[type] ?? 0) + n;
  }

  finish(): void {
    const { manifest, byKind, objectsByType } = this;
    if (this.chain.hex !== manifest.contentSha256) {
      throw new SnapshotIntegrityError('content_hash_mismatch', 'Snapshot content hash does not match the manifest');
    }
    const kinds = new Set([...Object.keys(byKind), ...Object.keys(manifest.counts.byKind)]);
    for (const kind of kinds) {
      if ((byKind[kind] ?? 0) !== (manifest.counts.byKind[kind] ?? 0)) {
        throw new SnapshotIntegrityError(
          'count_mismatch',
          `Snapshot holds ${byKind[kind] ?? 0} ${kind} records, manifest says ${manifest.counts.byKind[kind] ?? 0}`,
        );
      }
    }
    const types = new Set([...Object.keys(objectsByType), ...Object.keys(manifest.counts.objectsByObjectType)]);
    for (const t of types) {
      if ((objectsByType[t] ?? 0) !== (manifest.counts.objectsByObjectType[t] ?? 0)) {
        throw new SnapshotIntegrityError(
          'count_mismatch',
          `Snapshot holds ${objectsByType[t] ?? 0} objects of type ${t}, manifest says ${manifest.counts.objectsByObjectType[t] ?? 0}`,
        );
      }
    }
  }
}

/** A chunk's bytes from its source; a missing chunk is an integrity error. */
export async function fetchChunk(source: ChunkSource, seq: number): Promise<Uint8Array> {
  const bytes = await source.getChunk(seq);
  if (bytes === undefined || bytes === null)
    throw new SnapshotIntegrityError('missing_chunk', `Chunk ${seq} is missing`, { seq });
  return bytes;
}

/**
 * Iterates the records of a snapshot in order, verifying as it goes. A consumer must treat the
 * snapshot as valid only once iteration completed: the content hash is checked after the last record.
 */
export async function* readSnapshot(
  manifestInput: SnapshotManifest,
  source: ChunkSource,
  opts: ReadSnapshotOptions = {},
): AsyncGenerator<SnapshotRecord, void, undefined> {
  const manifest = parseManifest(manifestInput);
  const verifier = new SnapshotVerifier(manifest);
  for (const chunk of manifest.chunks) {
    const decoded = await decodeChunk(await fetchChunk(source, chunk.seq), chunk, opts);
    for (const warning of decoded.warnings) opts.onWarning?.(warning);
    verifier.addChunk(decoded.raw, decoded);
    yield* decoded.records;
  }
  verifier.finish();
}
