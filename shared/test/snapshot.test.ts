import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ConflictError } from '../src/errors.js';
import type { AssetObject, ObjectHistory } from '../src/model/index.js';
import {
  ContentHashChain,
  InvalidSnapshotRecordError,
  SnapshotIntegrityError,
  SnapshotWriter,
  canonicalJson,
  createDirectoryChunkStore,
  createMemoryChunkStore,
  parseManifest,
  readSnapshot,
  toHistoryRecord,
  toObjectRecord,
  verifyChunk,
} from '../src/snapshot/index.js';
import type {
  ChunkSource,
  SnapshotHeader,
  SnapshotIntegrityCode,
  SnapshotManifest,
  SnapshotRecord,
  SnapshotWarning,
  SnapshotWriterOptions,
} from '../src/snapshot/index.js';

const header: SnapshotHeader = {
  source: {
    cloudId: 'c0ffee00-0000-4000-8000-000000000001',
    siteUrl: 'https://acme.atlassian.net',
    workspaceId: 'ws-1',
  },
  schema: { id: '7', name: 'IT Assets', key: 'ITA' },
  options: { history: true, icons: false, issueRefs: true },
  createdAt: '2026-01-02T03:04:05.678Z',
};

/** A deterministic, varied record stream: structure first, then objects, histories and issue refs. */
function sampleRecords(objects: number): SnapshotRecord[] {
  const out: SnapshotRecord[] = [
    {
      kind: 'schema',
      id: '7',
      name: 'IT Assets',
      objectSchemaKey: 'ITA',
      created: '2025-01-01T00:00:00.000Z',
      updated: '2025-06-01T00:00:00.000Z',
      objectCount: objects,
      objectTypeCount: 3,
    },
    { kind: 'schemaConfig', allowOtherObjectSchema: false },
    { kind: 'statusType', id: '1', name: 'Active', category: 1 },
    { kind: 'referenceType', id: '4', name: 'Reference', color: '2f7fd1' },
  ];
  for (const t of ['10', '11', '12']) {
    out.push({
      kind: 'objectType',
      id: t,
      name: `Type ${t}`,
      icon: { id: '57', name: 'Laptop' },
      position: Number(t) - 10,
      created: '2025-01-01T00:00:00.000Z',
      updated: '2025-01-01T00:00:00.000Z',
      objectCount: 0,
      inherited: false,
      abstractObjectType: false,
      parentObjectTypeInherited: false,
    });
    out.push({
      kind: 'attribute',
      id: `${t}1`,
      objectTypeId: t,
      name: 'Name',
      label: true,
      type: 0,
      defaultType: { id: 0, name: 'Text' },
      indexed: true,
      position: 1,
    });
  }
  for (let i = 1; i <= objects; i++) {
    const typeId = String(10 + (i % 3));
    out.push({
      kind: 'object',
      id: String(1000 + i),
      objectKey: `ITA-${1000 + i}`,
      label: `host-${i} ✓ ünïcode`,
      objectTypeId: typeId,
      created: '2025-02-03T04:05:06.007Z',
      updated: '2025-02-03T04:05:06.007Z',
      timestamp: 1738555506007 + i,
      hasAvatar: false,
      attributes: [
        {
          objectTypeAttributeId: `${typeId}1`,
          objectAttributeValues: [{ value: `host-${i} ✓ ünïcode`, displayValue: `host-${i} ✓ ünïcode` }],
        },
        ...(i > 1
          ? [
              {
                objectTypeAttributeId: '99',
                objectAttributeValues: [
                  {
                    displayValue: `host-${i - 1}`,
                    searchValue: `ITA-${999 + i}`,
                    referencedType: true,
                    referencedObject: {
                      id: String(999 + i),
                      objectKey: `ITA-${999 + i}`,
                      label: `host-${i - 1}`,
                      objectTypeId: '10',
                    },
                  },
                ],
              },
            ]
          : []),
        {
          objectTypeAttributeId: '98',
          objectAttributeValues: [{ value: 'x'.repeat(i % 200), displayValue: 'x'.repeat(i % 200) }],
        },
      ],
    });
  }
  for (let i = 1; i <= objects; i += 7) {
    out.push({
      kind: 'history',
      objectId: String(1000 + i),
      entries: [
        { id: String(i), type: 0, created: '2025-02-03T04:05:06.007Z', actor: { key: 'acc-1', displayName: 'Ana' } },
      ],
    });
  }
  out.push({
    kind: 'issueRef',
    issueId: '20417',
    issueKey: 'SUP-731',
    fieldId: 'customfield_10191',
    fieldName: 'Affected hardware',
    objectIds: ['1001', '1002'],
  });
  return out;
}

