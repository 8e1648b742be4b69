/**
 * Emulator contract: every endpoint's response, fetched over a real socket, is checked against the
 * model schemas the Assets client validates with — without coercion — so a drift on either side
 * breaks this suite. Also: no `null` anywhere (absent fields are omitted), ids as strings.
 */
import { Type } from '@sinclair/typebox';
import {
  AqlPageSchema,
  AssetObjectSchema,
  ASSETS_FIELD_CUSTOM_TYPE,
  ConnectedTicketsSchema,
  GlobalConfigSchema,
  IconSchema,
  JiraErrorBodySchema,
  JiraFieldSchema,
  JiraIssueSchema,
  JiraSearchResultSchema,
  ObjectAttributeSchema,
  ObjectHistorySchema,
  ObjectReferenceInfoSchema,
  ObjectSchemaPageSchema,
  ObjectSchemaSchema,
  ObjectTypeAttributeSchema,
  ObjectTypeSchema,
  ReferenceTypeSchema,
  StatusSchema,
  TotalCountSchema,
  UsageSchema,
  WorkspacePageSchema,
  type AssetObject,
} from '@assets-vault/shared/model';
import type { Emulator, EmulatorSite, SeedResult } from '../src/index.js';
import { call, conforms, nullPaths } from './fixtures/emulator-http.js';
import { startSeededSite } from './fixtures/seeded-site.js';

let emu: Emulator, site: EmulatorSite, seeded: SeedResult;
beforeAll(async () => {
  ({ emu, site, seeded } = await startSeededSite('contract', { objects: 300, systemSchema: true }));
});
afterAll(() => emu.close());

/** 2xx with a body matching the schema and no nulls. */
async function ok<T extends Parameters<typeof conforms>[0]>(
  schema: T,
  method: string,
  path: string,
  opts: Parameters<typeof call>[3] = {},
  status = 200,
) {
  const res = await call(site, method, path, opts);
  if (res.status !== status)
    throw new Error(`${method} ${path}: expected ${status}, got ${res.status} ${res.text.slice(0, 300)}`);
  expect(nullPaths(res.json)).toEqual([]);
  return conforms(schema, res.json, `${method} ${path}`);
}

const firstOfType = (name: string) => site.store.raw.aqlIds(`objectType = "${name}"`)[0] as number;
/** ids are sparse: look global statuses and reference types up by name */
const referenceTypeId = (name: string) => site.store.referenceTypes().find((r) => r.name === name)?.id ?? '';
const statusId = (name: string) => site.store.statuses().find((s) => s.name === name)?.id ?? '';

describe('discovery', () => {
  test('workspace discovery answers the JSM paged DTO with the site workspace', async () => {
    const page = await ok(WorkspacePageSchema, 'GET', '/servicedeskapi/assets/workspace?start=0&limit=50', {
      base: 'jira',
    });
    expect(page.values).toEqual([{ workspaceId: site.info.workspaceId }]);
    expect(page).toMatchObject({ start: 0, limit: 50, size: 1, isLastPage: true });
  });

  test('tenant_info returns the cloudId without authentication', async () => {
    const res = await call(site, 'GET', '/_edge/tenant_info', { base: 'site', auth: null });
    expect(res.status).toBe(200);
    expect(conforms(Type.Object({ cloudId: Type.String() }), res.json).cloudId).toBe(site.info.cloudId);
  });

  test('the same Assets paths answer under all base URL forms', async () => {
    for (const base of ['assets', 'assets-cloud', 'assets-site'] as const) {
      const page = await ok(ObjectSchemaPageSchema, 'GET', '/objectschema/list', { base });
      expect(page.values.length).toBeGreaterThan(0);
    }
  });
});

