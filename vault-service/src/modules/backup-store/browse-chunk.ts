/**
 * One verified snapshot chunk turned into browse rows: COPY binary data for the bulk tables, plain rows for the
 * structure. Pure and self-contained so it runs in a decode worker (decode-pool.ts) or inline.
 */
import {
  decodeChunk,
  DEFAULT_MAX_UNCOMPRESSED_BYTES,
  SnapshotIntegrityError,
  type ChunkInfo,
  type DecodedChunk,
  type ObjectRecord,
  type SnapshotRecord,
} from '@assets-vault/shared/snapshot';

/** Objects of chunk n get seq n × 2^20 + their index in it: ordered like the snapshot, no counting across chunks. */
export const SEQ_PER_CHUNK = 2 ** 20;

/** The stored attribute values of one object: exactly as in the snapshot record. */
export type StoredAttribute = ObjectRecord['attributes'][number];

/** The attributes column read back. */
export const parseStoredAttributes = (json: string) => JSON.parse(json) as StoredAttribute[];

export interface ObjectTypeRow {
  id: string;
  name: string;
  parent_id: string | null;
  position: number;
  object_count: number;
  abstract: boolean;
}
export interface AttributeRow {
  id: string;
  object_type_id: string;
  name: string;
  type: number;
  position: number;
}

export interface BrowseChunk extends Omit<DecodedChunk, 'records'> {
  objectTypes: ObjectTypeRow[];
  attributes: AttributeRow[];
  /** COPY binary format, one tuple per row, columns as in COPY_COLUMNS (empty when there are no rows); each owns its ArrayBuffer (transferable) */
  copy: { objects: Buffer; history: Buffer; issueRefs: Buffer };
}

export const COPY_COLUMNS = {
  objects: ['seq', 'id', 'object_key', 'label', 'object_type_id', 'created', 'updated', 'attributes', 'search_text'],
  history: ['object_id', 'entries'],
  issueRefs: ['object_id', 'issue_id', 'issue_key', 'field_id', 'field_name'],
} as const;

const COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** 2000-01-01T00:00:00Z, where Postgres counts timestamps from */
const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);
const TWO_POW_32 = 2 ** 32;

/**
 * COPY rows in Postgres's binary format, written straight into a growing buffer: Postgres reads
 * length-prefixed fields instead of scanning text for delimiters and escapes (a third less of its CPU
 * on a load), there is no escaping to do here, and the result moves to the main thread without a copy.
 */
class CopyBinary {
  private buffer: Buffer;
  private length = 0;
  private rows = 0;

