/**
 * Acceptance tests of the backup engine against the Assets/Jira emulator over a real socket:
 * a 5,000-object schema backed up and read back equal to the emulator's own data, damage to the
 * stored chunks detected, and an interrupted backup resumed by new engine instances giving the
 * same content hash as an uninterrupted one.
 */
import { gunzipSync } from 'node:zlib';
import {
  runBackup,
  type BackupCursor,
  type BackupOptions,
  type BackupProgress,
  type BackupResult,
} from '../src/backup/index.js';
import { startEmulator, seedFixture, type Emulator, type EmulatorSite, type SeedResult } from '@assets-vault/emulator';
import {
  SnapshotIntegrityError,
  createMemoryChunkStore,
  readSnapshot,
  type ChunkSource,
  type MemoryChunkStore,
  type SnapshotManifest,
  type SnapshotRecord,
} from '../src/snapshot/index.js';
import type { AssetObject, JiraUser, ObjectAttributeValue } from '../src/model/index.js';
import { clientFor } from './backup.helpers.js';

const ALL: BackupOptions = { history: true, icons: true, issueRefs: true };
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

async function readAll(manifest: SnapshotManifest, source: ChunkSource): Promise<SnapshotRecord[]> {
  const out: SnapshotRecord[] = [];
  for await (const r of readSnapshot(manifest, source)) out.push(r);
  return out;
}

const of = <K extends SnapshotRecord['kind']>(records: SnapshotRecord[], kind: K) =>
  records.filter((r): r is Extract<SnapshotRecord, { kind: K }> => r.kind === kind);

/** Drops undefined members so expectations written with optional fields compare like JSON. */
const clean = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

// ---- the documented record shapes (SNAPSHOT_FORMAT.md), written out field by field

const userRef = (u: JiraUser) => ({
  key: u.key,
  name: u.name,
  displayName: u.displayName,
  emailAddress: u.emailAddress,
  isDeleted: u.isDeleted,
});

function expectedValue(v: ObjectAttributeValue) {
  return {
    value: v.value,
    displayValue: v.displayValue,
    searchValue: v.searchValue,
    referencedType: v.referencedType,
    additionalValue: v.additionalValue,
    referencedObject: v.referencedObject && {
      id: v.referencedObject.id,
      objectKey: v.referencedObject.objectKey,
      label: v.referencedObject.label,
      objectTypeId: v.referencedObject.objectType.id,
    },
    user: v.user && userRef(v.user),
    group: v.group && { name: v.group.name },
    status: v.status && { id: v.status.id, name: v.status.name, category: v.status.category },
  };
}

function expectedObject(o: AssetObject) {
  return clean({
    kind: 'object',
    id: o.id,
    objectKey: o.objectKey,
    label: o.label,
    objectTypeId: o.objectType.id,
    created: o.created,
    updated: o.updated,
    timestamp: o.timestamp,
    hasAvatar: o.hasAvatar,
    extendedInfo: o.extendedInfo,
    avatar: o.hasAvatar
      ? {
          id: o.avatar.id,
          avatarUUID: o.avatar.avatarUUID,
          url16: o.avatar.url16,
          url48: o.avatar.url48,
          url72: o.avatar.url72,
          url144: o.avatar.url144,
          url288: o.avatar.url288,
        }
      : undefined,
    attributes: (o.attributes ?? []).map((a) => ({
      objectTypeAttributeId: a.objectTypeAttributeId,
      objectAttributeValues: a.objectAttributeValues.map(expectedValue),
    })),
  });
}

let emu: Emulator;
let site: EmulatorSite;
let seed: SeedResult;
let full: { result: Extract<BackupResult, { done: true }>; store: MemoryChunkStore; records: SnapshotRecord[] };