describe('object schemas', () => {
  test('list is an Assets page; counts are 0 unless includeCounts=true', async () => {
    const plain = await ok(ObjectSchemaPageSchema, 'GET', '/objectschema/list');
    expect(plain.values.every((s) => s.objectCount === 0 && s.objectTypeCount === 0)).toBe(true);
    const counted = await ok(ObjectSchemaPageSchema, 'GET', '/objectschema/list?includeCounts=true&maxResults=1');
    expect(counted.maxResults).toBe(1);
    expect(counted.values).toHaveLength(1);
    expect(counted.isLast).toBe(false);
    expect(counted.last).toBe(false);
    const main = (await ok(ObjectSchemaPageSchema, 'GET', '/objectschema/list?includeCounts=true')).values.find(
      (s) => s.id === seeded.schemaId,
    );
    expect(main).toMatchObject({
      objectCount: seeded.objectCount,
      status: 'Ok',
      canManage: true,
      globalId: `${site.info.workspaceId}:${seeded.schemaId}`,
    });
    const services = (await ok(ObjectSchemaPageSchema, 'GET', '/objectschema/list')).values.find(
      (s) => s.id === seeded.systemSchemaId,
    );
    expect(services?.canManage).toBe(false);
  });

  test('create (201), get, update, delete return ObjectSchema', async () => {
    const created = await ok(
      ObjectSchemaSchema,
      'POST',
      '/objectschema/create',
      { body: { name: 'Contract temp', objectSchemaKey: 'CTMP' } },
      201,
    );
    expect(created.description).toBeUndefined();
    await ok(ObjectSchemaSchema, 'GET', `/objectschema/${created.id}`);
    const updated = await ok(ObjectSchemaSchema, 'PUT', `/objectschema/${created.id}`, {
      body: { description: 'now described' },
    });
    expect(updated.description).toBe('now described');
    await ok(ObjectSchemaSchema, 'DELETE', `/objectschema/${created.id}`);
    expect((await call(site, 'GET', `/objectschema/${created.id}`)).status).toBe(404);
  });

  test('schema attributes (extended embeds the object type) and type lists', async () => {
    const attrs = await ok(
      Type.Array(ObjectTypeAttributeSchema),
      'GET',
      `/objectschema/${seeded.schemaId}/attributes?extended=true`,
    );
    expect(attrs.length).toBeGreaterThan(20);
    expect(attrs.every((a) => a.objectType !== undefined)).toBe(true);
    const flat = await ok(
      Type.Array(ObjectTypeSchema),
      'GET',
      `/objectschema/${seeded.schemaId}/objecttypes/flat?includeObjectCounts=true`,
    );
    expect(flat.map((t) => t.name).sort()).toEqual([
      'Hardware',
      'Laptop',
      'Location',
      'Network device',
      'Server',
      'Software',
    ]);
    const laptop = flat.find((t) => t.name === 'Laptop');
    expect(laptop?.parentObjectTypeId).toBe(Number(seeded.objectTypeIds.Hardware));
    expect(laptop?.parentObjectTypeInherited).toBe(true);
    expect(flat.find((t) => t.name === 'Hardware')).toMatchObject({ abstractObjectType: true, inherited: true });
    const roots = await ok(Type.Array(ObjectTypeSchema), 'GET', `/objectschema/${seeded.schemaId}/objecttypes`);
    expect(roots.every((t) => t.parentObjectTypeId === undefined)).toBe(true);
  });
});

