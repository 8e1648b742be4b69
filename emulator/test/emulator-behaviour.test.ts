/**
 * Emulator behaviour over real sockets: auth, validation errors, default attributes, keys and ids,
 * paging, the AQL subset, history, update semantics, traffic knobs (429/503/reset, determinism),
 * several sites, the control endpoints, the Jira side and fixture determinism.
 */
import {
  attributeErrorKey,
  AqlPageSchema,
  AssetObjectSchema,
  JiraSearchResultSchema,
  ObjectHistorySchema,
  type AqlPage,
  type EndpointBucket,
} from '@assets-vault/shared/model';
import { Type } from '@sinclair/typebox';
import { startEmulator, seedFixture, type Emulator, type EmulatorSite, type SeedResult } from '../src/index.js';
import { Traffic } from '../src/traffic.js';
import { basicAuth, baseUrl, call, conforms } from './fixtures/emulator-http.js';
import { startSeededSite } from './fixtures/seeded-site.js';

let emu: Emulator, site: EmulatorSite, seeded: SeedResult;
beforeAll(async () => {
  ({ emu, site, seeded } = await startSeededSite('behaviour', { objects: 400 }));
});
afterAll(() => emu.close());

const attr = (key: string): string => {
  const id = seeded.attributeIds[key];
  if (!id) throw new Error(`no attribute ${key}`);
  return id;
};
const typeId = (name: string): string => {
  const id = seeded.objectTypeIds[name];
  if (!id) throw new Error(`no type ${name}`);
  return id;
};
/** ids are sparse: global reference types are looked up by name */
const referenceTypeId = (s: EmulatorSite, name: string) =>
  s.store.referenceTypes().find((r) => r.name === name)?.id ?? '';
const values = (pairs: Array<[string, string[]]>) =>
  pairs.map(([id, vals]) => ({ objectTypeAttributeId: id, objectAttributeValues: vals.map((value) => ({ value })) }));
const aql = async (s: EmulatorSite, qlQuery: string, query = 'maxResults=1000&includeAttributes=false') => {
  const res = await call(s, 'POST', `/object/aql?${query}`, { body: { qlQuery } });
  if (res.status !== 200) throw new Error(`AQL ${qlQuery}: ${res.status} ${res.text}`);
  return conforms(AqlPageSchema, res.json);
};
const labels = (page: AqlPage) => page.values.map((o) => o.label);

function newLaptop(s = site, overrides: Array<[string, string[]]> = []) {
  const base: Array<[string, string[]]> = [
    [attr('Hardware.Name'), ['LAP-NEW']],
    [attr('Hardware.Serial Number'), [`SN-${Math.random()}`]],
  ];
  return call(s, 'POST', '/object/create', {
    body: { objectTypeId: typeId('Laptop'), attributes: values([...base, ...overrides]) },
  });
}