beforeAll(async () => {
  emu = await startEmulator();
  site = emu.createSite({ seed: 'backup-test' });
  seed = seedFixture(site, { objects: 5000, seed: 'backup-test' });
  const store = createMemoryChunkStore();
  const result = await runBackup({
    client: clientFor(site),
    schemaId: seed.schemaId,
    source: { cloudId: site.info.cloudId, siteUrl: site.info.siteUrl },
    options: ALL,
    sink: store,
    historyConcurrency: 16,
    writer: { maxChunkBytes: 1024 * 1024 },
  });
  if (!result.done) throw new Error('an uninterrupted backup must finish');
  full = { result, store, records: await readAll(result.manifest, store) };
});

afterAll(async () => {
  await emu?.close();
});

describe('a 5,000-object schema backed up from the emulator', () => {
  test('manifest: source, schema, options, counts, several bounded chunks, no warnings', () => {
    const m = full.result.manifest;
    expect(m.source).toEqual({
      cloudId: site.info.cloudId,
      siteUrl: site.info.siteUrl,
      workspaceId: site.info.workspaceId,
    });
    const schema = site.store.schema(seed.schemaId);
    expect(m.schema).toEqual({ id: seed.schemaId, name: schema?.name, key: schema?.objectSchemaKey });
    expect(m.options).toEqual(ALL);
    expect(m.counts.byKind.object).toBe(5000);
    expect(m.counts.records).toBe(full.records.length);
    const perType: Record<string, number> = {};
    for (const id of site.store.objectIds(seed.schemaId)) {
      const t = site.store.renderObject(id, { includeAttributes: false })?.objectType.id ?? '?';
      perType[t] = (perType[t] ?? 0) + 1;
    }
    expect(m.counts.objectsByObjectType).toEqual(perType);
    expect(m.chunks.length).toBeGreaterThan(3);
    for (const c of m.chunks) expect(c.uncompressedBytes).toBeLessThanOrEqual(1024 * 1024);
    expect(m.warnings).toBeUndefined();
    expect(full.records[0]?.kind).toBe('schema');
  });

  test('structure records equal the emulator store: schema, config, statuses, reference types, types, attributes, icons', () => {
    const { records } = full;
    const { workspaceId: _w, globalId: _g, ...schema } = site.store.schema(seed.schemaId) ?? ({} as never);
    expect(of(records, 'schema')).toEqual([{ kind: 'schema', ...schema }]);
    expect(of(records, 'schemaConfig')).toEqual([
      { kind: 'schemaConfig', ...site.data.schema(Number(seed.schemaId))?.config },
    ]);

    const byId = <T extends { id?: string }>(list: T[]) => [...list].sort((a, b) => Number(a.id) - Number(b.id));
    expect(byId(of(records, 'statusType'))).toEqual(
      byId(
        site.store.statuses(seed.schemaId).map((s) =>
          clean({
            kind: 'statusType',
            id: s.id,
            name: s.name,
            description: s.description,
            category: s.category,
            objectSchemaId: s.objectSchemaId,
          }),
        ),
      ),
    );
    expect(byId(of(records, 'referenceType'))).toEqual(
      byId(
        site.store.referenceTypes(seed.schemaId).map((r) =>
          clean({
            kind: 'referenceType',
            id: r.id,
            name: r.name,
            description: r.description,
            color: r.color,
            url16: r.url16,
            removable: r.removable,
            objectSchemaId: r.objectSchemaId,
          }),
        ),
      ),
    );

    const types = site.store.objectTypes(seed.schemaId);
    expect(byId(of(records, 'objectType'))).toEqual(
      byId(
        types.map((t) =>
          clean({
            kind: 'objectType',
            id: t.id,
            name: t.name,
            description: t.description,
            icon: { id: t.icon.id, name: t.icon.name },
            position: t.position,
            created: t.created,
            updated: t.updated,
            objectCount: t.objectCount,
            parentObjectTypeId: t.parentObjectTypeId === undefined ? undefined : String(t.parentObjectTypeId),
            type: t.type,
            inherited: t.inherited,
            abstractObjectType: t.abstractObjectType,
            parentObjectTypeInherited: t.parentObjectTypeInherited,
          }),
        ),
      ),
    );
    // parents come before their children
    const order = of(records, 'objectType').map((t) => t.id);
    for (const t of of(records, 'objectType'))
      if (t.parentObjectTypeId) expect(order.indexOf(t.parentObjectTypeId)).toBeLessThan(order.indexOf(t.id));

    const attrs = site.store.schemaAttributes(seed.schemaId);
    expect(byId(of(records, 'attribute'))).toEqual(
      byId(
        attrs.map((a) => {
          const {
            workspaceId: _aw,
            globalId: _ag,
            objectType,
            referenceObjectType: _rot,
            referenceType,
            type,
            ...rest
          } = a;
          return clean({
            ...rest,
            kind: 'attribute',
            objectTypeId: objectType?.id,
            type: type ?? 0,
            referenceType: referenceType && { id: referenceType.id, name: referenceType.name },
          });
        }),
      ),
    );
    expect(attrs.length).toBeGreaterThan(30);

    const icons = of(records, 'icon');
    expect(icons.map((i) => i.id).sort()).toEqual([...new Set(types.map((t) => t.icon.id))].sort());
    for (const icon of icons) {
      expect(icon.name).toBe(site.store.icon(icon.id)?.name);
      for (const png of [icon.png16Base64, icon.png48Base64])
        expect(Buffer.from(png ?? '', 'base64').subarray(0, 8)).toEqual(PNG_SIGNATURE);
    }
  });

  test('every object record equals the emulator rendering, in Key order, with raw stored values intact', () => {
    const objects = of(full.records, 'object');
    const ids = site.store.objectIds(seed.schemaId);
    expect(objects.map((o) => o.id)).toEqual(ids);
    // one comparison for all objects: per-object expect() calls cost more than the backup itself
    expect(objects).toEqual(
      ids.map((id) => {
        const rendered = site.store.renderObject(id, { embedDefinitions: false });
        if (!rendered) throw new Error(`object ${id} missing in the emulator`);
        return expectedObject(rendered);
      }),
    );
    // independent of any rendering: the store's raw values (reference → target id, status → status id,
    // user → accountId) are what a restore writes
    const mismatches: unknown[] = [];
    for (const record of objects) {
      const raw = site.data.object(Number(record.id));
      const fromRecord = new Map(
        record.attributes.map((a) => [
          Number(a.objectTypeAttributeId),
          a.objectAttributeValues.map(
            (v) => v.referencedObject?.id ?? v.status?.id ?? v.user?.key ?? v.group?.name ?? v.value,
          ),
        ]),
      );
      let checked = 0;
      for (const [attrId, values] of raw?.values ?? []) {
        if (values.length === 0) continue;
        checked++;
        if (JSON.stringify(fromRecord.get(attrId)) !== JSON.stringify(values))
          mismatches.push({ id: record.id, attrId, stored: values, backedUp: fromRecord.get(attrId) });
      }
      if (checked < 3) mismatches.push({ id: record.id, problem: 'fewer than 3 stored values' });
    }
    expect(mismatches).toEqual([]);
    const kinds = new Set(
      objects.flatMap((o) =>
        o.attributes.flatMap((a) =>
          a.objectAttributeValues.map((v) =>
            v.referencedObject ? 'ref' : v.user ? 'user' : v.group ? 'group' : v.status ? 'status' : 'plain',
          ),
        ),
      ),
    );
    expect([...kinds].sort()).toEqual(['group', 'plain', 'ref', 'status', 'user']);
    const inSchema = new Set(ids);
    expect(objects.filter((o) => o.hasAvatar).length).toBe(
      seed.avatarObjectIds.filter((id) => inSchema.has(id)).length,
    );
  });

  test('histories equal the emulator history of each object, oldest first', () => {
    const histories = of(full.records, 'history');
    expect(histories.map((h) => h.objectId)).toEqual(
      site.store.objectIds(seed.schemaId).filter((id) => site.store.history(id).length > 0),
    );
    for (const h of histories) {
      const expected = site.store
        .history(h.objectId, { asc: true })
        .sort((a, b) => a.created.localeCompare(b.created) || Number(a.id) - Number(b.id))
        .map((e) =>
          clean({
            id: e.id,
            type: e.type,
            created: e.created,
            actor: userRef(e.actor),
            affectedAttribute: e.affectedAttribute,
            oldValue: e.oldValue,
            newValue: e.newValue,
          }),
        );
      expect(h.entries).toEqual(expected);
    }
    expect(histories.reduce((n, h) => n + h.entries.length, 0)).toBeGreaterThan(5000);
  });

  test('issue references: every issue field pointing at this schema, reduced to its objects', () => {
    const inSchema = new Set(site.store.objectIds(seed.schemaId));
    const expected = site.store.assetsFields().flatMap((field) =>
      site.store.issues().flatMap((issue) => {
        const value = issue.fields[field.id];
        const ids = Array.isArray(value)
          ? value.map((v) => String((v as { objectId: unknown }).objectId)).filter((id) => inSchema.has(id))
          : [];
        return ids.length === 0
          ? []
          : [
              {
                kind: 'issueRef',
                issueId: issue.id,
                issueKey: issue.key,
                fieldId: field.id,
                fieldName: field.name,
                objectIds: [...new Set(ids)],
              },
            ];
      }),
    );
    const sort = (list: Array<{ fieldId: string; issueId: string }>) =>
      [...list].sort((a, b) => a.fieldId.localeCompare(b.fieldId) || Number(a.issueId) - Number(b.issueId));
    expect(expected.length).toBeGreaterThan(10);
    expect(sort(of(full.records, 'issueRef'))).toEqual(sort(expected));
  });

  test('no avatar media token and no workspace or global ids inside the records', () => {
    for (const bytes of full.store.chunks.values()) {
      const text = gunzipSync(bytes).toString('utf8');
      expect(text).not.toContain('mediaJwtToken');
      expect(text).not.toContain('mediaClientConfig');
      // derivable ids are dropped (URLs the API returns may still carry the workspace id)
      expect(text).not.toContain('"workspaceId"');
      expect(text).not.toContain('"globalId"');
    }
  });
});

