/**
 * An in-memory stand-in for the Forge KVS service, speaking the wire protocol that @forge/kvs
 * 1.6.5's StorageApi uses (`POST /api/v1/get|set|delete|query|transaction`, JSON bodies, errors as
 * `{ code, message }`). The real @forge/kvs client code runs on top of it, both in the local
 * harness (through `__forge_fetch__`) and in the jest tests. Limits follow forge.md §8 so the app
 * meets them here before it meets them in Forge: key pattern and length, 240 KiB per value.
 */

const KEY_PATTERN = /^(?!\s+$)[a-zA-Z0-9:._\s\-#]+$/;
const MAX_KEY_LENGTH = 500;
const MAX_VALUE_BYTES = 240 * 1024;
const MAX_QUERY_LIMIT = 100;
const DEFAULT_QUERY_LIMIT = 10;

interface Entry {
  value: unknown;
  createdAt: number;
  updatedAt: number;
  expiresAt?: number;
}

type Body = Record<string, unknown>;

class KvsFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const TTL_UNIT_MS: Record<string, number> = { SECONDS: 1000, MINUTES: 60_000, HOURS: 3_600_000, DAYS: 86_400_000 };

export class MemoryKvs {
  private readonly entries = new Map<string, Entry>();
  private readonly secrets = new Map<string, Entry>();
  /** Every request path handled, for tests that check what the app asked for. */
  readonly calls: string[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** The `(path, init) => Response` function @forge/kvs expects from its api client. */
  readonly fetch = async (path: string, init?: { body?: unknown }): Promise<Response> => {
    this.calls.push(path);
    try {
      const body = typeof init?.body === 'string' && init.body.length > 0 ? (JSON.parse(init.body) as Body) : {};
      const result = this.handle(path, body);
      if (result === undefined) return new Response(null, { status: 204 });
      return Response.json(result, { status: 200 });
    } catch (err) {
      if (err instanceof KvsFailure)
        return Response.json({ code: err.code, message: err.message }, { status: err.status });
      throw err;
    }
  };

  /** A copy of every live key and value (for tests and the harness's state file). */
  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of this.entries) if (this.isLive(entry)) out[key] = structuredClone(entry.value);
    return out;
  }

  load(values: Record<string, unknown>): void {
    const at = this.now();
    for (const [key, value] of Object.entries(values))
      this.entries.set(key, { value: structuredClone(value), createdAt: at, updatedAt: at });
  }

  private isLive(entry: Entry): boolean {
    return entry.expiresAt === undefined || entry.expiresAt > this.now();
  }

  private handle(path: string, body: Body): unknown {
    switch (path) {
      case '/api/v1/get':
        return this.get(this.entries, body);
      case '/api/v1/secret/get':
        return this.get(this.secrets, body);
      case '/api/v1/set':
        return this.set(this.entries, body);
      case '/api/v1/secret/set':
        return this.set(this.secrets, body);
      case '/api/v1/delete':
        return this.delete(this.entries, body);
      case '/api/v1/secret/delete':
        return this.delete(this.secrets, body);
      case '/api/v1/query':
        return this.query(body);
      case '/api/v1/transaction':
        return this.transaction(body);
      default:
        throw new KvsFailure(404, 'NOT_FOUND', `The local KVS does not implement ${path}`);
    }
  }

  private key(body: Body): string {
    const key = body.key;
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH || !KEY_PATTERN.test(key)) {
      throw new KvsFailure(400, 'INVALID_KEY', `Invalid key ${JSON.stringify(key)}`);
    }
    return key;
  }

  private get(store: Map<string, Entry>, body: Body): unknown {
    const key = this.key(body);
    const entry = store.get(key);
    if (!entry || !this.isLive(entry)) throw new KvsFailure(404, 'KEY_NOT_FOUND', 'Key not found');
    return { key, value: structuredClone(entry.value), createdAt: entry.createdAt, updatedAt: entry.updatedAt };
  }

  private checkedValue(body: Body): unknown {
    if (!('value' in body)) throw new KvsFailure(400, 'INVALID_VALUE', 'A value is required');
    const size = Buffer.byteLength(JSON.stringify(body.value));
    if (size > MAX_VALUE_BYTES)
      throw new KvsFailure(413, 'MAX_SIZE', `Value of ${size} bytes exceeds ${MAX_VALUE_BYTES}`);
    return structuredClone(body.value);
  }

  private set(store: Map<string, Entry>, body: Body): unknown {
    const key = this.key(body);
    const value = this.checkedValue(body);
    const options = (body.options ?? {}) as {
      ttl?: { value: number; unit: string };
      keyPolicy?: string;
      returnValue?: string;
    };
    const previous = store.get(key);
    const live = previous !== undefined && this.isLive(previous);
    if (options.keyPolicy === 'FAIL_IF_EXISTS' && live)
      throw new KvsFailure(409, 'KEY_ALREADY_EXISTS', 'Key already exists');
    const at = this.now();
    const entry: Entry = { value, createdAt: live ? previous.createdAt : at, updatedAt: at };
    if (options.ttl) entry.expiresAt = at + options.ttl.value * (TTL_UNIT_MS[options.ttl.unit] ?? 1000);
    store.set(key, entry);
    if (options.returnValue === 'PREVIOUS') return live ? { key, value: previous.value } : undefined;
    if (options.returnValue === 'LATEST') return { key, value };
    return undefined;
  }

  private delete(store: Map<string, Entry>, body: Body): unknown {
    store.delete(this.key(body));
    return undefined;
  }

  private query(body: Body): unknown {
    const where = Array.isArray(body.where) ? (body.where as Array<{ condition?: string; values?: unknown[] }>) : [];
    const prefix = where[0]?.condition === 'BEGINS_WITH' ? String(where[0].values?.[0] ?? '') : '';
    const limit = Math.min(MAX_QUERY_LIMIT, typeof body.limit === 'number' ? body.limit : DEFAULT_QUERY_LIMIT);
    const after = typeof body.after === 'string' ? body.after : undefined;
    const keys = [...this.entries.keys()]
      .filter((key) => key.startsWith(prefix) && this.isLive(this.entries.get(key) as Entry))
      .sort()
      .filter((key) => after === undefined || key > after);
    const page = keys.slice(0, limit);
    const data = page.map((key) => ({ key, value: structuredClone((this.entries.get(key) as Entry).value) }));
    return keys.length > limit ? { data, cursor: page[page.length - 1] } : { data };
  }

  private transaction(body: Body): unknown {
    const sets = Array.isArray(body.set) ? (body.set as Body[]) : [];
    const deletes = Array.isArray(body.delete) ? (body.delete as Body[]) : [];
    // Validate everything first: a transaction applies completely or not at all.
    const prepared = sets.map((item) => ({ key: this.key(item), value: this.checkedValue(item) }));
    const deleted = deletes.map((item) => this.key(item));
    const at = this.now();
    for (const { key, value } of prepared) {
      const previous = this.entries.get(key);
      this.entries.set(key, { value, createdAt: previous?.createdAt ?? at, updatedAt: at });
    }
    for (const key of deleted) this.entries.delete(key);
    return undefined;
  }
}