async function writeAll(records: SnapshotRecord[], opts: Partial<SnapshotWriterOptions> = {}) {
  const store = createMemoryChunkStore();
  const writer = SnapshotWriter.create(header, { sink: store, ...opts });
  for (const r of records) await writer.write(r);
  const manifest = await writer.finish({ completedAt: '2026-01-02T03:05:00.000Z' });
  return { store, manifest };
}

async function readAll(manifest: SnapshotManifest, source: ChunkSource, onWarning?: (w: SnapshotWarning) => void) {
  const out: SnapshotRecord[] = [];
  for await (const r of readSnapshot(manifest, source, onWarning ? { onWarning } : {})) out.push(r);
  return out;
}

async function integrityCode(
  promise: Promise<unknown>,
): Promise<{ code: SnapshotIntegrityCode; seq: number | undefined }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof SnapshotIntegrityError) return { code: err.code, seq: err.seq };
    throw err;
  }
  throw new Error('expected a SnapshotIntegrityError');
}

/** The content hash recomputed from the stored chunks with nothing but node:crypto and zlib (SNAPSHOT_FORMAT.md). */
function independentContentHash(manifest: SnapshotManifest, chunks: Map<number, Uint8Array>): string {
  let h = Buffer.alloc(32);
  for (const c of manifest.chunks) {
    const text = gunzipSync(chunks.get(c.seq) ?? new Uint8Array()).toString('utf8');
    for (const line of text.split('\n').slice(0, -1))
      h = createHash('sha256').update(h).update(`${line}\n`, 'utf8').digest();
  }
  return h.toString('hex');
}

const records = sampleRecords(3000);
const small = { maxChunkBytes: 64 * 1024, maxChunkRecords: 500 };