describe('damage to the stored backup is detected', () => {
  const damaged = (change: (chunks: Map<number, Uint8Array>) => void): ChunkSource => {
    const chunks = new Map([...full.store.chunks].map(([k, v]) => [k, Uint8Array.from(v)]));
    change(chunks);
    return { getChunk: async (seq) => chunks.get(seq) };
  };
  const failure = async (source: ChunkSource) => {
    try {
      await readAll(full.result.manifest, source);
    } catch (err) {
      if (err instanceof SnapshotIntegrityError) return { code: err.code, seq: err.seq };
      throw err;
    }
    return undefined;
  };

  test('one flipped byte, a dropped chunk or a truncated chunk, each tried on every chunk in turn', async () => {
    // every chunk gets one kind of damage (cycling), so each kind is tried on several chunks
    const seen = new Set<string>();
    for (const c of full.result.manifest.chunks) {
      const kind = (['flip', 'drop', 'truncate'] as const)[c.seq % 3];
      seen.add(kind ?? '');
      if (kind === 'flip') {
        const at = (c.seq * 7919) % c.bytes;
        expect(
          await failure(
            damaged((m) => {
              const b = m.get(c.seq) as Uint8Array;
              b[at] = (b[at] ?? 0) ^ 0x40;
            }),
          ),
        ).toEqual({ code: 'chunk_hash_mismatch', seq: c.seq });
      } else if (kind === 'drop') {
        expect(await failure(damaged((m) => m.delete(c.seq)))).toEqual({ code: 'missing_chunk', seq: c.seq });
      } else {
        expect(
          await failure(damaged((m) => m.set(c.seq, (m.get(c.seq) as Uint8Array).subarray(0, c.bytes - 1)))),
        ).toEqual({ code: 'chunk_size_mismatch', seq: c.seq });
      }
    }
    expect(seen.size).toBe(3);
  });
});