describe('object types and attributes', () => {
  test('type create/get/update/position/delete return ObjectType; attribute CRUD returns ObjectTypeAttribute', async () => {
    const schema = await ok(
      ObjectSchemaSchema,
      'POST',
      '/objectschema/create',
      { body: { name: 'Contract types', objectSchemaKey: 'CTYP' } },
      201,
    );
    const parent = await ok(
      ObjectTypeSchema,
      'POST',
      '/objecttype/create',
      { body: { name: 'Parent', objectSchemaId: schema.id, iconId: '1', inherited: true } },
      201,
    );
    const child = await ok(
      ObjectTypeSchema,
      'POST',
      '/objecttype/create',
      { body: { name: 'Child', objectSchemaId: Number(schema.id), iconId: 2, parentObjectTypeId: parent.id } },
      201,
    );
    expect(child).toMatchObject({
      parentObjectTypeId: Number(parent.id),
      parentObjectTypeInherited: true,
      position: 0,
      objectSchemaId: schema.id,
    });
    await ok(ObjectTypeSchema, 'GET', `/objecttype/${child.id}`);
    await ok(ObjectTypeSchema, 'PUT', `/objecttype/${child.id}`, { body: { description: 'child type', iconId: '3' } });
    const moved = await ok(ObjectTypeSchema, 'POST', `/objecttype/${child.id}/position`, {
      body: { toObjectTypeId: parent.id, position: 0 },
    });
    expect(moved.position).toBe(0);

    const attrs = await ok(Type.Array(ObjectTypeAttributeSchema), 'GET', `/objecttype/${child.id}/attributes`);
    expect(attrs.map((a) => a.name)).toEqual(['Key', 'Name', 'Created', 'Updated']);
    const ref = await ok(
      ObjectTypeAttributeSchema,
      'POST',
      `/objecttypeattribute/${parent.id}`,
      {
        body: {
          name: 'Peer',
          type: '1',
          typeValue: parent.id,
          additionalValue: referenceTypeId('Reference'),
          maximumCardinality: 5,
          includeChildObjectTypes: true,
        },
      },
      201,
    );
    expect(ref).toMatchObject({ type: 1, referenceObjectTypeId: parent.id, maximumCardinality: 5 });
    expect(ref.referenceType).toMatchObject({ id: referenceTypeId('Reference'), name: 'Reference' });
    expect(ref.referenceObjectType?.id).toBe(parent.id);
    const select = await ok(
      ObjectTypeAttributeSchema,
      'POST',
      `/objecttypeattribute/${child.id}`,
      {
        body: { name: 'Tier', type: 0, defaultTypeId: '10', options: 'Gold,Silver' },
      },
      201,
    );
    expect(select.defaultType).toEqual({ id: 10, name: 'Select' });
    const status = await ok(
      ObjectTypeAttributeSchema,
      'POST',
      `/objecttypeattribute/${child.id}`,
      { body: { name: 'State', type: 7, typeValueMulti: [statusId('Active'), statusId('Closed')] } },
      201,
    );
    expect(status.typeValueMulti).toEqual([statusId('Active'), statusId('Closed')]);
    const updated = await ok(ObjectTypeAttributeSchema, 'PUT', `/objecttypeattribute/${child.id}/${select.id}`, {
      body: { options: 'Gold,Silver,Bronze', description: 'tier' },
    });
    expect(updated.options).toBe('Gold,Silver,Bronze');
    const del = await call(site, 'DELETE', `/objecttypeattribute/${select.id}`);
    expect(del.status).toBe(200);
    expect(del.text).toBe('');
    const inherited = await ok(Type.Array(ObjectTypeAttributeSchema), 'GET', `/objecttype/${child.id}/attributes`);
    expect(inherited.map((a) => a.name)).toEqual(['Key', 'Name', 'Created', 'Updated', 'Peer', 'State']);
    expect(inherited.every((a) => a.objectType !== undefined)).toBe(true);
    await ok(ObjectTypeSchema, 'DELETE', `/objecttype/${parent.id}`);
    await ok(ObjectSchemaSchema, 'DELETE', `/objectschema/${schema.id}`);
  });
});