describe('writer and reader', () => {
  test('round trip: every record back in order, chunks bounded, counts and hashes in the manifest', async () => {
    const { store, manifest } = await writeAll(records, small);
    expect(manifest.chunks.length).toBeGreaterThan(10);
    for (const c of manifest.chunks) {
      expect(c.uncompressedBytes ?? Infinity).toBeLessThanOrEqual(small.maxChunkBytes);
      expect(c.records).toBeLessThanOrEqual(small.maxChunkRecords);
      const stored = store.chunks.get(c.seq) ?? new Uint8Array();
      expect(stored.byteLength).toBe(c.bytes);
      expect(createHash('sha256').update(stored).digest('hex')).toBe(c.sha256);
    }
    expect(await readAll(manifest, store)).toEqual(records);
    expect(manifest.counts.records).toBe(records.length);
    expect(manifest.counts.byKind).toEqual({
      schema: 1,
      schemaConfig: 1,
      icon: 0,
      statusType: 1,
      referenceType: 1,
      objectType: 3,
      attribute: 3,
      object: 3000,
      history: 429,
      issueRef: 1,
    });
    expect(manifest.counts.objectsByObjectType).toEqual({ '10': 1000, '11': 1000, '12': 1000 });
    expect(manifest).toMatchObject({
      formatVersion: 1,
      source: header.source,
      schema: header.schema,
      options: header.options,
      createdAt: header.createdAt,
    });
    expect(manifest.contentSha256).toBe(independentContentHash(manifest, store.chunks));
    expect(() => parseManifest(JSON.parse(JSON.stringify(manifest)))).not.toThrow();
  });

  test('each stored chunk is plain gzip NDJSON of canonical JSON lines', async () => {
    const { store, manifest } = await writeAll(records.slice(0, 50));
    const text = gunzipSync(store.chunks.get(0) ?? new Uint8Array()).toString('utf8');
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(manifest.chunks[0]?.records ?? -1);
    expect(lines[1]).toBe('{"allowOtherObjectSchema":false,"kind":"schemaConfig"}');
    expect(JSON.parse(lines[0] ?? '')).toEqual(records[0]);
  });

  test('the content hash depends on the records, not on chunk boundaries or key order', async () => {
    const a = await writeAll(records, small);
    const b = await writeAll(records, { maxChunkBytes: 1024 * 1024, maxChunkRecords: 100_000 });
    const reordered = records.map((r) => Object.fromEntries(Object.entries(r).reverse()) as SnapshotRecord);
    const c = await writeAll(reordered, { maxChunkRecords: 333 });
    expect(b.manifest.chunks.length).toBeLessThan(a.manifest.chunks.length);
    expect(new Set([a.manifest.contentSha256, b.manifest.contentSha256, c.manifest.contentSha256]).size).toBe(1);
    const changed = records.map((r, i) => (i === 2000 && r.kind === 'object' ? { ...r, label: `${r.label}!` } : r));
    expect((await writeAll(changed, small)).manifest.contentSha256).not.toBe(a.manifest.contentSha256);
    const swapped = [...records];
    [swapped[100], swapped[101]] = [swapped[101] as SnapshotRecord, swapped[100] as SnapshotRecord];
    expect((await writeAll(swapped, small)).manifest.contentSha256).not.toBe(a.manifest.contentSha256);
  });

  test('a writer resumed from serialised state (new instance) gives the same content hash', async () => {
    const whole = await writeAll(records, small);
    const store = createMemoryChunkStore();
    let state = JSON.parse(
      JSON.stringify(
        await (async () => {
          const w = SnapshotWriter.create(header, { sink: store, ...small });
          for (const r of records.slice(0, 1234)) await w.write(r);
          return w.checkpoint();
        })(),
      ),
    );
    // second invocation resumes, writes some more and is interrupted again
    {
      const w = SnapshotWriter.resume(state, { sink: store, ...small });
      for (const r of records.slice(1234, 2001)) await w.write(r);
      state = JSON.parse(JSON.stringify(await w.checkpoint()));
    }
    const w = SnapshotWriter.resume(state, { sink: store, ...small });
    for (const r of records.slice(2001)) await w.write(r);
    const manifest = await w.finish();
    expect(manifest.contentSha256).toBe(whole.manifest.contentSha256);
    expect(manifest.counts).toEqual(whole.manifest.counts);
    expect(manifest.chunks.map((c) => c.sha256)).not.toEqual(whole.manifest.chunks.map((c) => c.sha256));
    expect(manifest.createdAt).toBe(header.createdAt);
    expect(await readAll(manifest, store)).toEqual(records);
  });

  test('an empty checkpoint writes no chunk, and a failed upload makes the writer refuse to go on', async () => {
    const store = createMemoryChunkStore();
    const w = SnapshotWriter.create(header, { sink: store });
    expect((await w.checkpoint()).chunks).toEqual([]);
    await w.write(records[0] as SnapshotRecord);
    expect((await w.checkpoint()).chunks).toHaveLength(1);
    expect((await w.checkpoint()).chunks).toHaveLength(1);

    const failing = SnapshotWriter.create(header, {
      sink: {
        putChunk: async () => {
          throw new Error('network down');
        },
      },
    });
    await failing.write(records[0] as SnapshotRecord);
    await expect(failing.checkpoint()).rejects.toThrow('network down');
    await expect(failing.write(records[1] as SnapshotRecord)).rejects.toMatchObject({ code: 'snapshot_writer_failed' });
  });

  test('the writer rejects a record that does not match its kind, naming the path, not the value', async () => {
    const w = SnapshotWriter.create(header, { sink: createMemoryChunkStore() });
    const bad = { ...records[10], objectKey: undefined, label: 'SECRET-LABEL' } as unknown as SnapshotRecord;
    const err = await w.write(bad).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InvalidSnapshotRecordError);
    expect((err as Error).message).toContain('/objectKey');
    expect((err as Error).message).not.toContain('SECRET-LABEL');
    await expect(w.write({ kind: 'attachment' } as unknown as SnapshotRecord)).rejects.toBeInstanceOf(
      InvalidSnapshotRecordError,
    );
    expect(w.recordCount).toBe(0);
  });
});