describe('authentication and routing', () => {
  test('missing, malformed or wrong credentials answer 401; basic and bearer both work', async () => {
    expect((await call(site, 'GET', '/objectschema/list', { auth: null })).status).toBe(401);
    expect((await call(site, 'GET', '/objectschema/list', { auth: 'Basic !!!' })).status).toBe(401);
    expect((await call(site, 'GET', '/objectschema/list', { auth: basicAuth(site.info.email, 'wrong') })).status).toBe(
      401,
    );
    expect(
      (await call(site, 'GET', '/objectschema/list', { auth: basicAuth('other@example.test', site.info.apiToken) }))
        .status,
    ).toBe(401);
    expect((await call(site, 'GET', '/objectschema/list', { auth: 'Bearer nope' })).status).toBe(401);
    expect((await call(site, 'GET', '/objectschema/list', { auth: `Bearer ${site.info.bearerToken}` })).status).toBe(
      200,
    );
    expect(
      (
        await call(site, 'GET', '/objectschema/list', {
          auth: basicAuth(site.info.email.toUpperCase(), site.info.apiToken),
        })
      ).status,
    ).toBe(200);
  });

  test('OAuth accessible-resources lists the site a bearer token reaches', async () => {
    const res = await fetch(`${site.info.assetsApiBase}/oauth/token/accessible-resources`, {
      headers: { authorization: `Bearer ${site.info.bearerToken}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([expect.objectContaining({ id: site.info.cloudId, url: site.info.siteUrl })]);
    expect((await fetch(`${site.info.assetsApiBase}/oauth/token/accessible-resources`)).status).toBe(401);
  });

  test('unknown workspace, cloud id or site answer 404', async () => {
    const h = { authorization: basicAuth(site.info.email, site.info.apiToken) };
    const ws = '00000000-0000-4000-a000-000000000000';
    expect(
      (await fetch(`${site.info.assetsApiBase}/jsm/assets/workspace/${ws}/v1/objectschema/list`, { headers: h }))
        .status,
    ).toBe(404);
    expect(
      (
        await fetch(
          `${site.info.assetsApiBase}/ex/jira/${ws}/jsm/assets/workspace/${site.info.workspaceId}/v1/objectschema/list`,
          { headers: h },
        )
      ).status,
    ).toBe(404);
    expect((await fetch(`${emu.url}/sites/nope/rest/api/3/field`, { headers: h })).status).toBe(404);
    expect((await fetch(`${baseUrl(site, 'assets')}/no/such/route`, { headers: h })).status).toBe(404);
  });

  test('sites are isolated: other credentials are refused and data is separate', async () => {
    const other = emu.createSite();
    expect(
      (await call(other, 'GET', '/objectschema/list', { auth: basicAuth(site.info.email, site.info.apiToken) })).status,
    ).toBe(401);
    const list = await call(other, 'GET', '/objectschema/list');
    expect((list.json as { values: unknown[] }).values).toEqual([]);
    expect(other.info.workspaceId).not.toBe(site.info.workspaceId);
    expect(other.info.cloudId).not.toBe(site.info.cloudId);
  });

  test('forced 401/403 and error body styles', async () => {
    const s = emu.createSite({ knobs: { forceAuthError: 403, errorBodyStyle: 'gateway' } });
    const res = await call(s, 'GET', '/objectschema/list');
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ code: 403 });
    s.setKnobs({ errorBodyStyle: 'empty' });
    const empty = await call(s, 'GET', '/objectschema/list', { auth: null });
    expect([empty.status, empty.text]).toEqual([401, '']);
    s.setKnobs({ errorBodyStyle: 'text' });
    const text = await call(s, 'GET', '/object/12345');
    expect(text.status).toBe(404);
    expect(text.headers.get('content-type')).toContain('text/plain');
    expect(text.json).toBeUndefined();
  });
});

describe('validation errors', () => {
  test('duplicate schema name or key, and a malformed key', async () => {
    const dupName = await call(site, 'POST', '/objectschema/create', {
      body: { name: 'it inventory', objectSchemaKey: 'NEWKEY' },
    });
    expect(dupName.status).toBe(400);
    expect(Object.keys((dupName.json as { errors: object }).errors)).toEqual(['name']);
    const dupKey = await call(site, 'POST', '/objectschema/create', {
      body: { name: 'Fresh', objectSchemaKey: 'ITI' },
    });
    expect(Object.keys((dupKey.json as { errors: object }).errors)).toEqual(['objectSchemaKey']);
    const badKey = await call(site, 'POST', '/objectschema/create', {
      body: { name: 'Fresh', objectSchemaKey: 'x-1' },
    });
    expect(badKey.status).toBe(400);
    const missing = await call(site, 'POST', '/objectschema/create', { body: { name: 'Fresh' } });
    expect(missing.status).toBe(400);
  });

  test('object values: invalid, unknown reference, missing required, system attribute, cardinality, select, unique', async () => {
    const errorsOf = async (res: Promise<{ status: number; json: unknown }>) => {
      const r = await res;
      expect(r.status).toBe(400);
      return (r.json as { errors: Record<string, string> }).errors;
    };
    expect(Object.keys(await errorsOf(newLaptop(site, [[attr('Laptop.RAM'), ['lots']]])))).toEqual([
      attributeErrorKey(attr('Laptop.RAM')),
    ]);
    expect(Object.keys(await errorsOf(newLaptop(site, [[attr('Hardware.Location'), ['99999999']]])))).toEqual([
      attributeErrorKey(attr('Hardware.Location')),
    ]);
    const software = site.store.raw.aqlIds('objectType = Software')[0];
    expect(Object.keys(await errorsOf(newLaptop(site, [[attr('Hardware.Location'), [String(software)]]])))).toEqual([
      attributeErrorKey(attr('Hardware.Location')),
    ]);
    const noSerial = call(site, 'POST', '/object/create', {
      body: { objectTypeId: typeId('Laptop'), attributes: values([[attr('Hardware.Name'), ['x']]]) },
    });
    expect(Object.keys(await errorsOf(noSerial))).toEqual([attributeErrorKey(attr('Hardware.Serial Number'))]);
    const keyAttr = site.store.attributes(typeId('Laptop')).find((a) => a.name === 'Key')?.id ?? '';
    expect(Object.keys(await errorsOf(newLaptop(site, [[keyAttr, ['ITI-1']]])))).toEqual([attributeErrorKey(keyAttr)]);
    expect(Object.keys(await errorsOf(newLaptop(site, [[attr('Hardware.Price'), ['1', '2']]])))).toEqual([
      attributeErrorKey(attr('Hardware.Price')),
    ]);
    expect(Object.keys(await errorsOf(newLaptop(site, [[attr('Laptop.Operating system'), ['BeOS']]])))).toEqual([
      attributeErrorKey(attr('Laptop.Operating system')),
    ]);
    expect(Object.keys(await errorsOf(newLaptop(site, [['999999', ['x']]])))).toEqual([attributeErrorKey('999999')]);
    expect(Object.keys(await errorsOf(newLaptop(site, [[attr('Laptop.Assigned user'), ['no-such-account']]])))).toEqual(
      [attributeErrorKey(attr('Laptop.Assigned user'))],
    );
    const existingSerial =
      site.store
        .renderObject(site.store.raw.aqlIds('objectType = Laptop')[0] ?? 0)
        ?.attributes?.find((a) => a.objectTypeAttributeId === attr('Hardware.Serial Number'))?.objectAttributeValues[0]
        ?.value ?? '';
    const dup = await call(site, 'POST', '/object/create', {
      body: {
        objectTypeId: typeId('Laptop'),
        attributes: values([
          [attr('Hardware.Name'), ['dup']],
          [attr('Hardware.Serial Number'), [existingSerial]],
        ]),
      },
    });
    expect(
      (dup.json as { errors: Record<string, string> }).errors[attributeErrorKey(attr('Hardware.Serial Number'))],
    ).toContain('duplicated');
    const several = await errorsOf(
      newLaptop(site, [
        [attr('Laptop.RAM'), ['x']],
        [attr('Hardware.In stock'), ['yes']],
      ]),
    );
    expect(Object.keys(several).sort()).toEqual(
      [attributeErrorKey(attr('Laptop.RAM')), attributeErrorKey(attr('Hardware.In stock'))].sort(),
    );
    const abstract = await call(site, 'POST', '/object/create', {
      body: { objectTypeId: typeId('Hardware'), attributes: values([[attr('Hardware.Name'), ['x']]]) },
    });
    expect(abstract.status).toBe(400);
  });

  test('404 for unknown ids everywhere', async () => {
    for (const path of [
      '/object/77777777',
      '/objecttype/77777777',
      '/objectschema/77777777',
      '/object/77777777/history',
      '/config/statustype/77777777',
      '/icon/77777777',
    ]) {
      expect([path, (await call(site, 'GET', path)).status]).toEqual([path, 404]);
    }
    expect((await call(site, 'DELETE', '/object/77777777')).status).toBe(404);
    expect((await call(site, 'GET', '/api/3/issue/NOPE-1', { base: 'jira' })).status).toBe(404);
  });

  test('attribute definitions: reference needs a target type and a reference type; default needs defaultTypeId', async () => {
    const t = typeId('Location');
    const noTarget = await call(site, 'POST', `/objecttypeattribute/${t}`, {
      body: { name: 'R1', type: 1, additionalValue: referenceTypeId(site, 'Reference') },
    });
    expect(Object.keys((noTarget.json as { errors: object }).errors)).toEqual(['typeValue']);
    const noRefType = await call(site, 'POST', `/objecttypeattribute/${t}`, {
      body: { name: 'R2', type: 1, typeValue: t },
    });
    expect(Object.keys((noRefType.json as { errors: object }).errors)).toEqual(['additionalValue']);
    const noDefault = await call(site, 'POST', `/objecttypeattribute/${t}`, { body: { name: 'D', type: 0 } });
    expect(Object.keys((noDefault.json as { errors: object }).errors)).toEqual(['defaultTypeId']);
    const dupName = await call(site, 'POST', `/objecttypeattribute/${t}`, {
      body: { name: 'name', type: 0, defaultTypeId: 0 },
    });
    expect(dupName.status).toBe(400);
    const keyAttr = site.store.attributes(t).find((a) => a.name === 'Key')?.id;
    expect((await call(site, 'DELETE', `/objecttypeattribute/${keyAttr}`)).status).toBe(400);
    expect(
      (await call(site, 'PUT', `/objecttypeattribute/${t}/${keyAttr}`, { body: { name: 'Renamed' } })).status,
    ).toBe(400);
  });
});

describe('schema structure', () => {
  test('a new type gets Key/Name/Created/Updated at positions 0-3; Name is the label with min 1', async () => {
    const schema = await call(site, 'POST', '/objectschema/create', {
      body: { name: 'Structure', objectSchemaKey: 'STR' },
    });
    const schemaId = (schema.json as { id: string }).id;
    const t = await call(site, 'POST', '/objecttype/create', {
      body: { name: 'Thing', objectSchemaId: schemaId, iconId: '1' },
    });
    expect(t.status).toBe(201);
    const attrs = (await call(site, 'GET', `/objecttype/${(t.json as { id: string }).id}/attributes`)).json as Array<
      Record<string, unknown>
    >;
    expect(attrs.map((a) => [a.name, a.position, a.label, a.system, a.editable])).toEqual([
      ['Key', 0, false, true, false],
      ['Name', 1, true, false, true],
      ['Created', 2, false, true, false],
      ['Updated', 3, false, true, false],
    ]);
    expect(attrs[1]?.minimumCardinality).toBe(1);
    expect(attrs[2]?.defaultType).toEqual({ id: 6, name: 'DateTime' });
    const noIcon = await call(site, 'POST', '/objecttype/create', {
      body: { name: 'No icon', objectSchemaId: schemaId },
    });
    expect(noIcon.status).toBe(400);
    const dup = await call(site, 'POST', '/objecttype/create', {
      body: { name: 'thing', objectSchemaId: schemaId, iconId: '1' },
    });
    expect(dup.status).toBe(400);
  });

  test('children of an inherited parent list its attributes; excludeParentAttributes hides them', async () => {
    const all = (await call(site, 'GET', `/objecttype/${typeId('Laptop')}/attributes`)).json as Array<{
      name: string;
      objectType: { id: string };
    }>;
    expect(all.slice(0, 4).map((a) => a.name)).toEqual(['Key', 'Name', 'Created', 'Updated']);
    expect(all.find((a) => a.name === 'Serial Number')?.objectType.id).toBe(typeId('Hardware'));
    const own = (await call(site, 'GET', `/objecttype/${typeId('Laptop')}/attributes?excludeParentAttributes=true`))
      .json as Array<{ name: string }>;
    expect(own.map((a) => a.name)).toEqual(['RAM', 'Operating system', 'Last seen', 'Assigned user']);
  });

  test('position moves a type between parents and reorders siblings', async () => {
    const schema = (
      await call(site, 'POST', '/objectschema/create', { body: { name: 'Moves', objectSchemaKey: 'MOV' } })
    ).json as { id: string };
    const mk = async (name: string) =>
      (
        (await call(site, 'POST', '/objecttype/create', { body: { name, objectSchemaId: schema.id, iconId: '1' } }))
          .json as { id: string }
      ).id;
    const a = await mk('A'),
      b = await mk('B'),
      c = await mk('C');
    const moved = await call(site, 'POST', `/objecttype/${c}/position`, { body: { position: 0 } });
    expect((moved.json as { position: number }).position).toBe(0);
    const flat = (await call(site, 'GET', `/objectschema/${schema.id}/objecttypes/flat`)).json as Array<{
      id: string;
      position: number;
      parentObjectTypeId?: number;
    }>;
    expect(flat.sort((x, y) => x.position - y.position).map((t) => t.id)).toEqual([c, a, b]);
    await call(site, 'POST', `/objecttype/${b}/position`, { body: { toObjectTypeId: a, position: 0 } });
    const bNow = (await call(site, 'GET', `/objecttype/${b}`)).json as {
      parentObjectTypeId?: number;
      position: number;
    };
    expect(bNow).toMatchObject({ parentObjectTypeId: Number(a), position: 0 });
    expect(
      (await call(site, 'POST', `/objecttype/${a}/position`, { body: { toObjectTypeId: b, position: 0 } })).status,
    ).toBe(400);
  });

  test('cross-schema reference attributes need allowOtherObjectSchema', async () => {
    const schema = (
      await call(site, 'POST', '/objectschema/create', { body: { name: 'Cross', objectSchemaKey: 'CRS' } })
    ).json as { id: string };
    const t = (
      await call(site, 'POST', '/objecttype/create', { body: { name: 'X', objectSchemaId: schema.id, iconId: '1' } })
    ).json as { id: string };
    const body = {
      name: 'Owner',
      type: 1,
      typeValue: typeId('Employee'),
      additionalValue: referenceTypeId(site, 'Reference'),
    };
    expect((await call(site, 'POST', `/objecttypeattribute/${t.id}`, { body })).status).toBe(400);
    expect(
      (
        await call(site, 'POST', `/global/config/objectschema/${schema.id}/property`, {
          body: { allowOtherObjectSchema: true },
        })
      ).status,
    ).toBe(200);
    expect((await call(site, 'POST', `/objecttypeattribute/${t.id}`, { body })).status).toBe(201);
  });
});

describe('objects, keys and history', () => {
  const newOffice = async (s: EmulatorSite, r: SeedResult, name: string) =>
    (
      await call(s, 'POST', '/object/create', {
        body: {
          objectTypeId: r.objectTypeIds.Office,
          attributes: values([[r.attributeIds['Office.Name'] ?? '', [name]]]),
        },
      })
    ).json as { id: string; objectKey: string };
  const keyNumber = (key: string) => Number(key.slice(key.lastIndexOf('-') + 1));

  test('ids are sparse, workspace-wide and never reused; key numbers count per schema, apart from ids', async () => {
    const a = (await newLaptop()).json as { id: string; objectKey: string };
    const b = await newOffice(site, seeded, 'Annex');
    const b2 = await newOffice(site, seeded, 'Annex 2');
    expect(Number(b.id)).toBeGreaterThan(Number(a.id));
    expect(Number(b2.id)).toBeGreaterThan(Number(b.id));
    expect(b.objectKey).toMatch(/^HR-\d+$/);
    expect(keyNumber(b2.objectKey)).toBe(keyNumber(b.objectKey) + 1);
    for (const o of [a, b, b2]) expect(keyNumber(o.objectKey)).not.toBe(Number(o.id));
    // the ids of a seeded schema have gaps
    const ids = site.store.objectIds(seeded.schemaId).map(Number);
    expect(ids.some((id, i) => i > 0 && id - (ids[i - 1] ?? 0) > 1)).toBe(true);
    expect((await call(site, 'DELETE', `/object/${b2.id}`)).status).toBe(204);
    const c = await newOffice(site, seeded, 'Annex 3');
    expect(Number(c.id)).toBeGreaterThan(Number(b2.id));
    expect(keyNumber(c.objectKey)).toBe(keyNumber(b2.objectKey) + 1);
    // another site allocates other ids for the same data
    const other = emu.createSite();
    const otherSeed = seedFixture(other, { objects: 400, seed: 'behaviour' });
    expect(otherSeed.attributeIds).not.toEqual(seeded.attributeIds);
    expect(other.store.objectIds(otherSeed.schemaId)).not.toEqual(site.store.objectIds(seeded.schemaId));
  });

  test('the denseIds knob gives ids 1, 2, 3, …; keys still count per schema', async () => {
    const s = emu.createSite({ knobs: { denseIds: true } });
    const r = seedFixture(s, { objects: 20, seed: 'dense', issues: false });
    expect(s.store.schemas().map((x) => x.id)).toEqual(['1', '2']);
    expect(s.store.statuses().map((x) => x.id)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    const all = s.store.objectIds().map(Number);
    expect(all).toEqual(all.map((_, i) => i + 1));
    const office = await newOffice(s, r, 'Dense annex');
    expect(Number(office.id)).toBe(all.length + 1);
    // HR was seeded first, so its keys happen to match its ids; ITI's do not
    expect(office.objectKey).toBe(`HR-${r.secondSchemaObjectCount + 1}`);
    const itiKeys = s.store.objectIds(r.schemaId).map((id) => s.store.renderObject(id)?.objectKey);
    expect(itiKeys.slice(0, 3)).toEqual(['ITI-1', 'ITI-2', 'ITI-3']);
  });

  test('Key lookups, ORDER BY Key and references follow the keys, also after a schema key change', async () => {
    const s = emu.createSite();
    const r = seedFixture(s, { objects: 40, seed: 'keys', issues: false });
    const ids = s.store.objectIds(r.schemaId);
    const keyOf = (id: string) => s.store.renderObject(id)?.objectKey ?? '';
    const sample = ids[12] ?? '';
    expect((await aql(s, `Key = "${keyOf(sample)}"`)).values.map((o) => o.id)).toEqual([sample]);
    expect((await aql(s, `Key = "${keyOf(sample).toLowerCase()}"`)).values.map((o) => o.id)).toEqual([sample]);
    expect((await aql(s, `Key = "ITI-${sample}"`)).values).toEqual([]);
    const byKey = await aql(s, `objectSchemaId = ${r.schemaId} ORDER BY Key DESC`);
    expect(byKey.values.map((o) => keyNumber(o.objectKey))).toEqual(
      ids.map((id) => keyNumber(keyOf(id))).sort((x, y) => y - x),
    );
    expect((await call(s, 'PUT', `/objectschema/${r.schemaId}`, { body: { objectSchemaKey: 'INV' } })).status).toBe(
      200,
    );
    const renamed = keyOf(sample);
    expect(renamed).toMatch(/^INV-\d+$/);
    expect((await aql(s, `Key = "${renamed}"`)).values.map((o) => o.id)).toEqual([sample]);
    const withRef = (await aql(s, `Location IS NOT EMPTY AND objectSchemaId = ${r.schemaId}`, 'includeAttributes=true'))
      .values[0];
    const ref = withRef?.attributes?.find((x) => x.objectTypeAttributeId === r.attributeIds['Hardware.Location'])
      ?.objectAttributeValues[0];
    expect(ref?.searchValue).toMatch(/^INV-\d+$/);
    expect(ref?.searchValue).toBe(ref?.referencedObject?.objectKey);
  });

  test('server-set timestamps; PUT is partial by attribute and [] clears; history records every change', async () => {
    const before = Date.now();
    const created = (
      await newLaptop(site, [
        [attr('Laptop.RAM'), ['16']],
        [attr('Hardware.Notes'), ['first']],
      ])
    ).json as { id: string; created: string; timestamp: number };
    expect(Date.parse(created.created)).toBeGreaterThanOrEqual(before - 5);
    const put = await call(site, 'PUT', `/object/${created.id}`, {
      body: {
        objectTypeId: typeId('Laptop'),
        attributes: values([
          [attr('Laptop.RAM'), ['32']],
          [attr('Hardware.Notes'), []],
        ]),
      },
    });
    expect(put.status).toBe(200);
    const obj = conforms(AssetObjectSchema, put.json);
    const valueOf = (id: string) =>
      obj.attributes?.find((a) => a.objectTypeAttributeId === id)?.objectAttributeValues.map((v) => v.value);
    expect(valueOf(attr('Laptop.RAM'))).toEqual(['32']);
    expect(valueOf(attr('Hardware.Notes'))).toBeUndefined();
    expect(valueOf(attr('Hardware.Name'))).toEqual(['LAP-NEW']);
    expect(obj.timestamp).toBeGreaterThanOrEqual(created.timestamp);
    const history = conforms(
      Type.Array(ObjectHistorySchema),
      (await call(site, 'GET', `/object/${created.id}/history`)).json,
    );
    expect(
      history.map((h) => [h.type, h.affectedAttribute ?? null, h.oldValue ?? null, h.newValue ?? null]).sort(),
    ).toEqual(
      [
        [0, null, null, null],
        [2, 'RAM', '16', '32'],
        [3, 'Notes', 'first', null],
      ].sort(),
    );
    expect(history[history.length - 1]?.type).toBe(0);
    const asc = conforms(
      Type.Array(ObjectHistorySchema),
      (await call(site, 'GET', `/object/${created.id}/history?asc=true`)).json,
    );
    expect(asc[0]?.type).toBe(0);
    expect(asc[0]?.actor.key).toBe(site.actorAccountId);
    const retype = await call(site, 'PUT', `/object/${created.id}`, {
      body: { objectTypeId: typeId('Server'), attributes: [] },
    });
    expect(retype.status).toBe(400);
  });

  test('deleting an object drops references to it', async () => {
    const target = (
      await call(site, 'POST', '/object/create', {
        body: { objectTypeId: typeId('Location'), attributes: values([[attr('Location.Name'), ['Temp building']]]) },
      })
    ).json as { id: string };
    const laptop = (await newLaptop(site, [[attr('Hardware.Location'), [target.id]]])).json as { id: string };
    expect((await aql(site, `Location = "Temp building"`)).values.map((o) => o.id)).toEqual([laptop.id]);
    await call(site, 'DELETE', `/object/${target.id}`);
    const after = conforms(AssetObjectSchema, (await call(site, 'GET', `/object/${laptop.id}`)).json);
    expect(after.attributes?.some((a) => a.objectTypeAttributeId === attr('Hardware.Location'))).toBe(false);
  });

  test('deleteStatus knob answers 200 instead of 204', async () => {
    const s = emu.createSite({ knobs: { deleteStatus: 200 } });
    seedFixture(s, { objects: 5, secondSchema: false, issues: false });
    const id = s.store.objectIds()[0];
    const res = await call(s, 'DELETE', `/object/${id}`);
    expect([res.status, res.text]).toEqual([200, '']);
  });
});

describe('icons and avatars', () => {
  test('icons: the built-in catalog is everywhere, uploads only on their site; schema icons stay in their schema', async () => {
    const [rack, field] = seeded.customIcons;
    const bare = emu.createSite();
    const catalog = async (s: EmulatorSite) =>
      ((await call(s, 'GET', '/icon/global')).json as Array<{ id: string; name: string }>).map((i) => i.name);
    expect(await catalog(site)).toContain('Rack unit');
    expect(await catalog(bare)).not.toContain('Rack unit');
    expect((await catalog(bare)).slice(0, 3)).toEqual((await catalog(site)).slice(0, 3));
    expect((await call(bare, 'GET', `/icon/${field?.id}`)).status).toBe(404);
    const schema = (
      await call(site, 'POST', '/objectschema/create', { body: { name: 'Icon test', objectSchemaKey: 'ICN' } })
    ).json as { id: string };
    const foreign = await call(site, 'POST', '/objecttype/create', {
      body: { name: 'Borrowed', objectSchemaId: schema.id, iconId: field?.id },
    });
    expect([foreign.status, Object.keys((foreign.json as { errors: object }).errors)]).toEqual([400, ['iconId']]);
    const global = await call(site, 'POST', '/objecttype/create', {
      body: { name: 'Racked', objectSchemaId: schema.id, iconId: rack?.id },
    });
    expect((global.json as { icon: { name: string } }).icon.name).toBe('Rack unit');
    expect(() => site.data.addIcon({ name: 'rack unit' })).toThrow();
    expect(site.store.schemaIcons(seeded.schemaId).map((i) => i.name)).toEqual(['Field laptop']);
  });

  test('avatars: a known avatarUUID is reused; an unknown one is dropped, or refused under unknownAvatar: reject', async () => {
    const source = site.store.renderObject(seeded.avatarObjectIds[0] ?? '');
    const uuid = source?.avatar.avatarUUID ?? '';
    expect(uuid).not.toBe('');
    const withAvatar = await call(site, 'POST', '/object/create', {
      body: {
        objectTypeId: typeId('Laptop'),
        attributes: values([
          [attr('Hardware.Name'), ['LAP-AVATAR']],
          [attr('Hardware.Serial Number'), [`SN-AV-${Date.now()}`]],
        ]),
        hasAvatar: true,
        avatarUUID: uuid,
      },
    });
    expect(withAvatar.status).toBe(201);
    const created = conforms(AssetObjectSchema, withAvatar.json);
    expect([created.hasAvatar, created.avatar.avatarUUID]).toEqual([true, uuid]);
    expect(created.avatar.mediaClientConfig?.fileId).toBe(source?.avatar.mediaClientConfig?.fileId);

    const unknown = {
      objectTypeId: typeId('Laptop'),
      attributes: values([
        [attr('Hardware.Name'), ['LAP-NO-AVATAR']],
        [attr('Hardware.Serial Number'), [`SN-NOAV-${Date.now()}`]],
      ]),
      hasAvatar: true,
      avatarUUID: '11111111-2222-4333-a444-555555555555',
    };
    const dropped = await call(site, 'POST', '/object/create', { body: unknown });
    expect(dropped.status).toBe(201);
    expect(conforms(AssetObjectSchema, dropped.json).hasAvatar).toBe(false);
    // PUT with an unknown avatar keeps the one the object has
    const put = await call(site, 'PUT', `/object/${created.id}`, {
      body: { objectTypeId: typeId('Laptop'), attributes: [], avatarUUID: unknown.avatarUUID },
    });
    expect(conforms(AssetObjectSchema, put.json).avatar.avatarUUID).toBe(uuid);

    const strict = emu.createSite({ knobs: { unknownAvatar: 'reject' } });
    const r = seedFixture(strict, { objects: 5, secondSchema: false, issues: false });
    const before = strict.store.objectCount();
    const refused = await call(strict, 'POST', '/object/create', {
      body: {
        objectTypeId: r.objectTypeIds.Location,
        attributes: values([[r.attributeIds['Location.Name'] ?? '', ['Avatar elsewhere']]]),
        hasAvatar: true,
        avatarUUID: uuid,
      },
    });
    expect([refused.status, Object.keys((refused.json as { errors: object }).errors)]).toEqual([400, ['avatarUUID']]);
    expect(strict.store.objectCount()).toBe(before);
  });
});

describe('paging and AQL', () => {
  test('pages cover every object exactly once; maxResults is capped at the ceiling and echoed', async () => {
    const s = emu.createSite({ knobs: { maxResultsCeiling: 40 } });
    const r = seedFixture(s, { objects: 130, seed: 'paging', secondSchema: false, issues: false });
    const seen: string[] = [];
    let startAt = 0;
    for (let guard = 0; guard < 20; guard++) {
      const page = await aql(
        s,
        `objectSchemaId = ${r.schemaId}`,
        `startAt=${startAt}&maxResults=100&includeAttributes=false`,
      );
      expect(page.maxResults).toBe(40);
      expect(page.last).toBe(page.isLast);
      seen.push(...page.values.map((o) => o.id));
      startAt += page.values.length;
      if (page.isLast) break;
    }
    expect(seen).toEqual(s.store.objectIds(r.schemaId));
    expect(new Set(seen).size).toBe(130);
    s.setKnobs({ totalMode: 'absent' });
    expect((await aql(s, `objectSchemaId = ${r.schemaId}`)).total).toBeUndefined();
  });

  test('AQL subset: schema, type id, type name, Key, Name/label, IN, AND, OR, LIKE, EMPTY, dot navigation, ORDER BY', async () => {
    const laptops = await aql(site, `objectTypeId = ${typeId('Laptop')}`);
    expect(laptops.values.every((o) => o.objectType.id === typeId('Laptop'))).toBe(true);
    expect((await aql(site, `objectType = "Laptop"`)).values.length).toBe(laptops.values.length);
    const one = laptops.values[3];
    expect((await aql(site, `Key = "${one?.objectKey}"`)).values.map((o) => o.id)).toEqual([one?.id]);
    expect((await aql(site, `Key IN ("${one?.objectKey}", "${laptops.values[4]?.objectKey}")`)).values).toHaveLength(2);
    expect((await aql(site, `Name = "${one?.label}"`)).values.map((o) => o.label)).toContain(one?.label);
    expect(labels(await aql(site, `label = "${one?.label.toLowerCase()}"`))).toContain(one?.label);
    expect((await aql(site, `objectId IN (${one?.id}, 1)`)).values.map((o) => o.id)).toContain(one?.id);
    const sorted = await aql(site, `objectType = Laptop ORDER BY Name DESC`);
    const names = labels(sorted);
    expect(names).toEqual([...names].sort((a, b) => b.localeCompare(a)));
    const withAttrs = 'maxResults=1000&includeAttributes=true';
    const mac = await aql(site, `objectType = Laptop AND "Operating system" = macOS`, withAttrs);
    expect(mac.values.length).toBeGreaterThan(0);
    expect(
      mac.values.every((o) => o.attributes?.some((a) => a.objectAttributeValues.some((v) => v.value === 'macOS'))),
    ).toBe(true);
    const either = await aql(site, `objectType = Server OR objectType = "Network device"`);
    expect(new Set(either.values.map((o) => o.objectType.name))).toEqual(new Set(['Server', 'Network device']));
    expect((await aql(site, `Name LIKE "LAP-0000"`)).values.every((o) => o.label.startsWith('LAP-0000'))).toBe(true);
    const noNotes = await aql(site, `objectType = Laptop AND Notes IS EMPTY`);
    const withNotes = await aql(site, `objectType = Laptop AND Notes IS NOT EMPTY`);
    expect(noNotes.values.length + withNotes.values.length).toBe(laptops.values.length);
    const inOffice = await aql(site, `objectType = Employee AND Office.Country = "Japan"`, withAttrs);
    expect(
      inOffice.values.every((o) =>
        o.attributes?.some((a) => a.objectAttributeValues.some((v) => v.displayValue === 'Office Japan')),
      ),
    ).toBe(true);
    const multiType = await aql(
      site,
      `objectTypeId IN (${typeId('Server')}, ${typeId('Laptop')}) AND objectSchemaId = ${seeded.schemaId}`,
    );
    expect(multiType.values.map((o) => Number(o.id))).toEqual(
      [...multiType.values.map((o) => Number(o.id))].sort((a, b) => a - b),
    );
    const owned = await aql(site, `Owner IS NOT EMPTY AND objectType = Server`, withAttrs);
    const ownerKey = owned.values[0]?.attributes?.find((a) => a.objectTypeAttributeId === attr('Hardware.Owner'))
      ?.objectAttributeValues[0]?.searchValue;
    expect((await aql(site, `Owner = "${ownerKey}"`)).values.length).toBeGreaterThan(0);
  });

  test('bad AQL, unknown attributes and functions answer 400', async () => {
    for (const q of [
      'objectType = ',
      'Name = "unterminated',
      'Nonexistent attribute = 1',
      'Name = currentUser()',
      'objectType = Laptop ORDER Name',
    ]) {
      expect([q, (await call(site, 'POST', '/object/aql', { body: { qlQuery: q } })).status]).toEqual([q, 400]);
    }
    expect((await call(site, 'POST', '/object/aql', { body: {} })).status).toBe(400);
  });

  test('equality lookups see writes immediately (index maintained on create, update and delete)', async () => {
    const serial = `SN-INDEX-${Date.now()}`;
    expect((await aql(site, `"Serial Number" = "${serial}"`)).values).toHaveLength(0);
    const created = (await newLaptop(site, [[attr('Hardware.Serial Number'), [serial]]])).json as { id: string };
    expect((await aql(site, `"Serial Number" = "${serial}"`)).values.map((o) => o.id)).toEqual([created.id]);
    await call(site, 'PUT', `/object/${created.id}`, {
      body: { objectTypeId: typeId('Laptop'), attributes: values([[attr('Hardware.Serial Number'), [`${serial}-b`]]]) },
    });
    expect((await aql(site, `"Serial Number" = "${serial}"`)).values).toHaveLength(0);
    expect((await aql(site, `"Serial Number" = "${serial}-B"`)).values).toHaveLength(1);
    await call(site, 'DELETE', `/object/${created.id}`);
    expect((await aql(site, `"Serial Number" = "${serial}-b"`)).values).toHaveLength(0);
  });
});

describe('traffic knobs', () => {
  test('429 per bucket with Retry-After seconds, HTTP date, X-RateLimit-Reset or nothing; the window passes', async () => {
    const s = emu.createSite({ knobs: { rateLimitPerMinute: { 'object.aql': 2 }, clockScale: 600 } });
    seedFixture(s, { objects: 3, secondSchema: false, issues: false });
    const hit = () => call(s, 'POST', '/object/aql', { body: { qlQuery: 'objectType = Laptop' } });
    expect((await hit()).status).toBe(200);
    expect((await hit()).status).toBe(200);
    const limited = await hit();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect((await call(s, 'GET', '/objectschema/list')).status).toBe(200);
    const modes = [
      ['http-date', 'retry-after'],
      ['reset-header', 'x-ratelimit-reset'],
      ['none', null],
    ] as const;
    for (const [mode, header] of modes) {
      s.setKnobs({ rateLimitPerMinute: 1, retryAfter: mode, clockScale: 600 });
      await call(s, 'GET', '/objectschema/list');
      const r = await call(s, 'GET', '/objectschema/list');
      expect(r.status).toBe(429);
      if (header === 'retry-after') expect(Number.isNaN(Date.parse(r.headers.get('retry-after') ?? ''))).toBe(false);
      if (header === 'x-ratelimit-reset')
        expect(Date.parse(r.headers.get('x-ratelimit-reset') ?? '')).toBeGreaterThan(Date.now() - 1000);
      if (header === null)
        expect([r.headers.get('retry-after'), r.headers.get('x-ratelimit-reset')]).toEqual([null, null]);
    }
    // clockScale 600: a "minute" is 100 ms, so the slot frees up after the window
    const waitUntil = Date.now() + 150;
    while (Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 20));
    expect((await call(s, 'GET', '/objectschema/list')).status).toBe(200);
    const c = s.counters();
    expect(c.status429).toBe(4);
    expect(c.status429ByBucket['object.aql']).toBe(1);
    expect(c.byBucket['object.aql']).toBe(3);
    expect(c.byRoute['POST /object/aql']).toBe(3);
  });

  test("rateLimitPerMinute: 'documented' applies each bucket's published limit", async () => {
    const s = emu.createSite({ knobs: { rateLimitPerMinute: 'documented' } });
    const r = seedFixture(s, { objects: 3, secondSchema: false, issues: false });
    const qlQuery = `objectSchemaId = ${r.schemaId}`;
    const burst = await Promise.all(
      Array.from({ length: 501 }, () => call(s, 'POST', '/object/aql/totalcount', { body: { qlQuery } })),
    );
    const limited = burst.filter((x) => x.status === 429);
    expect(limited).toHaveLength(1);
    expect(limited[0]?.headers.get('x-ratelimit-limit')).toBe('500');
    // another bucket (POST /object/aql, 1,000/min) is not affected
    expect((await call(s, 'POST', '/object/aql', { body: { qlQuery } })).status).toBe(200);
  });

  test('documented limits on a scaled clock: clockScale 10 makes a minute last 6 s', () => {
    const traffic = new Traffic({ rateLimitPerMinute: 'documented', clockScale: 10 }, 'scaled');
    const admitted = (bucket: EndpointBucket, n: number, now: number) =>
      Array.from({ length: n }, () => traffic.decide(bucket, now)).filter((d) => d.kind === 'pass').length;
    expect(admitted('object.create', 2001, 0)).toBe(2000);
    expect(admitted('object.aql', 1001, 0)).toBe(1000);
    expect(traffic.decide('object.create', 5_999)).toMatchObject({ kind: 'status', status: 429 });
    expect(admitted('object.create', 2000, 6_000)).toBe(2000);
  });

  test('503 with and without Retry-After, 500, and connection resets', async () => {
    const s = emu.createSite({ knobs: { failure503Rate: 1 } });
    const r = await call(s, 'GET', '/objectschema/list');
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('1');
    s.setKnobs({ failure503Rate: 1, retryAfter: 'none' });
    expect((await call(s, 'GET', '/objectschema/list')).headers.get('retry-after')).toBeNull();
    s.setKnobs({ failure500Rate: 1 });
    expect((await call(s, 'GET', '/objectschema/list')).status).toBe(500);
    s.setKnobs({ resetRate: 1 });
    await expect(call(s, 'GET', '/objectschema/list')).rejects.toThrow();
    expect(s.counters()).toMatchObject({ status503: 2, status500: 1, resets: 1, total: 4 });
    s.resetCounters();
    expect(s.counters().total).toBe(0);
  });

  test('injected failures are deterministic by seed', async () => {
    const pattern = async (seed: number) => {
      const s = emu.createSite({ knobs: { failure503Rate: 0.5, seed } });
      const out: number[] = [];
      for (let i = 0; i < 16; i++) out.push((await call(s, 'GET', '/objectschema/list')).status);
      return out;
    };
    const a = await pattern(7),
      b = await pattern(7),
      c = await pattern(8);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).toContain(503);
    expect(a).toContain(200);
  });

  test('a create can succeed server-side while the client sees a dropped connection', async () => {
    const s = emu.createSite({ knobs: { createThenResetRate: 1 } });
    const r = seedFixture(s, { objects: 3, secondSchema: false, issues: false });
    const before = s.store.objectCount();
    await expect(
      call(s, 'POST', '/object/create', {
        body: {
          objectTypeId: r.objectTypeIds.Location,
          attributes: values([[r.attributeIds['Location.Name'] ?? '', ['Ghost']]]),
        },
      }),
    ).rejects.toThrow();
    expect(s.store.objectCount()).toBe(before + 1);
  });

  test('latency is added before answering', async () => {
    const s = emu.createSite({ knobs: { latencyMs: 120 } });
    const t0 = Date.now();
    expect((await call(s, 'GET', '/objectschema/list')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(115);
  });

  test('Jira per-issue write limit answers 429 with RateLimit-Reason; burst limits name jira-burst-based', async () => {
    const s = emu.createSite({ knobs: { perIssueWriteLimitPerMinute: 1 } });
    const r = seedFixture(s, { objects: 20, seed: 'jira429' });
    const key = r.issueKeys[0] ?? '';
    const put = () => call(s, 'PUT', `/api/3/issue/${key}`, { base: 'jira', body: { fields: { summary: 'renamed' } } });
    expect((await put()).status).toBe(204);
    const limited = await put();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('ratelimit-reason')).toBe('jira-per-issue-on-write');
    expect(limited.headers.get('retry-after')).not.toBeNull();
    expect(
      (await call(s, 'PUT', `/api/3/issue/${r.issueKeys[1]}`, { base: 'jira', body: { fields: { summary: 'other' } } }))
        .status,
    ).toBe(204);
    s.setKnobs({ rateLimitPerMinute: { 'jira.search': 1 } });
    await call(s, 'POST', '/api/3/search/jql', { base: 'jira', body: { jql: 'project = SUP' } });
    const burst = await call(s, 'POST', '/api/3/search/jql', { base: 'jira', body: { jql: 'project = SUP' } });
    expect([burst.status, burst.headers.get('ratelimit-reason')]).toEqual([429, 'jira-burst-based']);
  });

  test('reserved name characters are rejected only when the knob asks for it', async () => {
    const s = emu.createSite();
    expect(
      (await call(s, 'POST', '/objectschema/create', { body: { name: 'A.B', objectSchemaKey: 'AB' } })).status,
    ).toBe(201);
    s.setKnobs({ rejectReservedNameCharacters: true });
    const refused = await call(s, 'POST', '/objectschema/create', { body: { name: 'C:D', objectSchemaKey: 'CD' } });
    expect([refused.status, Object.keys((refused.json as { errors: object }).errors)]).toEqual([400, ['name']]);
  });

  test('object allowance makes create fail with a 400 once reached; usage and allowance skip system schemas', async () => {
    const s = emu.createSite();
    const r = seedFixture(s, { objects: 3, secondSchema: false, issues: false, systemSchema: true });
    const usage = (await call(s, 'GET', '/usage')).json as {
      totalObjectsCount: number;
      perSchemaUsageInfo: Array<{ schemaId: number; objectCount: number }>;
    };
    expect(usage.totalObjectsCount).toBe(r.objectCount);
    expect(usage.perSchemaUsageInfo.find((u) => String(u.schemaId) === r.systemSchemaId)?.objectCount).toBe(3);
    expect(s.store.objectCount()).toBe(r.objectCount + 3);
    s.setKnobs({ objectAllowance: usage.totalObjectsCount });
    const res = await call(s, 'POST', '/object/create', {
      body: {
        objectTypeId: r.objectTypeIds.Location,
        attributes: values([[r.attributeIds['Location.Name'] ?? '', ['Over']]]),
      },
    });
    expect(res.status).toBe(400);
    expect((res.json as { errorMessages: string[] }).errorMessages[0]).toContain('limit');
  });
});

describe('control endpoints', () => {
  test('create a seeded site, change knobs, read counters, reset', async () => {
    const created = await fetch(`${emu.url}/__emulator/sites`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ctl', knobs: { latencyMs: 0 }, fixture: { objects: 20, seed: 'ctl' } }),
    });
    expect(created.status).toBe(201);
    const info = (await created.json()) as {
      siteUrl: string;
      email: string;
      apiToken: string;
      fixture: { objectCount: number };
    };
    expect(info.fixture.objectCount).toBe(20);
    const ctl = emu.site('ctl');
    expect(info.siteUrl).toBe(ctl.info.siteUrl);
    const knobs = await fetch(`${emu.url}/__emulator/sites/ctl/knobs`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ failure503Rate: 1 }),
    });
    expect(await knobs.json()).toEqual({ failure503Rate: 1 });
    expect((await call(ctl, 'GET', '/objectschema/list')).status).toBe(503);
    const counters = (await (await fetch(`${emu.url}/__emulator/counters?site=ctl`)).json()) as {
      status503: number;
      total: number;
    };
    expect(counters).toMatchObject({ status503: 1, total: 1 });
    const reset = await fetch(`${emu.url}/__emulator/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ site: 'ctl' }),
    });
    expect(reset.status).toBe(204);
    expect(ctl.store.objectCount()).toBe(0);
    expect((await fetch(`${emu.url}/__emulator/counters?site=nope`)).status).toBe(404);
  });
});