describe('interrupted backups', () => {
  test('yielding every few steps and resuming in new engine and client instances gives the same content hash', async () => {
    const store = createMemoryChunkStore();
    let cursor: BackupCursor | undefined;
    let invocations = 0;
    const pausedAt: string[] = [];
    let result: BackupResult;
    do {
      invocations++;
      let calls = 0;
      let pagesThisRun = 0;
      // a time budget as a Forge invocation would have: here, one AQL page (or Jira search page) per
      // invocation, and the first invocation stops in the middle of a page's histories
      const first = invocations === 1;
      const shouldYield = () => (first && ++calls === 7) || pagesThisRun >= 1;
      const onProgress = (p: BackupProgress) => {
        if (p.phase === 'objects' || p.phase === 'issueRefs') pagesThisRun++;
      };
      const input = {
        onProgress,
        client: clientFor(site),
        schemaId: seed.schemaId,
        source: { cloudId: site.info.cloudId, siteUrl: site.info.siteUrl },
        options: ALL,
        sink: store,
        shouldYield,
        historyConcurrency: 16,
        writer: { maxChunkBytes: 1024 * 1024 },
      };
      // the cursor goes through JSON, as it does through a Forge queue payload or a job row
      result = await runBackup(
        cursor ? { ...input, cursor: JSON.parse(JSON.stringify(cursor)) as BackupCursor } : input,
      );
      if (!result.done) {
        cursor = result.cursor;
        pausedAt.push(
          cursor.phase === 'objects'
            ? `objects:${cursor.objects.pageWritten ? 'mid-page' : 'page-end'}`
            : `issueRefs:field ${cursor.issueRefs.fieldIndex}:${cursor.issueRefs.issuesDone} issues done`,
        );
      }
    } while (!result.done && invocations < 200);
    if (!result.done) throw new Error('backup did not finish');
    expect(invocations).toBeGreaterThanOrEqual(6);
    expect(result.stats.resumes).toBe(invocations - 1);
    // paused in the middle of a page's histories, at page ends, and inside the issue search
    expect(pausedAt[0]).toBe('objects:mid-page');
    expect(pausedAt).toContain('objects:page-end');
    expect(pausedAt.filter((p) => /^issueRefs:field \d+:[1-9]\d* issues done$/.test(p)).length).toBeGreaterThanOrEqual(
      2,
    );
    expect(result.manifest.contentSha256).toBe(full.result.manifest.contentSha256);
    expect(result.manifest.counts).toEqual(full.result.manifest.counts);
    expect(result.manifest.chunks.length).toBeGreaterThan(full.result.manifest.chunks.length);
    expect(await readAll(result.manifest, store)).toEqual(full.records);
  });
});