describe('damage is detected', () => {
  let written: Awaited<ReturnType<typeof writeAll>>;
  // smaller than the round-trip set: some checks read the snapshot once per chunk
  beforeAll(async () => {
    written = await writeAll(sampleRecords(800), { maxChunkBytes: 64 * 1024, maxChunkRecords: 60 });
  });

  const tampered = (change: (chunks: Map<number, Uint8Array>) => void): ChunkSource => {
    const chunks = new Map([...written.store.chunks].map(([k, v]) => [k, Uint8Array.from(v)]));
    change(chunks);
    return { getChunk: async (seq) => chunks.get(seq) };
  };

  test('one flipped byte in any chunk', async () => {
    for (const c of written.manifest.chunks) {
      for (const offset of [0, Math.floor(c.bytes / 2), c.bytes - 1]) {
        const source = tampered((m) => {
          const bytes = m.get(c.seq) as Uint8Array;
          bytes[offset] = (bytes[offset] ?? 0) ^ 0x01;
        });
        expect(await integrityCode(readAll(written.manifest, source))).toEqual({
          code: 'chunk_hash_mismatch',
          seq: c.seq,
        });
      }
    }
  });

  test('a dropped chunk, a truncated chunk and two swapped chunks', async () => {
    expect(
      await integrityCode(
        readAll(
          written.manifest,
          tampered((m) => m.delete(3)),
        ),
      ),
    ).toEqual({ code: 'missing_chunk', seq: 3 });
    const last = written.manifest.chunks.length - 1;
    expect(
      await integrityCode(
        readAll(
          written.manifest,
          tampered((m) => m.delete(last)),
        ),
      ),
    ).toEqual({ code: 'missing_chunk', seq: last });
    expect(
      await integrityCode(
        readAll(
          written.manifest,
          tampered((m) => m.set(5, (m.get(5) as Uint8Array).subarray(0, 100))),
        ),
      ),
    ).toEqual({ code: 'chunk_size_mismatch', seq: 5 });
    expect(
      await integrityCode(
        readAll(
          written.manifest,
          tampered((m) => {
            const a = m.get(1) as Uint8Array;
            m.set(1, m.get(2) as Uint8Array);
            m.set(2, a);
          }),
        ),
      ),
    ).toMatchObject({ code: expect.stringMatching(/^chunk_(hash|size)_mismatch$/), seq: 1 });
  });

  test('no record of a damaged chunk is yielded', async () => {
    const seen: SnapshotRecord[] = [];
    const source = tampered((m) => (m.get(4) as Uint8Array).fill(0, 30, 31));
    await expect(
      (async () => {
        for await (const r of readSnapshot(written.manifest, source)) seen.push(r);
      })(),
    ).rejects.toBeInstanceOf(SnapshotIntegrityError);
    const before = written.manifest.chunks.slice(0, 4).reduce((n, c) => n + c.records, 0);
    expect(seen).toHaveLength(before);
  });

  test('manifest edits: dropped chunk entry, reordered entries, wrong record count, other version', async () => {
    const m = (): SnapshotManifest => JSON.parse(JSON.stringify(written.manifest));
    const dropped = m();
    const gone = dropped.chunks.pop();
    expect(await integrityCode(readAll(dropped, written.store))).toMatchObject({ code: 'count_mismatch' });
    // ... even when the attacker also fixes up the totals, the content hash catches it
    dropped.counts.records -= gone?.records ?? 0;
    dropped.counts.byKind.issueRef = 0;
    dropped.counts.byKind.history = (dropped.counts.byKind.history ?? 0) - ((gone?.records ?? 0) - 1);
    expect(await integrityCode(readAll(dropped, written.store))).toEqual({
      code: 'content_hash_mismatch',
      seq: undefined,
    });

    const reordered = m();
    reordered.chunks.reverse();
    expect(await integrityCode(readAll(reordered, written.store))).toMatchObject({ code: 'chunk_sequence_invalid' });

    const recount = m();
    (recount.chunks[2] as { records: number }).records += 1;
    (recount.chunks[3] as { records: number }).records -= 1;
    expect(await integrityCode(readAll(recount, written.store))).toEqual({
      code: 'chunk_record_count_mismatch',
      seq: 2,
    });

    const v2 = { ...m(), formatVersion: 2 } as unknown as SnapshotManifest;
    expect(await integrityCode(readAll(v2, written.store))).toMatchObject({ code: 'unsupported_format_version' });
    expect(
      await integrityCode(readAll({ ...m(), chunks: 'x' } as unknown as SnapshotManifest, written.store)),
    ).toMatchObject({ code: 'invalid_manifest' });
  });

  test('a chunk replaced together with its manifest entry still fails the content hash', async () => {
    const seq = 6;
    const text = gunzipSync(written.store.chunks.get(seq) as Uint8Array)
      .toString('utf8')
      .replace('host-', 'hosT-');
    const forged = gzipSync(Buffer.from(text, 'utf8'));
    const manifest: SnapshotManifest = JSON.parse(JSON.stringify(written.manifest));
    manifest.chunks[seq] = {
      seq,
      bytes: forged.length,
      records: manifest.chunks[seq]?.records ?? 0,
      sha256: createHash('sha256').update(forged).digest('hex'),
      uncompressedBytes: Buffer.byteLength(text),
    };
    const source = tampered((m) => m.set(seq, forged));
    expect(await integrityCode(readAll(manifest, source))).toEqual({ code: 'content_hash_mismatch', seq: undefined });
  });

  test('a gzip bomb beyond the declared size is refused', async () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x61));
    const sha256 = createHash('sha256').update(bomb).digest('hex');
    const manifest: SnapshotManifest = {
      ...written.manifest,
      chunks: [{ seq: 0, bytes: bomb.length, records: 1, sha256, uncompressedBytes: 100 }],
      counts: { records: 1, byKind: { schema: 1 }, objectsByObjectType: {} },
    };
    expect(await integrityCode(readAll(manifest, { getChunk: async () => bomb }))).toEqual({
      code: 'chunk_too_large',
      seq: 0,
    });
  });

  test("a declared size beyond the reader's limit does not raise the limit", async () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x61));
    const sha256 = createHash('sha256').update(bomb).digest('hex');
    const manifest: SnapshotManifest = {
      ...written.manifest,
      chunks: [{ seq: 0, bytes: bomb.length, records: 1, sha256, uncompressedBytes: 10 * 1024 * 1024 }],
      counts: { records: 1, byKind: { schema: 1 }, objectsByObjectType: {} },
    };
    const reading = (async () => {
      for await (const r of readSnapshot(
        manifest,
        { getChunk: async () => bomb },
        { maxUncompressedBytes: 1024 * 1024 },
      ))
        void r;
    })();
    expect(await integrityCode(reading)).toEqual({ code: 'chunk_too_large', seq: 0 });
  });
});