describe('Jira', () => {
  const field = () => seeded.assetsFieldIds[0] ?? '';
  const cf = () => `cf[${field().replace('customfield_', '')}]`;

  test('search: cf[N] is not EMPTY with nextPageToken paging returns every matching issue once', async () => {
    const expected = site.store
      .issues()
      .filter((i) => Array.isArray(i.fields[field()]) && (i.fields[field()] as unknown[]).length > 0)
      .map((i) => i.key);
    const keys: string[] = [];
    let token: string | undefined;
    for (let guard = 0; guard < 20; guard++) {
      const res = await call(site, 'POST', '/api/3/search/jql', {
        base: 'jira',
        body: {
          jql: `${cf()} is not EMPTY`,
          fields: [field()],
          maxResults: 3,
          ...(token ? { nextPageToken: token } : {}),
        },
      });
      const page = conforms(JiraSearchResultSchema, res.json);
      keys.push(...page.issues.map((i) => i.key));
      expect(page.issues.every((i) => Array.isArray(i.fields[field()]))).toBe(true);
      token = page.nextPageToken;
      if (!token) {
        expect(page.isLast).toBe(true);
        break;
      }
    }
    expect(keys.sort()).toEqual(expected.sort());
    const first = await call(site, 'POST', '/api/3/search/jql', {
      base: 'jira',
      body: { jql: 'project = SUP', maxResults: 1 },
    });
    const foreignToken = (first.json as { nextPageToken?: string }).nextPageToken;
    expect(foreignToken).toBeDefined();
    const other = await call(site, 'POST', '/api/3/search/jql', {
      base: 'jira',
      body: { jql: `${cf()} is EMPTY`, nextPageToken: foreignToken },
    });
    expect(other.status).toBe(400);
  });

  test('search: IN aqlFunction("objectId IN (...)") finds the issues holding those objects', async () => {
    const issue = site.store.issues().find((i) => Array.isArray(i.fields[field()]));
    const objectId = (issue?.fields[field()] as Array<{ objectId: string }>)[0]?.objectId;
    const res = await call(site, 'POST', '/api/3/search/jql', {
      base: 'jira',
      body: { jql: `${cf()} IN aqlFunction("objectId IN (${objectId}, 999999)")`, fields: ['summary'] },
    });
    const page = conforms(JiraSearchResultSchema, res.json);
    expect(page.issues.map((i) => i.key)).toContain(issue?.key);
    for (const found of page.issues) {
      expect(
        (site.store.issue(found.key)?.fields[field()] as Array<{ objectId: string }>).map((v) => v.objectId),
      ).toContain(objectId);
    }
    const byName = await call(
      site,
      'GET',
      `/api/3/search/jql?jql=${encodeURIComponent(`"Affected assets" IN aqlFunction("Key = \\"${site.store.renderObject(objectId ?? '')?.objectKey}\\"")`)}`,
      { base: 'jira' },
    );
    expect((byName.json as { issues: unknown[] }).issues.length).toBe(page.issues.length);
    expect(
      (await call(site, 'POST', '/api/3/search/jql', { base: 'jira', body: { jql: 'cf[1] is not EMPTY' } })).status,
    ).toBe(400);
    expect((await call(site, 'POST', '/api/3/search/jql', { base: 'jira', body: { jql: 'project = ' } })).status).toBe(
      400,
    );
  });

  test('mypermissions answers for the calling user; denied keys come from the store', async () => {
    const s = emu.createSite();
    s.store.raw.denyPermission('ADMINISTER');
    const res = await call(s, 'GET', '/api/3/mypermissions?permissions=ADMINISTER,BROWSE_PROJECTS', { base: 'jira' });
    const perms = (res.json as { permissions: Record<string, { havePermission: boolean }> }).permissions;
    expect([perms.ADMINISTER?.havePermission, perms.BROWSE_PROJECTS?.havePermission]).toEqual([false, true]);
    expect((await call(s, 'GET', '/api/3/mypermissions', { base: 'jira' })).status).toBe(400);
  });

  test('issue update validates that objects exist and replaces the whole value', async () => {
    const key = seeded.issueKeys[1] ?? '';
    const laptop = String(site.store.raw.aqlIds('objectType = Laptop')[0]);
    const bad = await call(site, 'PUT', `/api/3/issue/${key}`, {
      base: 'jira',
      body: {
        fields: {
          [field()]: [
            { workspaceId: site.info.workspaceId, id: `${site.info.workspaceId}:99999999`, objectId: '99999999' },
          ],
        },
      },
    });
    expect(bad.status).toBe(400);
    expect(Object.keys((bad.json as { errors: object }).errors)).toEqual([field()]);
    const good = await call(site, 'PUT', `/api/3/issue/${key}`, {
      base: 'jira',
      body: {
        fields: {
          [field()]: [
            { workspaceId: site.info.workspaceId, id: `${site.info.workspaceId}:${laptop}`, objectId: laptop },
          ],
        },
      },
    });
    expect(good.status).toBe(204);
    const after = await call(site, 'GET', `/api/3/issue/${key}?fields=${field()}`, { base: 'jira' });
    expect((after.json as { fields: Record<string, unknown> }).fields).toEqual({
      [field()]: [{ workspaceId: site.info.workspaceId, id: `${site.info.workspaceId}:${laptop}`, objectId: laptop }],
    });
    await call(site, 'PUT', `/api/3/issue/${key}`, { base: 'jira', body: { fields: { [field()]: [] } } });
    expect(
      ((await call(site, 'GET', `/api/3/issue/${key}`, { base: 'jira' })).json as { fields: Record<string, unknown> })
        .fields[field()],
    ).toBeNull();
  });
});