  constructor(initialBytes: number) {
    // allocUnsafeSlow: never a slice of Node's shared pool, so it can be transferred
    this.buffer = Buffer.allocUnsafeSlow(Math.max(initialBytes, 1024));
    this.length = COPY_SIGNATURE.copy(this.buffer, 0);
    this.length = this.buffer.writeInt32BE(0, this.length); // flags
    this.length = this.buffer.writeInt32BE(0, this.length); // header extension length
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  row(fields: number): this {
    this.reserve(2);
    this.length = this.buffer.writeInt16BE(fields, this.length);
    this.rows++;
    return this;
  }

  /** NUL cannot be stored in Postgres text: the browse copy shows U+FFFD (the chunks keep the original) */
  text(value: string): this {
    const stored = value.includes('\0') ? value.replaceAll('\0', '\uFFFD') : value;
    this.reserve(4 + stored.length * 3);
    const written = this.buffer.write(stored, this.length + 4);
    this.buffer.writeInt32BE(written, this.length);
    this.length += 4 + written;
    return this;
  }

  int64(value: number): this {
    this.reserve(12);
    const high = Math.floor(value / TWO_POW_32);
    this.length = this.buffer.writeInt32BE(8, this.length);
    this.length = this.buffer.writeInt32BE(high, this.length);
    this.length = this.buffer.writeUInt32BE(value - high * TWO_POW_32, this.length);
    return this;
  }

  /** timestamptz: microseconds since the Postgres epoch */
  timestamp(ms: number): this {
    return this.int64((ms - POSTGRES_EPOCH_MS) * 1000);
  }

  /** The COPY data with its trailer, or an empty buffer when no row was added. */
  done(): Buffer {
    if (this.rows === 0) return Buffer.alloc(0);
    this.reserve(2);
    this.length = this.buffer.writeInt16BE(-1, this.length);
    return this.buffer.subarray(0, this.length);
  }
}

const ATTRIBUTES_PREFIX = '{"attributes":';

/**
 * The attributes array of an object record's JSON line, as written: canonical JSON puts `attributes`
 * first, so the array is cut out by bracket matching instead of serialising the parsed value again
 * (which cost as much as parsing). Strings are skipped with indexOf. Undefined when the line is not
 * laid out that way (the caller serialises instead).
 */
export function attributesJson(line: string): string | undefined {
  const start = ATTRIBUTES_PREFIX.length;
  if (!line.startsWith(ATTRIBUTES_PREFIX) || line.charCodeAt(start) !== 0x5b) return undefined;
  let depth = 0;
  let i = start;
  for (;;) {
    const quote = line.indexOf('"', i);
    const stop = quote < 0 ? line.length : quote;
    for (; i < stop; i++) {
      const c = line.charCodeAt(i);
      if (c === 0x5b || c === 0x7b) depth++;
      else if ((c === 0x5d || c === 0x7d) && --depth === 0) return line.slice(start, i + 1);
    }
    if (quote < 0) return undefined;
    // the closing quote is the next one preceded by an even number of backslashes
    let end = quote;
    for (;;) {
      end = line.indexOf('"', end + 1);
      if (end < 0) return undefined;
      let backslashes = 0;
      while (line.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++;
      if (backslashes % 2 === 0) break;
    }
    i = end + 1;
  }
}

export function searchText(label: string, key: string, attributes: StoredAttribute[]): string {
  let text = `${label} ${key}`;
  for (const a of attributes) for (const v of a.objectAttributeValues) text += ` ${v.displayValue}`;
  return text.toLowerCase();
}

export async function decodeBrowseChunk(
  bytes: Uint8Array,
  chunk: ChunkInfo,
  opts: { maxUncompressedBytes?: number } = {},
): Promise<BrowseChunk> {
  if (chunk.records >= SEQ_PER_CHUNK) {
    throw new SnapshotIntegrityError(
      'chunk_too_large',
      `Chunk ${chunk.seq} holds ${chunk.records} records; the vault accepts fewer than ${SEQ_PER_CHUNK}`,
      { seq: chunk.seq },
    );
  }
  const objectTypes: ObjectTypeRow[] = [];
  const attributes: AttributeRow[] = [];
  // rows take about as many bytes as their records (the declared size is only trusted up to the inflate limit)
  const objects = new CopyBinary(
    Math.min(chunk.uncompressedBytes ?? bytes.length * 4, opts.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED_BYTES),
  );
  const history = new CopyBinary(0);
  const issueRefs = new CopyBinary(0);
  // the record check guarantees the ISO layout; Date.parse would roll 30 February over into March
  const time = (value: string, field: string, objectId: string) => {
    const ms = Date.parse(value);
    if (Number.isNaN(ms) || new Date(ms).getUTCDate() !== Number(value.slice(8, 10)))
      throw new SnapshotIntegrityError(
        'invalid_record',
        `Chunk ${chunk.seq}: object ${objectId} has an impossible ${field} time`,
        { seq: chunk.seq },
      );
    return ms;
  };
  let seq = chunk.seq * SEQ_PER_CHUNK;
  // each record becomes its rows as it is parsed: one parsed record in memory at a time
  const onRecord = (record: SnapshotRecord, line: string) => {
    switch (record.kind) {
      case 'objectType':
        objectTypes.push({
          id: record.id,
          name: record.name,
          parent_id: record.parentObjectTypeId ?? null,
          position: record.position,
          object_count: 0,
          abstract: record.abstractObjectType,
        });
        break;
      case 'attribute':
        attributes.push({
          id: record.id,
          object_type_id: record.objectTypeId,
          name: record.name,
          type: record.type,
          position: record.position,
        });
        break;
      case 'object': {
        const json = attributesJson(line) ?? JSON.stringify(record.attributes);
        objects
          .row(COPY_COLUMNS.objects.length)
          .int64(seq++)
          .text(record.id)
          .text(record.objectKey)
          .text(record.label)
          .text(record.objectTypeId)
          .timestamp(time(record.created, 'created', record.id))
          .timestamp(time(record.updated, 'updated', record.id))
          .text(json)
          .text(searchText(record.label, record.objectKey, record.attributes));
        break;
      }
      case 'history':
        history.row(COPY_COLUMNS.history.length).text(record.objectId).text(JSON.stringify(record.entries));
        break;
      case 'issueRef': {
        for (const objectId of record.objectIds) {
          issueRefs
            .row(COPY_COLUMNS.issueRefs.length)
            .text(objectId)
            .text(record.issueId)
            .text(record.issueKey)
            .text(record.fieldId)
            .text(record.fieldName);
        }
        break;
      }
      default:
        break;
    }
  };
  const { records: _none, ...decoded } = await decodeChunk(bytes, chunk, { ...opts, onRecord });
  return {
    ...decoded,
    objectTypes,
    attributes,
    copy: { objects: objects.done(), history: history.done(), issueRefs: issueRefs.done() },
  };
}