describe('compatibility', () => {
  test('unknown record kinds are skipped with a warning; unknown fields are kept', async () => {
    // a chunk as a newer writer might produce it, built here by hand
    const lines = [
      {
        kind: 'schema',
        id: '7',
        name: 'S',
        objectSchemaKey: 'S',
        created: '2025-01-01T00:00:00.000Z',
        updated: '2025-01-01T00:00:00.000Z',
        objectCount: 1,
        objectTypeCount: 1,
        futureField: { a: 1 },
      },
      { kind: 'attachment', objectId: '1', fileName: 'a.pdf' },
      { kind: 'statusType', id: '1', name: 'Active', category: 1 },
    ].map((r) => `${JSON.stringify(r)}\n`);
    const raw = Buffer.from(lines.join(''), 'utf8');
    const gz = gzipSync(raw);
    let h = Buffer.alloc(32);
    for (const l of lines) h = createHash('sha256').update(h).update(l, 'utf8').digest();
    const manifest = {
      ...(await writeAll([])).manifest,
      chunks: [
        {
          seq: 0,
          bytes: gz.length,
          records: 3,
          sha256: createHash('sha256').update(gz).digest('hex'),
          uncompressedBytes: raw.length,
          compression: 'gzip',
        },
      ],
      counts: { records: 3, byKind: { schema: 1, attachment: 1, statusType: 1 }, objectsByObjectType: {} },
      contentSha256: h.toString('hex'),
      newTopLevelField: true,
    } as unknown as SnapshotManifest;
    const warnings: SnapshotWarning[] = [];
    const out = await readAll(manifest, { getChunk: async () => gz }, (w) => warnings.push(w));
    expect(out.map((r) => r.kind)).toEqual(['schema', 'statusType']);
    expect(out[0]).toMatchObject({ futureField: { a: 1 } });
    expect(warnings).toEqual([{ code: 'unknown_record_kind', kind: 'attachment', seq: 0 }]);
  });
});