describe('fixture', () => {
  test('same seed, same data; the fixture has trees, cycles, cross-schema references, avatars, history and issues', async () => {
    // ids derive from the site's seed and name: the same site on a second emulator repeats them
    const twin = await startEmulator();
    const a = emu.createSite({ name: 'same' }),
      b = twin.createSite({ name: 'same' });
    await twin.close();
    const ra = seedFixture(a, { objects: 150, seed: 'same' });
    const rb = seedFixture(b, { objects: 150, seed: 'same' });
    expect(ra).toEqual(rb);
    const strip = (s: EmulatorSite) =>
      s.store.objectIds().map((id) => {
        const o = s.store.renderObject(id);
        return [
          o?.objectKey,
          o?.label,
          o?.created,
          o?.attributes?.map((x) => [
            x.objectTypeAttributeId,
            x.objectAttributeValues.map((v) => v.value ?? v.searchValue),
          ]),
        ];
      });
    expect(strip(a)).toEqual(strip(b));
    expect(ra.avatarObjectIds.length).toBeGreaterThan(0);
    expect(ra.historyEntries).toBeGreaterThan(ra.objectCount);
    expect(ra.issueKeys.length).toBeGreaterThan(0);
    // a dependency cycle among Software objects
    const deps = new Map(
      a.store.raw.aqlIds('objectType = Software').map((id) => {
        const o = a.store.raw.object(id);
        return [id, (o?.values.get(Number(ra.attributeIds['Software.Depends on'])) ?? []).map(Number)];
      }),
    );
    const first = [...deps.keys()][0] ?? 0;
    let cur = first;
    for (let i = 0; i < deps.size; i++) cur = deps.get(cur)?.[0] ?? cur;
    const visited = new Set<number>();
    while (!visited.has(cur)) {
      visited.add(cur);
      cur = deps.get(cur)?.[0] ?? cur;
    }
    expect(visited.size).toBeGreaterThan(1);
    const owners = a.store.raw.aqlIds('Owner IS NOT EMPTY');
    expect(owners.length).toBeGreaterThan(0);
    expect(
      a.store
        .renderObject(owners[0] ?? 0)
        ?.attributes?.find((x) => x.objectTypeAttributeId === ra.attributeIds['Hardware.Owner'])
        ?.objectAttributeValues[0]?.referencedObject?.objectKey,
    ).toMatch(/^HR\d*-/);
  });

  test('a larger fixture skips per-object validation but stays valid', () => {
    const s = emu.createSite();
    const r = seedFixture(s, { objects: 6000, seed: 'big', history: false, issues: false });
    expect(r.objectCount).toBe(6000);
    // re-validate a sample through the same rules as POST /object/create
    for (const id of s.store.objectIds(r.schemaId).filter((_, i) => i % 97 === 0)) {
      const o = s.store.raw.object(Number(id));
      if (!o) throw new Error('missing');
      // unique values get a suffix so the copy does not collide with the original
      const copy = new Map(
        [...o.values].map(([attrId, vals]) => [
          attrId,
          s.store.raw.attribute(attrId)?.unique ? vals.map((v) => `${v}-copy`) : vals,
        ]),
      );
      expect(() =>
        s.store.raw.insertObject(o.typeId, copy, { created: o.created, updated: o.updated, validate: true }),
      ).not.toThrow();
    }
  });
});
