/**
 * One verified snapshot chunk turned into browse rows: COPY text for the bulk tables, plain rows for the
 * structure. Pure and self-contained so it runs in a decode worker (decode-pool.ts) or inline.
 */
import { decodeChunk, DEFAULT_MAX_UNCOMPRESSED_BYTES, SnapshotIntegrityError, type ChunkInfo, type DecodedChunk, type ObjectRecord, type SnapshotRecord } from '@assets-vault/shared/snapshot';

/** Objects of chunk n get seq n × 2^20 + their index in it: ordered like the snapshot, no counting across chunks. */
export const SEQ_PER_CHUNK = 2 ** 20;

/** The stored attribute values of one object: exactly as in the snapshot record. */
export type StoredAttribute = ObjectRecord['attributes'][number];

/** The attributes column read back. */
export const parseStoredAttributes = (json: string) => JSON.parse(json) as StoredAttribute[];

export interface ObjectTypeRow { id: string; name: string; parent_id: string | null; position: number; object_count: number; abstract: boolean }
export interface AttributeRow { id: string; object_type_id: string; name: string; type: number; position: number }

export interface BrowseChunk extends Omit<DecodedChunk, 'records'> {
  objectTypes: ObjectTypeRow[];
  attributes: AttributeRow[];
  /** COPY text format (UTF-8), one line per row, columns as in COPY_COLUMNS; each owns its ArrayBuffer (transferable) */
  copy: { objects: Buffer; history: Buffer; issueRefs: Buffer };
}

export const COPY_COLUMNS = {
  objects: ['seq', 'id', 'object_key', 'label', 'object_type_id', 'created', 'updated', 'attributes', 'search_text'],
  history: ['object_id', 'entries'],
  issueRefs: ['object_id', 'issue_id', 'issue_key', 'field_id', 'field_name'],
} as const;

/**
 * COPY rows written straight into a growing UTF-8 buffer: no array of row strings to join and encode
 * later, and the result moves to the main thread without a copy.
 */
class CopyText {
  private buffer: Buffer;
  private length = 0;

  constructor(initialBytes: number) {
    // allocUnsafeSlow: never a slice of Node's shared pool, so it can be transferred
    this.buffer = Buffer.allocUnsafeSlow(Math.max(initialBytes, 1024));
  }

  add(row: string): void {
    const worst = row.length * 3;
    if (this.length + worst > this.buffer.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.length + worst));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.length += this.buffer.write(row, this.length);
  }

  done(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

const COPY_SPECIAL = /[\\\n\r\t\0]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\uFFFD' };

/** A COPY text field. NUL cannot be stored in Postgres text; the browse copy shows U+FFFD (the chunks keep the original). */
export function copyField(value: string): string {
  return COPY_SPECIAL.test(value) ? value.replace(/[\\\n\r\t\0]/g, (c) => COPY_ESCAPES[c]!) : value;
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

export async function decodeBrowseChunk(bytes: Uint8Array, chunk: ChunkInfo, opts: { maxUncompressedBytes?: number } = {}): Promise<BrowseChunk> {
  if (chunk.records >= SEQ_PER_CHUNK) {
    throw new SnapshotIntegrityError('chunk_too_large', `Chunk ${chunk.seq} holds ${chunk.records} records; the vault accepts fewer than ${SEQ_PER_CHUNK}`, { seq: chunk.seq });
  }
  const objectTypes: ObjectTypeRow[] = [];
  const attributes: AttributeRow[] = [];
  // rows take about as many bytes as their records (the declared size is only trusted up to the inflate limit)
  const objects = new CopyText(Math.min(chunk.uncompressedBytes ?? bytes.length * 4, opts.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED_BYTES));
  const history = new CopyText(0);
  const issueRefs = new CopyText(0);
  let seq = chunk.seq * SEQ_PER_CHUNK;
  // each record becomes its rows as it is parsed: one parsed record in memory at a time
  const onRecord = (record: SnapshotRecord, line: string) => {
    switch (record.kind) {
      case 'objectType':
        objectTypes.push({
          id: record.id, name: record.name, parent_id: record.parentObjectTypeId ?? null, position: record.position, object_count: 0, abstract: record.abstractObjectType,
        });
        break;
      case 'attribute':
        attributes.push({ id: record.id, object_type_id: record.objectTypeId, name: record.name, type: record.type, position: record.position });
        break;
      case 'object': {
        const json = attributesJson(line) ?? JSON.stringify(record.attributes);
        objects.add(`${seq++}\t${copyField(record.id)}\t${copyField(record.objectKey)}\t${copyField(record.label)}\t${copyField(record.objectTypeId)}\t`
          + `${copyField(record.created)}\t${copyField(record.updated)}\t${copyField(json)}\t${copyField(searchText(record.label, record.objectKey, record.attributes))}\n`);
        break;
      }
      case 'history':
        history.add(`${copyField(record.objectId)}\t${copyField(JSON.stringify(record.entries))}\n`);
        break;
      case 'issueRef': {
        const rest = `\t${copyField(record.issueId)}\t${copyField(record.issueKey)}\t${copyField(record.fieldId)}\t${copyField(record.fieldName)}\n`;
        for (const objectId of record.objectIds) issueRefs.add(copyField(objectId) + rest);
        break;
      }
      default:
        break;
    }
  };
  const { records: _none, ...decoded } = await decodeChunk(bytes, chunk, { ...opts, onRecord });
  return { ...decoded, objectTypes, attributes, copy: { objects: objects.done(), history: history.done(), issueRefs: issueRefs.done() } };
}