describe('a schema that changes while it is backed up', () => {
  /** A site of its own with a 400-object schema (with or without history), and a backup of it in pages of 100. */
  function smallSite(seed: string, history: boolean) {
    const other = emu.createSite({ seed });
    const small = seedFixture(other, { objects: 400, seed, history, issues: false, secondSchema: false });
    const options: BackupOptions = { history, icons: false, issueRefs: false };
    const store = createMemoryChunkStore();
    const client = clientFor(other);
    const source = { cloudId: other.info.cloudId, siteUrl: other.info.siteUrl };
    const base = { client, schemaId: small.schemaId, source, options, sink: store, pageSize: 100 };
    return { other, small, store, client, base };
  }

  test("objects deleted while a run is paused inside a page's histories: the written page is not read again, nothing is lost", async () => {
    const { other, small, store, client, base } = smallSite('backup-midpage', true);
    // pause once the first page is done and the second is written, before its histories
    let pagesDone = 0;
    let callsAfterFirstPage = 0;
    const first = await runBackup({
      ...base,
      onProgress: (p) => {
        pagesDone = p.pages;
      },
      shouldYield: () => pagesDone >= 1 && ++callsAfterFirstPage === 2,
    });
    if (first.done) throw new Error('expected a pause inside the second page');
    expect(first.cursor.objects).toMatchObject({ pageWritten: true, historyDone: 0 });
    const ids = other.store.objectIds(small.schemaId);
    // 30 objects of the first page go: a page read again at the same offset would hold 30 objects never written;
    // 3 written objects of the second page go before their histories are read
    for (const id of [...ids.slice(10, 40), ...ids.slice(150, 153)]) await client.deleteObject(id);
    const last = await runBackup({ ...base, cursor: JSON.parse(JSON.stringify(first.cursor)) as BackupCursor });
    if (!last.done) throw new Error('expected the backup to finish');
    const records = await readAll(last.manifest, store);
    const written = of(records, 'object').map((o) => o.id);
    expect(new Set(written).size).toBe(written.length);
    expect(other.store.objectIds(small.schemaId).filter((id) => !written.includes(id))).toEqual([]);
    const histories = of(records, 'history').map((h) => h.objectId);
    expect(histories.length).toBeGreaterThan(0);
    expect(new Set(histories).size).toBe(histories.length);
    expect(histories.filter((id) => !written.includes(id))).toEqual([]);
    expect(written).toEqual(expect.arrayContaining(ids.slice(150, 153)));
    expect(histories).not.toEqual(expect.arrayContaining([ids[150]]));
    expect(last.stats.historiesMissing).toBe(3);
    expect(last.manifest.warnings).toContain(
      '3 objects were deleted while the backup ran, before their history was read: they are in the backup without history',
    );
    expect(last.stats.possibleGaps).toBe(0);
  });

  test('objects deleted between invocations: nothing still present is skipped, nothing is written twice', async () => {
    const { other, small, store, client, base } = smallSite('backup-shift', false);
    let pages = 0;
    const first = await runBackup({
      ...base,
      shouldYield: () => pages > 0,
      onProgress: (p) => {
        pages = p.pages;
      },
    });
    if (first.done) throw new Error('expected a pause after the first page');
    const ids = other.store.objectIds(small.schemaId);
    // 5 deleted (within the re-read overlap), resume one page; then 70 more (beyond it), resume to the end
    for (const id of ids.slice(50, 55)) await client.deleteObject(id);
    pages = 0;
    const second = await runBackup({
      ...base,
      cursor: first.cursor,
      shouldYield: () => pages > 0,
      onProgress: (p) => {
        pages = p.pages - first.stats.pages;
      },
    });
    if (second.done) throw new Error('expected a pause after the second page');
    expect(second.stats.pageRetries).toBe(0);
    for (const id of ids.slice(120, 190)) await client.deleteObject(id);
    const last = await runBackup({ ...base, cursor: second.cursor });
    if (!last.done) throw new Error('expected the backup to finish');
    const written = of(await readAll(last.manifest, store), 'object').map((o) => o.id);
    expect(new Set(written).size).toBe(written.length);
    const remaining = other.store.objectIds(small.schemaId);
    expect(remaining.filter((id) => !written.includes(id))).toEqual([]);
    expect(last.stats.pageRetries).toBe(1);
    expect(last.stats.possibleGaps).toBe(0);
    expect(last.manifest.counts.byKind).toMatchObject({ history: 0, icon: 0, issueRef: 0 });
  });

  test('a cursor from another schema or with other options is refused', async () => {
    const store = createMemoryChunkStore();
    const base = {
      client: clientFor(site),
      schemaId: seed.schemaId,
      source: { cloudId: site.info.cloudId, siteUrl: site.info.siteUrl },
      sink: store,
    };
    const paused = await runBackup({ ...base, options: ALL, shouldYield: () => true });
    if (paused.done) throw new Error('expected a pause');
    await expect(
      runBackup({ ...base, options: { ...ALL, history: false }, cursor: paused.cursor }),
    ).rejects.toMatchObject({ code: 'invalid_backup_cursor' });
    await expect(
      runBackup({ ...base, schemaId: seed.secondSchemaId ?? '1', options: ALL, cursor: paused.cursor }),
    ).rejects.toMatchObject({ code: 'invalid_backup_cursor' });
  });
});
