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
import { parseManifest, type SnapshotManifest } from './manifest.js';
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

const DEFAULT_MAX_UNCOMPRESSED = 64 * 1024 * 1024;
const NEWLINE = 0x0a;


function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function checkSizeAndHash(bytes: Uint8Array, expected: ExpectedChunk): string {
  const seqText = expected.seq === undefined ? 'Chunk' : `Chunk ${expected.seq}`;
  const opts = expected.seq === undefined ? {} : { seq: expected.seq };
  if (expected.bytes !== undefined && bytes.byteLength !== expected.bytes) {
    throw new SnapshotIntegrityError('chunk_size_mismatch', `${seqText} has ${bytes.byteLength} bytes, expected ${expected.bytes}`, opts);
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
  const limit = expected.uncompressedBytes ?? maxUncompressed;
  let raw: Buffer;
  try {
    raw = await gunzipAsync(bytes, { maxOutputLength: Math.max(1, limit) });
  } catch (err) {
    const tooLarge = (err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError;
    throw new SnapshotIntegrityError(tooLarge ? 'chunk_too_large' : 'chunk_corrupt',
      tooLarge ? `${seqText} inflates beyond ${limit} bytes` : `${seqText} is not valid gzip`, { ...opts, cause: err });
  }
  if (expected.uncompressedBytes !== undefined && raw.length !== expected.uncompressedBytes) {
    throw new SnapshotIntegrityError('chunk_size_mismatch', `${seqText} inflates to ${raw.length} bytes, expected ${expected.uncompressedBytes}`, opts);
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
export async function verifyChunk(bytes: Uint8Array, expected: ExpectedChunk, opts: { maxUncompressedBytes?: number } = {}): Promise<VerifiedChunk> {
  const sha256 = checkSizeAndHash(bytes, expected);
  if (expected.records === undefined) return { sha256, bytes: bytes.byteLength };
  const raw = await inflate(bytes, expected, opts.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED);
  const records = countLines(raw);
  if (records !== expected.records) {
    throw new SnapshotIntegrityError('chunk_record_count_mismatch', `Chunk${expected.seq === undefined ? '' : ` ${expected.seq}`} holds ${records} records, expected ${expected.records}`,
      expected.seq === undefined ? {} : { seq: expected.seq });
  }
  return { sha256, bytes: bytes.byteLength, records };
}

/**
 * Iterates the records of a snapshot in order, verifying as it goes. A consumer must treat the
 * snapshot as valid only once iteration completed: the content hash is checked after the last record.
 */
export async function* readSnapshot(manifestInput: SnapshotManifest, source: ChunkSource, opts: ReadSnapshotOptions = {}): AsyncGenerator<SnapshotRecord, void, undefined> {
  const manifest = parseManifest(manifestInput);
  const chain = new ContentHashChain();
  const byKind: Record<string, number> = {};
  const objectsByType: Record<string, number> = {};
  const maxUncompressed = opts.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED;

  for (const chunk of manifest.chunks) {
    const seq = chunk.seq;
    const bytes = await source.getChunk(seq);
    if (bytes === undefined || bytes === null) {
      throw new SnapshotIntegrityError('missing_chunk', `Chunk ${seq} is missing`, { seq });
    }
    checkSizeAndHash(bytes, chunk);
    const raw = await inflate(bytes, chunk, maxUncompressed);

    const records: SnapshotRecord[] = [];
    let start = 0;
    let lines = 0;
    while (start < raw.length) {
      const end = raw.indexOf(NEWLINE, start);
      const line = raw.subarray(start, end + 1);
      start = end + 1;
      lines++;
      chain.add(line);
      let parsed: unknown;
      try {
        parsed = JSON.parse(line.toString('utf8'));
      } catch (err) {
        throw new SnapshotIntegrityError('invalid_record', `Chunk ${seq} line ${lines} is not JSON`, { seq, cause: err });
      }
      const kind = (parsed as { kind?: unknown } | null)?.kind;
      if (typeof kind !== 'string' || typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new SnapshotIntegrityError('invalid_record', `Chunk ${seq} line ${lines} has no record kind`, { seq });
      }
      byKind[kind] = (byKind[kind] ?? 0) + 1;
      if (!isKnownRecordKind(kind)) {
        opts.onWarning?.({ code: 'unknown_record_kind', kind, seq });
        continue;
      }
      if (!recordChecks[kind].Check(parsed)) {
        const first = firstRecordError(kind, parsed);
        throw new SnapshotIntegrityError('invalid_record', `Chunk ${seq} line ${lines}: invalid ${kind} record at ${first.path}: ${first.message}`, { seq });
      }
      const record = parsed as SnapshotRecord;
      if (record.kind === 'object') objectsByType[record.objectTypeId] = (objectsByType[record.objectTypeId] ?? 0) + 1;
      records.push(record);
    }
    if (lines !== chunk.records) {
      throw new SnapshotIntegrityError('chunk_record_count_mismatch', `Chunk ${seq} holds ${lines} records, expected ${chunk.records}`, { seq });
    }
    yield* records;
  }

  if (chain.hex !== manifest.contentSha256) {
    throw new SnapshotIntegrityError('content_hash_mismatch', 'Snapshot content hash does not match the manifest');
  }
  const kinds = new Set([...Object.keys(byKind), ...Object.keys(manifest.counts.byKind)]);
  for (const kind of kinds) {
    if ((byKind[kind] ?? 0) !== (manifest.counts.byKind[kind] ?? 0)) {
      throw new SnapshotIntegrityError('count_mismatch', `Snapshot holds ${byKind[kind] ?? 0} ${kind} records, manifest says ${manifest.counts.byKind[kind] ?? 0}`);
    }
  }
  const types = new Set([...Object.keys(objectsByType), ...Object.keys(manifest.counts.objectsByObjectType)]);
  for (const t of types) {
    if ((objectsByType[t] ?? 0) !== (manifest.counts.objectsByObjectType[t] ?? 0)) {
      throw new SnapshotIntegrityError('count_mismatch', `Snapshot holds ${objectsByType[t] ?? 0} objects of type ${t}, manifest says ${manifest.counts.objectsByObjectType[t] ?? 0}`);
    }
  }
}
