/**
 * Browsing, search, object detail and export of a completed backup, over real HTTP against a real
 * Postgres: the snapshot is made by the shared backup engine from the emulator and uploaded through
 * the signed ingest API, so the browse tables are filled by the real completion path.
 */
import { randomUUID } from 'node:crypto';
import {
  readSnapshot,
  type AttributeRecord,
  type HistoryRecord,
  type IconRecord,
  type ObjectRecord,
  type ObjectTypeRecord,
  type SnapshotManifest,
} from '@assets-vault/shared/snapshot';
import XLSX from 'xlsx';
import { MULTI_VALUE_SEPARATOR } from '../src/modules/export/service.js';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { parseCsv } from './helpers/csv.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { createSiteWithSession, createTrustedUserSession } from './helpers/site.js';
import { fixtureSnapshot } from './helpers/snapshot.js';
import { uploadThroughForgeApi } from './helpers/upload.js';

const SITE = { cloudId: 'cloud-browse', siteUrl: 'https://browse.atlassian.net' };

describe('browse, search, detail and export of a completed backup', () => {
  let testDb: TestDatabase;
  let vault: TestApp;
  let manifest: SnapshotManifest;
  const objects: ObjectRecord[] = [];
  const types: ObjectTypeRecord[] = [];
  const attributes: AttributeRecord[] = [];
  const icons: IconRecord[] = [];
  const histories = new Map<string, HistoryRecord>();
  let backupId = '';
  let openBackupId = '';
  let cookieA = '';
  let cookieB = '';

  const get = (path: string, cookie = cookieA) => fetch(`${vault.baseUrl}/api/v1${path}`, { headers: { cookie } });
  const getJson = async <T>(path: string, cookie = cookieA): Promise<{ status: number; body: T }> => {
    const res = await get(path, cookie);
    return { status: res.status, body: (await res.json()) as T };
  };

  beforeAll(async () => {
    const snapshot = await fixtureSnapshot({
      name: 'browse',
      objects: 250,
      source: SITE,
      options: { history: true, icons: true, issueRefs: false },
      maxChunkRecords: 80,
    });
    manifest = snapshot.manifest;
    for await (const r of readSnapshot(manifest, { getChunk: async (seq) => snapshot.chunks.get(seq) })) {
      if (r.kind === 'object') objects.push(r);
      else if (r.kind === 'objectType') types.push(r);
      else if (r.kind === 'attribute') attributes.push(r);
      else if (r.kind === 'history') histories.set(r.objectId, r);
      else if (r.kind === 'icon') icons.push(r);
    }
    testDb = await createTestDatabase();
    vault = await startTestApp({ db: testDb.db, config: testConfig({ VAULT_WORKERS: 'false' }) });
    backupId = await uploadThroughForgeApi(vault.baseUrl, SITE, snapshot, { openId: `bkc_${randomUUID()}` });
    openBackupId = await uploadThroughForgeApi(vault.baseUrl, SITE, snapshot, {
      openId: `bkc_${randomUUID()}`,
      chunks: new Map([[0, snapshot.chunks.get(0)!]]),
      complete: false,
    });
    const siteA = await testDb.db
      .selectFrom('site')
      .select('id')
      .where('cloud_id', '=', SITE.cloudId)
      .executeTakeFirstOrThrow();
    cookieA = (await createTrustedUserSession(testDb.db, siteA.id, 'admin@a.test')).cookie;
    const siteB = { cloudId: 'cloud-other', siteUrl: 'https://other.atlassian.net', email: 'admin@b.test' };
    cookieB = (await createSiteWithSession(testDb.db, siteB)).cookie;
  }, 90_000);

  afterAll(async () => {
    await vault?.close();
    await testDb?.drop();
  });

  interface Node {
    id: string;
    name: string;
    objectCount: number;
    children: Node[];
  }
  interface Page {
    items: { id: string; key: string; label: string; objectTypeId: string }[];
    nextCursor: string | null;
  }

  async function allPages(query: string, limit: number): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: Page } = await getJson<Page>(
        `/backups/${backupId}/objects?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(limit);
      ids.push(...res.body.items.map((i) => i.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    return { ids, pages };
  }

  const searchable = (o: ObjectRecord) =>
    [o.label, o.objectKey, ...o.attributes.flatMap((a) => a.objectAttributeValues.map((v) => v.displayValue))]
      .join(' ')
      .toLowerCase();

  it('lists the object types as a tree whose counts match the snapshot', async () => {
    const res = await getJson<{ items: Node[] }>(`/backups/${backupId}/object-types`);
    expect(res.status).toBe(200);
    const flat: Node[] = [];
    const walk = (nodes: Node[]) => {
      for (const n of nodes) {
        flat.push(n);
        walk(n.children);
      }
    };
    walk(res.body.items);
    expect(flat.map((n) => n.id).sort()).toEqual(types.map((t) => t.id).sort());
    for (const n of flat) expect(n.objectCount).toBe(objects.filter((o) => o.objectTypeId === n.id).length);
    const child = types.find(
      (t) => t.parentObjectTypeId !== undefined && types.some((p) => p.id === t.parentObjectTypeId),
    );
    if (child) {
      const parent = flat.find((n) => n.id === child.parentObjectTypeId)!;
      expect(parent.children.map((c) => c.id)).toContain(child.id);
    }
  });

  it('pages through every object once with the keyset cursor', async () => {
    const { ids, pages } = await allPages('', 37);
    expect(ids).toHaveLength(objects.length);
    expect(new Set(ids)).toEqual(new Set(objects.map((o) => o.id)));
    expect(pages).toBe(Math.ceil(objects.length / 37) + (objects.length % 37 === 0 ? 1 : 0));
  });

  it('filters by object type', async () => {
    const type = types.find((t) => objects.some((o) => o.objectTypeId === t.id))!;
    const { ids } = await allPages(`&objectTypeId=${type.id}`, 100);
    expect(new Set(ids)).toEqual(new Set(objects.filter((o) => o.objectTypeId === type.id).map((o) => o.id)));
  });

  it('searches label, key and attribute values, case-insensitively, exactly as the snapshot says', async () => {
    const sample = objects[17]!;
    const labelAttr = attributes.filter((a) => a.label).map((a) => a.id);
    const otherValue = sample.attributes
      .find(
        (a) =>
          !labelAttr.includes(a.objectTypeAttributeId) &&
          a.objectAttributeValues.some((v) => v.displayValue.length >= 4),
      )
      ?.objectAttributeValues.find((v) => v.displayValue.length >= 4)?.displayValue;
    const queries = [
      sample.label.toUpperCase(),
      sample.objectKey,
      ...(otherValue ? [otherValue] : []),
      'no such text anywhere %_',
    ];
    for (const q of queries) {
      const { ids } = await allPages(`&q=${encodeURIComponent(q)}`, 50);
      const expected = objects.filter((o) => searchable(o).includes(q.toLowerCase())).map((o) => o.id);
      expect(new Set(ids)).toEqual(new Set(expected));
    }
    expect(otherValue).toBeDefined();
  });

  it('shows an object with named attributes, reference links and history', async () => {
    const withRef =
      objects.find(
        (o) => o.attributes.some((a) => a.objectAttributeValues.some((v) => v.referencedObject)) && histories.has(o.id),
      ) ?? objects.find((o) => o.attributes.some((a) => a.objectAttributeValues.some((v) => v.referencedObject)))!;
    const res = await getJson<{
      id: string;
      key: string;
      label: string;
      attributes: {
        id: string;
        name: string;
        values: { displayValue: string; reference?: { id: string; key: string; label: string } }[];
      }[];
      history: unknown[];
    }>(`/backups/${backupId}/objects/${withRef.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: withRef.id, key: withRef.objectKey, label: withRef.label });
    expect(res.body.attributes).toHaveLength(withRef.attributes.length);
    for (const a of withRef.attributes) {
      const shown = res.body.attributes.find((x) => x.id === a.objectTypeAttributeId)!;
      expect(shown.name).toBe(attributes.find((d) => d.id === a.objectTypeAttributeId)!.name);
      expect(shown.values.map((v) => v.displayValue)).toEqual(a.objectAttributeValues.map((v) => v.displayValue));
      a.objectAttributeValues.forEach((v, i) => {
        if (v.referencedObject)
          expect(shown.values[i]!.reference).toEqual({
            id: v.referencedObject.id,
            key: v.referencedObject.objectKey,
            label: v.referencedObject.label,
          });
      });
    }
    expect(res.body.history).toEqual(histories.get(withRef.id)?.entries ?? []);
    expect(histories.size).toBeGreaterThan(0);
  });

  it('answers 404 for another site, an unknown object and an incomplete backup', async () => {
    const paths = [
      `/backups/${backupId}/object-types`,
      `/backups/${backupId}/objects`,
      `/backups/${backupId}/objects/${objects[0]!.id}`,
      `/backups/${backupId}/export?format=csv`,
    ];
    for (const p of paths) expect((await get(p, cookieB)).status).toBe(404);
    for (const p of paths.map((x) => x.replace(backupId, openBackupId))) expect((await get(p)).status).toBe(404);
    expect((await get(`/backups/${backupId}/objects/999999999`)).status).toBe(404);
    expect((await get(`/backups/not-a-uuid/objects`)).status).toBe(404);
    expect((await get(`/backups/${backupId}/objects`, '')).status).toBe(401);
    expect((await get(`/backups/${backupId}/objects?cursor=bogus`)).status).toBe(400);
  });

  const attrNames = () => {
    // export columns: attribute names in schema order, one per name
    const sorted = [...attributes].sort((x, y) => x.position - y.position || (x.id < y.id ? -1 : 1));
    return [...new Set(sorted.map((a) => a.name))];
  };
  const cell = (o: ObjectRecord, name: string) => {
    const ids = new Set(attributes.filter((a) => a.name === name).map((a) => a.id));
    return o.attributes
      .filter((a) => ids.has(a.objectTypeAttributeId))
      .map((a) => a.objectAttributeValues.map((v) => v.displayValue).join(MULTI_VALUE_SEPARATOR))
      .join('');
  };
  const typeName = (id: string) => types.find((t) => t.id === id)!.name;

  it('exports XLSX whose headers and rows match the snapshot, and audits it', async () => {
    const res = await get(`/backups/${backupId}/export?format=xlsx`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.xlsx"$/);
    const wb = XLSX.read(Buffer.from(await res.arrayBuffer()), { type: 'buffer' });
    const rows = XLSX.utils.sheet_to_json<string[]>(wb.Sheets[wb.SheetNames[0]!]!, { header: 1, defval: '' });
    const columns = attrNames().filter((n) => !['Object ID', 'Key', 'Label', 'Object type'].includes(n));
    expect(rows[0]).toEqual(['Object ID', 'Key', 'Label', 'Object type', ...columns]);
    expect(rows).toHaveLength(objects.length + 1);
    objects.forEach((o, i) => {
      expect(rows[i + 1]).toEqual([
        o.id,
        o.objectKey,
        o.label,
        typeName(o.objectTypeId),
        ...columns.map((c) => cell(o, c)),
      ]);
    });
    const audit = await testDb.db
      .selectFrom('audit_event')
      .select(['actor', 'details'])
      .where('action', '=', 'backup.exported')
      .where('target', '=', backupId)
      .execute();
    expect(audit).toContainEqual({ actor: 'admin@a.test', details: expect.objectContaining({ format: 'xlsx' }) });
  });

  it('exports CSV and JSON of one object type that parse back to the same rows', async () => {
    const type = types.find((t) => objects.some((o) => o.objectTypeId === t.id))!;
    const expected = objects.filter((o) => o.objectTypeId === type.id);
    const csvRes = await get(`/backups/${backupId}/export?format=csv&objectTypeId=${type.id}`);
    expect(csvRes.status).toBe(200);
    expect(csvRes.headers.get('content-type')).toMatch(/^text\/csv/);
    const csv = parseCsv((await csvRes.text()).replace(/^\uFEFF/, ''));
    expect(csv[0]!.slice(0, 4)).toEqual(['Object ID', 'Key', 'Label', 'Object type']);
    expect(csv.slice(1).map((r) => r[0])).toEqual(expected.map((o) => o.id));
    expect(csv.slice(1).map((r) => r[2])).toEqual(
      expected.map((o) => (/^[=+\-@]/.test(o.label) ? `'${o.label}` : o.label)),
    );

    const jsonRes = await get(`/backups/${backupId}/export?format=json&objectTypeId=${type.id}`);
    expect(jsonRes.status).toBe(200);
    const json = (await jsonRes.json()) as {
      backup: { id: string };
      objects: { id: string; key: string; label: string; values: Record<string, string> }[];
    };
    expect(json.backup.id).toBe(backupId);
    expect(json.objects.map((o) => [o.id, o.key, o.label])).toEqual(expected.map((o) => [o.id, o.objectKey, o.label]));
  });

  it('exports JSON with typed values and the schema definitions, which the definitions route serves too', async () => {
    const definitions = await getJson<{
      schema: { id: string; key: string };
      objectTypes: {
        id: string;
        name: string;
        attributes: {
          id: string;
          name: string;
          type: number;
          defaultType: string | null;
          maximumCardinality: number | null;
          options: string[];
        }[];
      }[];
    }>(`/backups/${backupId}/definitions`);
    expect(definitions.status).toBe(200);
    expect(definitions.body.schema).toMatchObject({ id: manifest.schema.id, key: manifest.schema.key });
    expect(definitions.body.objectTypes.map((t) => t.id)).toEqual(types.map((t) => t.id));
    const served = new Map(definitions.body.objectTypes.flatMap((t) => t.attributes.map((a) => [a.id, a] as const)));
    expect([...served.keys()].sort()).toEqual(attributes.map((a) => a.id).sort());
    for (const a of attributes)
      expect(served.get(a.id)).toMatchObject({
        name: a.name,
        type: a.type,
        defaultType: a.type === 0 ? (a.defaultType?.name ?? null) : null,
        maximumCardinality: a.maximumCardinality ?? null,
      });
    expect((await get(`/backups/${randomUUID()}/definitions`)).status).toBe(404);

    const res = await get(`/backups/${backupId}/export?format=json`);
    expect(res.status).toBe(200);
    const json = (await res.json()) as {
      definitions: typeof definitions.body;
      objects: { id: string; objectType: { id: string }; attributes: Record<string, unknown> }[];
    };
    expect(json.definitions).toEqual(definitions.body);
    expect(json.objects.map((o) => o.id)).toEqual(objects.map((o) => o.id));
    const attributeById = new Map(attributes.map((a) => [a.id, a]));
    const seen = new Set<string>();
    for (const [i, o] of objects.entries()) {
      const exported = json.objects[i]!;
      expect(exported.objectType.id).toBe(o.objectTypeId);
      for (const attribute of o.attributes) {
        const def = attributeById.get(attribute.objectTypeAttributeId)!;
        const value = exported.attributes[def.name];
        const values = attribute.objectAttributeValues;
        const multi = def.maximumCardinality !== 1;
        const list = (multi ? value : [value]) as unknown[];
        expect(Array.isArray(list)).toBe(true);
        for (const [j, stored] of values.entries()) {
          const got = list[j];
          const kind = def.type === 0 ? (def.defaultType?.name ?? 'Text') : `kind ${def.type}`;
          seen.add(kind);
          if (stored.referencedObject)
            expect(got).toEqual({
              id: stored.referencedObject.id,
              key: stored.referencedObject.objectKey,
              label: stored.referencedObject.label,
            });
          else if (stored.status) expect(got).toEqual({ id: stored.status.id, name: stored.status.name });
          else if (stored.user)
            expect(got).toEqual({ accountId: stored.user.key ?? null, displayName: stored.user.displayName ?? null });
          else if (kind === 'DateTime') {
            expect(got).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
            expect(Date.parse(got as string)).toBe(Date.parse(stored.value!));
          } else if (kind === 'Date') expect(got).toMatch(/^\d{4}-\d{2}-\d{2}$/);
          else if (kind === 'Integer' || kind === 'Double') expect(got).toBe(Number(stored.value));
          else if (kind === 'Boolean') expect(got).toBe(stored.value === 'true');
          else if (stored.value !== undefined) expect(got).toBe(stored.value);
        }
      }
    }
    // the fixture has every kind this test checks
    expect([...seen]).toEqual(
      expect.arrayContaining(['DateTime', 'Date', 'Integer', 'Double', 'Boolean', 'kind 1', 'kind 7']),
    );
  });

  it("serves the type icons' pictures the backup holds, to its own site only", async () => {
    const definitions = await getJson<{ objectTypes: { id: string; icon: { id: string; image: boolean } }[] }>(
      `/backups/${backupId}/definitions`,
    );
    expect(icons.length).toBeGreaterThan(0);
    const held = new Map(icons.map((i) => [i.id, i]));
    for (const t of definitions.body.objectTypes) {
      const icon = held.get(t.icon.id);
      expect(t.icon.image).toBe(icon?.png48Base64 !== undefined);
    }
    const icon = icons[0]!;
    const res = await get(`/backups/${backupId}/icons/${icon.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).toString('base64')).toBe(icon.png48Base64);
    expect((await get(`/backups/${backupId}/icons/${icon.id}`, cookieB)).status).toBe(404);
    expect((await get(`/backups/${backupId}/icons/no-such-icon`)).status).toBe(404);
    expect((await get(`/backups/${backupId}/icons/${icon.id}`, '')).status).toBe(401);
  });
});
