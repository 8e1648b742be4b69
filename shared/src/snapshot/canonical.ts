/**
 * Canonical JSON for snapshot lines: object keys sorted by UTF-16 code units, no whitespace,
 * undefined members dropped, numbers and strings as JSON.stringify writes them. For the JSON values
 * a record can hold this is RFC 8785 (JCS), so equal records always give equal bytes and hashes.
 */
export function canonicalJson(value: unknown): string {
  return write(value);
}

// Record keys repeat on every line: quote each once.
const quotedKeys = new Map<string, string>();
function quoteKey(key: string): string {
  let q = quotedKeys.get(key);
  if (q === undefined) {
    q = JSON.stringify(key);
    if (quotedKeys.size < 10_000) quotedKeys.set(key, q);
  }
  return q;
}

// String concatenation (V8 ropes) measured ~3x faster here than collecting parts in an array.
function write(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot hold NaN or Infinity');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const item: unknown = value[i];
          // JSON.stringify turns undefined array items into null; so do we
          out += item === undefined ? 'null' : write(item);
        }
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      keys.sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const member = record[key];
        if (member === undefined) continue;
        out += `${first ? '' : ','}${quoteKey(key)}:${write(member)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}