describe('verifyChunk (on arrival)', () => {
  test('accepts the right bytes and names what is wrong otherwise', async () => {
    const { store, manifest } = await writeAll(records, small);
    const c = manifest.chunks[1];
    const bytes = store.chunks.get(1) as Uint8Array;
    if (!c) throw new Error('no chunk 1');
    expect(await verifyChunk(bytes, { sha256: c.sha256 })).toEqual({ sha256: c.sha256, bytes: c.bytes });
    expect(await verifyChunk(bytes, c)).toEqual({ sha256: c.sha256, bytes: c.bytes, records: c.records });
    expect(await verifyChunk(bytes, { sha256: c.sha256.toUpperCase(), bytes: c.bytes })).toMatchObject({
      sha256: c.sha256,
    });
    expect(await integrityCode(verifyChunk(bytes, { ...c, sha256: manifest.chunks[0]?.sha256 ?? '' }))).toEqual({
      code: 'chunk_hash_mismatch',
      seq: 1,
    });
    expect(await integrityCode(verifyChunk(bytes.subarray(1), { sha256: c.sha256, bytes: c.bytes }))).toEqual({
      code: 'chunk_size_mismatch',
      seq: undefined,
    });
    expect(await integrityCode(verifyChunk(bytes, { ...c, records: c.records + 1 }))).toEqual({
      code: 'chunk_record_count_mismatch',
      seq: 1,
    });
    const notGzip = Buffer.from('plain text\n');
    expect(
      await integrityCode(
        verifyChunk(notGzip, { sha256: createHash('sha256').update(notGzip).digest('hex'), records: 1 }),
      ),
    ).toMatchObject({ code: 'chunk_corrupt' });
  });
});

describe('chunk stores', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'snapshot-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('directory store: chunks as files, manifest round trip, read back verified', async () => {
    const store = createDirectoryChunkStore(path.join(dir, 'backup-1'));
    const writer = SnapshotWriter.create(header, { sink: store, ...small });
    for (const r of records) await writer.write(r);
    const manifest = await writer.finish();
    await store.writeManifest(manifest);
    const again = createDirectoryChunkStore(path.join(dir, 'backup-1'));
    const loaded = await again.readManifest();
    expect(loaded).toEqual(manifest);
    expect(await readAll(loaded, again)).toEqual(records);
    const file = again.chunkPath(2);
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, bytes.length - 3));
    expect(await integrityCode(readAll(loaded, again))).toEqual({ code: 'chunk_size_mismatch', seq: 2 });
  });

  test.each(['memory', 'directory'])(
    '%s store: same chunk again is a no-op, different content is a conflict',
    async (kind) => {
      const store = kind === 'memory' ? createMemoryChunkStore() : createDirectoryChunkStore(dir);
      const bytes = gzipSync('{"kind":"schemaConfig"}\n');
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      await store.putChunk({ seq: 0, bytes, records: 1, sha256 });
      await store.putChunk({ seq: 0, bytes, records: 1, sha256 });
      const other = gzipSync('{"kind":"schemaConfig","x":1}\n');
      await expect(
        store.putChunk({ seq: 0, bytes: other, records: 1, sha256: createHash('sha256').update(other).digest('hex') }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(Buffer.from((await store.getChunk(0)) ?? [])).toEqual(bytes);
      expect(await store.getChunk(1)).toBeUndefined();
    },
  );
});