describe('objects', () => {
  test('create answers 201 without attributes; get/put embed definitions; attributes endpoint', async () => {
    const typeId = seeded.objectTypeIds.Location ?? '';
    const nameAttr = seeded.attributeIds['Location.Name'] ?? '';
    const created = await ok(
      AssetObjectSchema,
      'POST',
      '/object/create',
      {
        body: {
          objectTypeId: typeId,
          attributes: [{ objectTypeAttributeId: nameAttr, objectAttributeValues: [{ value: 'Contract building' }] }],
        },
      },
      201,
    );
    expect(created.attributes).toBeUndefined();
    // keys count per schema and do not follow the (sparse, workspace-wide) ids
    expect(created.objectKey).toBe(`ITI-${seeded.objectCount + 1}`);
    expect(created.objectKey).not.toBe(`ITI-${created.id}`);
    expect(created.hasAvatar).toBe(false);
    expect(created._links.self).toBe(
      `${site.info.assetsApiBase}/jsm/assets/workspace/${site.info.workspaceId}/v1/object/${created.id}`,
    );
    expect(created.avatar.mediaClientConfig).toBeUndefined();
    const got = await ok(AssetObjectSchema, 'GET', `/object/${created.id}`);
    expect(got.attributes?.every((a) => a.objectTypeAttribute !== undefined)).toBe(true);
    expect(got.attributes?.map((a) => a.objectTypeAttribute?.name)).toEqual(['Key', 'Name', 'Created', 'Updated']);
    expect(got.extendedInfo).toEqual({ openIssuesExists: false, attachmentsExists: false });
    const put = await ok(AssetObjectSchema, 'PUT', `/object/${created.id}`, {
      body: {
        objectTypeId: typeId,
        attributes: [
          {
            objectTypeAttributeId: seeded.attributeIds['Location.Building code'],
            objectAttributeValues: [{ value: 'B-CONTRACT' }],
          },
        ],
      },
    });
    expect(put.attributes?.every((a) => a.objectTypeAttribute !== undefined)).toBe(true);
    const attrs = await ok(Type.Array(ObjectAttributeSchema), 'GET', `/object/${created.id}/attributes`);
    expect(attrs.map((a) => a.objectTypeAttribute?.name)).toContain('Building code');
    const del = await call(site, 'DELETE', `/object/${created.id}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
  });

  test('every seeded object renders to the schema, with every kind of value', async () => {
    const kinds = new Set<string>();
    const ids = ['Laptop', 'Server', 'Network device', 'Software', 'Location', 'Employee', 'Office'].flatMap((name) =>
      site.store.raw.aqlIds(`objectType = "${name}"`).slice(0, 8),
    );
    for (const id of ids) {
      const obj = await ok(AssetObjectSchema, 'GET', `/object/${id}`);
      for (const a of obj.attributes ?? []) {
        for (const v of a.objectAttributeValues) {
          if (v.referencedObject) kinds.add('reference');
          if (v.user) kinds.add('user');
          if (v.group) kinds.add('group');
          if (v.status) kinds.add('status');
          if (a.objectTypeAttribute?.defaultType) kinds.add(`default:${a.objectTypeAttribute.defaultType.name}`);
        }
      }
    }
    expect([...kinds].sort()).toEqual([
      'default:Boolean',
      'default:Date',
      'default:DateTime',
      'default:Double',
      'default:Email',
      'default:IP Address',
      'default:Integer',
      'default:Select',
      'default:Text',
      'default:Textarea',
      'default:Time',
      'default:Url',
      'group',
      'reference',
      'status',
      'user',
    ]);
  });

  test('references render as referencedObject with label/key; dates have a localised displayValue', async () => {
    const laptop = (await ok(AssetObjectSchema, 'GET', `/object/${firstOfType('Laptop')}`)) as AssetObject;
    const loc = laptop.attributes?.find((a) => a.objectTypeAttribute?.name === 'Location')?.objectAttributeValues[0];
    expect(loc?.referencedType).toBe(true);
    expect(loc?.value).toBeUndefined();
    expect(loc?.displayValue).toBe(loc?.referencedObject?.label);
    expect(loc?.searchValue).toBe(loc?.referencedObject?.objectKey);
    expect('attributes' in (loc?.referencedObject ?? {})).toBe(false);
    const purchase = laptop.attributes?.find((a) => a.objectTypeAttribute?.name === 'Purchase date')
      ?.objectAttributeValues[0];
    expect(purchase?.value).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(purchase?.displayValue).not.toBe(purchase?.value);
  });

  test('custom avatars carry a fresh media token on every read; others point at the type icon', async () => {
    const id = seeded.avatarObjectIds[0];
    expect(id).toBeDefined();
    const a = await ok(AssetObjectSchema, 'GET', `/object/${id}`);
    const b = await ok(AssetObjectSchema, 'GET', `/object/${id}`);
    expect(a.hasAvatar).toBe(true);
    expect(a.avatar.mediaClientConfig?.fileId).toBe(b.avatar.mediaClientConfig?.fileId);
    expect(a.avatar.mediaClientConfig?.mediaJwtToken).not.toBe(b.avatar.mediaClientConfig?.mediaJwtToken);
    const png = await fetch(a.avatar.url48, { headers: { authorization: `Bearer ${site.info.bearerToken}` } });
    expect(png.status).toBe(200);
    expect(
      Buffer.from(await png.arrayBuffer())
        .subarray(1, 4)
        .toString('ascii'),
    ).toBe('PNG');
    const plain = await ok(AssetObjectSchema, 'GET', `/object/${firstOfType('Location')}`);
    expect(plain.avatar.url16).toContain(`/objecttype/${plain.objectType.id}/icon.png`);
  });

  test('history is a bare array of ObjectHistory', async () => {
    const list = await ok(Type.Array(ObjectHistorySchema), 'GET', `/object/${firstOfType('Laptop')}/history?asc=true`);
    expect(list[0]?.type).toBe(0);
    expect(list[0]?.affectedAttribute).toBeUndefined();
  });

  test('connected tickets and reference info', async () => {
    const issue = site.store.issues().find((i) => Array.isArray(i.fields[seeded.assetsFieldIds[0] ?? '']));
    const objectId = (issue?.fields[seeded.assetsFieldIds[0] ?? ''] as Array<{ objectId: string }>)[0]?.objectId;
    const tickets = await ok(ConnectedTicketsSchema, 'GET', `/objectconnectedtickets/${objectId}/tickets`);
    expect(tickets.tickets.map((t) => t.key)).toContain(issue?.key);
    expect(tickets.allTicketsQuery).toContain('aqlFunction');
    const referenced = site.store.raw.aqlIds(`objectType = Laptop AND Location IS NOT EMPTY`)[0] ?? 0;
    const locationId = site.store.raw
      .object(referenced)
      ?.values.get(Number(seeded.attributeIds['Hardware.Location']))?.[0];
    const info = await ok(Type.Array(ObjectReferenceInfoSchema), 'GET', `/object/${locationId}/referenceinfo`);
    expect(info.length).toBeGreaterThan(0);
    expect(info.every((i) => i.numberOfReferencedObjects > 0)).toBe(true);
  });
});

describe('search', () => {
  test('AQL page with objectTypeAttributes; values carry ids but no embedded definitions', async () => {
    const page = await ok(AqlPageSchema, 'POST', '/object/aql?startAt=0&maxResults=50&includeAttributes=true', {
      body: { qlQuery: `objectSchemaId = ${seeded.schemaId}` },
    });
    expect(page.values).toHaveLength(50);
    expect(page.total).toBe(seeded.objectCount);
    expect(page.isLast).toBe(false);
    expect(page.values.every((o) => o.attributes?.every((a) => a.objectTypeAttribute === undefined))).toBe(true);
    const used = new Set(page.values.flatMap((o) => (o.attributes ?? []).map((a) => a.objectTypeAttributeId)));
    expect(new Set(page.objectTypeAttributes?.map((a) => a.id))).toEqual(used);
    expect(page.objectTypeAttributes?.every((a) => a.objectType !== undefined)).toBe(true);
    const bare = await ok(AqlPageSchema, 'POST', '/object/aql?maxResults=5&includeAttributes=false', {
      body: { qlQuery: `objectSchemaId = ${seeded.schemaId}` },
    });
    expect(bare.values.every((o) => o.attributes === undefined)).toBe(true);
  });

  test('totalcount', async () => {
    const tc = await ok(TotalCountSchema, 'POST', '/object/aql/totalcount', {
      body: { qlQuery: `objectSchemaId = ${seeded.schemaId}` },
    });
    expect(tc.totalCount).toBe(seeded.objectCount);
  });
});

describe('configuration and icons', () => {
  test('status types: list (global + schema), create 201, get, update, delete empty 200', async () => {
    const globals = await ok(Type.Array(StatusSchema), 'GET', '/config/statustype');
    expect(globals.every((s) => s.objectSchemaId === undefined)).toBe(true);
    const withSchema = await ok(
      Type.Array(StatusSchema),
      'GET',
      `/config/statustype?objectSchemaId=${seeded.schemaId}`,
    );
    expect(withSchema.some((s) => s.objectSchemaId === seeded.schemaId)).toBe(true);
    const created = await ok(
      StatusSchema,
      'POST',
      '/config/statustype',
      { body: { name: 'Contract', category: '2', objectSchemaId: seeded.schemaId } },
      201,
    );
    expect(created.category).toBe(2);
    await ok(StatusSchema, 'GET', `/config/statustype/${created.id}`);
    await ok(StatusSchema, 'PUT', `/config/statustype/${created.id}`, { body: { name: 'Contract 2', category: 1 } });
    const del = await call(site, 'DELETE', `/config/statustype/${created.id}`);
    expect([del.status, del.text]).toEqual([200, '']);
  });

  test('reference types and config', async () => {
    const all = await ok(
      Type.Array(ReferenceTypeSchema),
      'GET',
      `/config/referencetype?objectSchemaId=${seeded.schemaId}`,
    );
    expect(all.map((r) => r.name)).toEqual(expect.arrayContaining(['Reference', 'Runs on']));
    await ok(
      ReferenceTypeSchema,
      'POST',
      '/config/referencetype',
      { body: { name: 'Contract link', color: 'AABBCC' } },
      201,
    );
    await ok(GlobalConfigSchema, 'GET', '/global/config');
    const cfg = await ok(GlobalConfigSchema, 'GET', `/global/config/objectschema/${seeded.schemaId}`);
    expect(cfg.allowOtherObjectSchema).toBe(true);
  });

  test('icons: catalog, single icon, PNG bytes, 406 for a non-image Accept', async () => {
    const icons = await ok(Type.Array(IconSchema), 'GET', '/icon/global');
    expect(icons.length).toBeGreaterThan(10);
    await ok(IconSchema, 'GET', `/icon/${icons[0]?.id}`);
    const png = await call(site, 'GET', `/icon/${icons[0]?.id}/icon.png?size=48`, { headers: { accept: 'image/png' } });
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    const refused = await call(site, 'GET', `/icon/${icons[0]?.id}/icon.png`, {
      headers: { accept: 'application/json' },
    });
    expect(refused.status).toBe(406);
    // the site's own global upload is in the catalog, the schema's own icon is not but resolves by id
    const [rack, field] = seeded.customIcons;
    expect(icons.map((i) => i.name)).toContain(rack?.name);
    expect(icons.map((i) => i.id)).not.toContain(field?.id);
    expect(await ok(IconSchema, 'GET', `/icon/${field?.id}`)).toMatchObject({ id: field?.id, name: 'Field laptop' });
    const laptop = await ok(ObjectTypeSchema, 'GET', `/objecttype/${seeded.objectTypeIds.Laptop}`);
    expect(laptop.icon).toMatchObject({ id: field?.id, name: 'Field laptop' });
  });

  test('usage: schemaId is a number; the system schema is not counted', async () => {
    const usage = await ok(UsageSchema, 'GET', '/usage');
    expect(usage.perSchemaUsageInfo.find((u) => u.schemaId === Number(seeded.schemaId))?.objectCount).toBe(
      seeded.objectCount,
    );
    expect(usage.totalObjectsCount).toBe(seeded.objectCount + seeded.secondSchemaObjectCount);
  });
});

describe('Jira', () => {
  test('fields include the Assets custom fields', async () => {
    const fields = await ok(Type.Array(JiraFieldSchema), 'GET', '/api/3/field', { base: 'jira' });
    const assets = fields.filter((f) => f.schema?.custom === ASSETS_FIELD_CUSTOM_TYPE);
    expect(assets.map((f) => f.id)).toEqual(seeded.assetsFieldIds);
  });

  test('issue get, search and update match the schemas (also through the cloud gateway)', async () => {
    const key = seeded.issueKeys[0] ?? '';
    const res = await call(site, 'GET', `/api/3/issue/${key}`, { base: 'jira' });
    const issue = conforms(JiraIssueSchema, res.json);
    expect(issue.key).toBe(key);
    const search = await call(site, 'POST', '/api/3/search/jql', {
      base: 'jira-cloud',
      body: { jql: 'project = SUP', fields: ['summary'], maxResults: 3 },
    });
    const page = conforms(JiraSearchResultSchema, search.json);
    expect(page.issues).toHaveLength(3);
    expect(page.nextPageToken).toBeDefined();
    const viaGet = await call(
      site,
      'GET',
      `/api/3/search/jql?jql=${encodeURIComponent('project = SUP ORDER BY created ASC')}&fields=summary,status&maxResults=2`,
      { base: 'jira' },
    );
    expect(conforms(JiraSearchResultSchema, viaGet.json).issues.map((i) => Object.keys(i.fields).sort())).toEqual([
      ['status', 'summary'],
      ['status', 'summary'],
    ]);
    const put = await call(site, 'PUT', `/api/3/issue/${key}`, {
      base: 'jira',
      body: { fields: { [seeded.assetsFieldIds[0] ?? '']: [] } },
    });
    expect([put.status, put.text]).toEqual([204, '']);
  });
});

describe('error bodies', () => {
  test('400 and 404 use the Jira envelope', async () => {
    const bad = await call(site, 'POST', '/objectschema/create', {
      body: { name: 'IT Inventory', objectSchemaKey: 'ITI' },
    });
    expect(bad.status).toBe(400);
    conforms(JiraErrorBodySchema, bad.json);
    const missing = await call(site, 'GET', '/object/99999999');
    expect(missing.status).toBe(404);
    conforms(JiraErrorBodySchema, missing.json);
    const badAql = await call(site, 'POST', '/object/aql', { body: { qlQuery: 'objectSchemaId = = 1' } });
    expect(badAql.status).toBe(400);
    conforms(JiraErrorBodySchema, badAql.json);
  });
});