describe('canonical JSON and API projections', () => {
  test('canonical JSON sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: [{ z: 'é', y: undefined, x: null }], c: true })).toBe(
      '{"a":[{"x":null,"z":"é"}],"b":1,"c":true}',
    );
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
  });

  test('an API object loses its media token, workspace ids and embedded definitions, and keeps raw values and target ids', () => {
    const ws = 'ws-1';
    const objectType = {
      workspaceId: ws,
      globalId: `${ws}:31`,
      id: '31',
      name: 'Laptop',
      icon: { id: '57', name: 'Laptop', url16: 'u16', url48: 'u48' },
      position: 0,
      created: '2025-01-01T00:00:00.000Z',
      updated: '2025-01-01T00:00:00.000Z',
      objectCount: 1,
      objectSchemaId: '7',
      inherited: false,
      abstractObjectType: false,
      parentObjectTypeInherited: false,
    };
    const employeeType = { ...objectType, id: '40', globalId: `${ws}:40`, name: 'Employee' };
    const api: AssetObject & { futureField: string } = {
      workspaceId: ws,
      globalId: `${ws}:1207`,
      id: '1207',
      label: 'lap-0042',
      objectKey: 'ITA-1207',
      name: 'lap-0042',
      avatar: {
        workspaceId: ws,
        url16: 'a16',
        url48: 'a48',
        url72: 'a72',
        url144: 'a144',
        url288: 'a288',
        objectId: '1207',
        avatarUUID: 'uuid-1',
        mediaClientConfig: {
          clientId: 'cid',
          mediaBaseUrl: 'https://media',
          mediaJwtToken: 'eyJhbGciOiJIUzI1NiJ9.SECRET.sig',
          fileId: 'f',
        },
      },
      objectType,
      created: '2025-01-01T00:00:00.000Z',
      updated: '2025-01-02T00:00:00.000Z',
      hasAvatar: true,
      timestamp: 1735776000000,
      _links: { self: 'https://x/ITA-1207' },
      futureField: 'kept',
      attributes: [
        {
          workspaceId: ws,
          globalId: `${ws}:9`,
          id: '9',
          objectTypeAttributeId: '513',
          objectId: '1207',
          objectAttributeValues: [{ value: 'lap-0042', displayValue: 'lap-0042', searchValue: 'lap-0042' }],
        },
        {
          workspaceId: ws,
          objectTypeAttributeId: '521',
          objectAttributeValues: [
            {
              displayValue: 'Dana',
              searchValue: 'HR-88',
              referencedType: true,
              referencedObject: {
                workspaceId: ws,
                globalId: `${ws}:88`,
                id: '88',
                label: 'Dana',
                objectKey: 'HR-88',
                avatar: { workspaceId: ws, url16: '', url48: '', url72: '', url144: '', url288: '', objectId: '88' },
                objectType: employeeType,
                created: '2025-01-01T00:00:00.000Z',
                updated: '2025-01-01T00:00:00.000Z',
                hasAvatar: false,
                timestamp: 1,
                _links: { self: 's' },
              },
            },
          ],
        },
        {
          workspaceId: ws,
          objectTypeAttributeId: '530',
          objectAttributeValues: [
            {
              value: '557058:acc',
              displayValue: 'Ana',
              user: {
                key: '557058:acc',
                displayName: 'Ana',
                avatarUrl: 'https://avatar',
                html: '<a>Ana</a>',
                self: 'https://self',
              },
            },
          ],
        },
        {
          workspaceId: ws,
          objectTypeAttributeId: '531',
          objectAttributeValues: [
            { value: 'jira-admins', displayValue: 'jira-admins', group: { name: 'jira-admins', avatarUrl: 'g' } },
          ],
        },
        {
          workspaceId: ws,
          objectTypeAttributeId: '532',
          objectAttributeValues: [
            {
              displayValue: 'Active',
              status: { workspaceId: ws, id: '1', name: 'Active', category: 1, objectSchemaId: '7' },
            },
          ],
        },
      ],
    };
    const record = toObjectRecord(api);
    const line = canonicalJson(record);
    expect(line).not.toContain('SECRET');
    expect(line).not.toContain(ws);
    expect(record).toEqual({
      kind: 'object',
      id: '1207',
      objectKey: 'ITA-1207',
      label: 'lap-0042',
      objectTypeId: '31',
      created: '2025-01-01T00:00:00.000Z',
      updated: '2025-01-02T00:00:00.000Z',
      timestamp: 1735776000000,
      hasAvatar: true,
      futureField: 'kept',
      avatar: { avatarUUID: 'uuid-1', url16: 'a16', url48: 'a48', url72: 'a72', url144: 'a144', url288: 'a288' },
      attributes: [
        {
          objectTypeAttributeId: '513',
          objectAttributeValues: [{ value: 'lap-0042', displayValue: 'lap-0042', searchValue: 'lap-0042' }],
        },
        {
          objectTypeAttributeId: '521',
          objectAttributeValues: [
            {
              displayValue: 'Dana',
              searchValue: 'HR-88',
              referencedType: true,
              referencedObject: { id: '88', objectKey: 'HR-88', label: 'Dana', objectTypeId: '40' },
            },
          ],
        },
        {
          objectTypeAttributeId: '530',
          objectAttributeValues: [
            { value: '557058:acc', displayValue: 'Ana', user: { key: '557058:acc', displayName: 'Ana' } },
          ],
        },
        {
          objectTypeAttributeId: '531',
          objectAttributeValues: [
            { value: 'jira-admins', displayValue: 'jira-admins', group: { name: 'jira-admins' } },
          ],
        },
        {
          objectTypeAttributeId: '532',
          objectAttributeValues: [{ displayValue: 'Active', status: { id: '1', name: 'Active', category: 1 } }],
        },
      ],
    });
    expect(toObjectRecord({ ...api, hasAvatar: false }).avatar).toBeUndefined();
  });

  test('history is stored oldest first whatever order the API used', () => {
    const e = (id: string, created: string): ObjectHistory => ({
      id,
      created,
      type: 2,
      objectId: '5',
      actor: { key: 'a', displayName: 'A', avatarUrl: 'x' },
    });
    const rec = toHistoryRecord('5', [
      e('12', '2025-01-02T00:00:00.000Z'),
      e('3', '2025-01-01T00:00:00.000Z'),
      e('11', '2025-01-02T00:00:00.000Z'),
    ]);
    expect(rec.entries.map((x) => x.id)).toEqual(['3', '11', '12']);
    expect(rec.entries[0]).toEqual({
      id: '3',
      created: '2025-01-01T00:00:00.000Z',
      type: 2,
      actor: { key: 'a', displayName: 'A' },
    });
  });
});

describe('content hash chain', () => {
  it('is H_i = SHA-256(H_(i-1) || line_i) from 32 zero bytes, whether lines are added one by one or as a block', () => {
    const lines = ['{"kind":"schema"}\n', '{"a":"ü ✓"}\n', '\n', `${'x'.repeat(70_000)}\n`].map((l) => Buffer.from(l));
    let expected = Buffer.alloc(32);
    for (const line of lines) expected = createHash('sha256').update(expected).update(line).digest();
    const single = new ContentHashChain();
    for (const line of lines) single.add(line);
    const block = new ContentHashChain();
    block.addLines(Buffer.concat(lines));
    expect(single.hex).toBe(expected.toString('hex'));
    expect(block.hex).toBe(expected.toString('hex'));
    expect(() => new ContentHashChain().addLines(Buffer.from('no newline'))).toThrow(TypeError);
  });
});
