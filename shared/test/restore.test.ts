/**
 * Round trips through the restore engine against the emulator over a real socket: a generated schema
 * (every attribute kind, an abstract inherited parent, reference cycles and self-references, references
 * into a second schema, statuses, icons, avatars, history, Jira issue references) is backed up by the
 * real backup engine and restored to a new schema on the same site, to another site, into an existing
 * schema with duplicates off and on, and for specific object types. Each time the whole graph is
 * compared with the backup after id/key mapping (restore.helpers.ts), independently of the engine.
 */
import { startEmulator, seedFixture, type Emulator, type EmulatorSite, type SeedResult } from '@assets-vault/emulator';
import {
  createMemoryCheckpointStore,
  idMapResolver,
  matchingResolver,
  planRestore,
  restoreIssueFields,
  runRestore,
  type MemoryCheckpointStore,
  type RestoreDestination,
  type RestoreLogRow,
  type RestoreResult,
  type RunRestoreInput,
} from '../src/restore/index.js';
import { RestorePlanError } from '../src/restore/index.js';
import {
  backUp,
  clientFor,
  enrichFixture,
  graphDifferences,
  idMapOf,
  of,
  structureDifferences,
  type Backup,
} from './restore.helpers.js';

const TUNING = { lookupSettleMs: 50, outcomeFlushMs: 100 };

let emu: Emulator;
let source: EmulatorSite;
let seed: SeedResult;
let backup: Backup;

async function restore(
  site: EmulatorSite,
  b: Backup,
  destination: RestoreDestination,
  extra: Partial<RunRestoreInput> = {},
): Promise<{ result: RestoreResult; checkpoints: MemoryCheckpointStore }> {
  const checkpoints = createMemoryCheckpointStore();
  const result = await runRestore({
    snapshot: b.snapshot,
    client: clientFor(site),
    destination,
    options: { objectIcons: true, history: true },
    checkpoints,
    tuning: TUNING,
    ...extra,
  });
  return { result, checkpoints };
}

async function logRows(checkpoints: MemoryCheckpointStore): Promise<RestoreLogRow[]> {
  const rows: RestoreLogRow[] = [];
  for await (const r of checkpoints.logRows()) rows.push(r);
  return rows;
}

const seedTypeId = (b: Backup, name: string) => of(b.records, 'objectType').find((t) => t.name === name)?.id ?? '';

const schemaIdByKey = (site: EmulatorSite, key: string) =>
  site.store.schemas().find((s) => s.objectSchemaKey === key)?.id ?? '';

beforeAll(async () => {
  emu = await startEmulator();
  source = emu.createSite({ seed: 'restore-source' });
  seed = seedFixture(source, { objects: 400, seed: 'restore' });
  enrichFixture(source, seed);
  backup = await backUp(source, seed.schemaId);
});

afterAll(async () => {
  await emu?.close();
});

test('the fixture exercises what the restore must carry', () => {
  const objects = of(backup.records, 'object');
  const values = objects.flatMap((o) => o.attributes.flatMap((a) => a.objectAttributeValues));
  expect(objects.length).toBe(410);
  expect(values.filter((v) => v.referencedObject).length).toBeGreaterThan(300);
  expect(values.filter((v) => v.status).length).toBeGreaterThan(100);
  expect(values.filter((v) => v.user).length).toBeGreaterThan(50);
  expect(values.filter((v) => v.group).length).toBeGreaterThan(10);
  expect(objects.filter((o) => o.hasAvatar).length).toBeGreaterThan(3);
  expect(of(backup.records, 'history').length).toBe(410);
  expect(
    objects.some((o) => o.attributes.some((a) => a.objectAttributeValues.some((v) => v.referencedObject?.id === o.id))),
  ).toBe(true);
  expect(of(backup.records, 'history').some((h) => h.entries.some((e) => e.newValue?.includes('\n')))).toBe(true);
  expect(of(backup.records, 'issueRef').length).toBeGreaterThan(5);
  const types = of(backup.records, 'objectType');
  expect(types.some((t) => t.abstractObjectType && t.inherited)).toBe(true);
  // a multi-valued reference cycle (software dependencies) and a two-object cycle (locations)
  const ids = new Set(objects.map((o) => o.id));
  const foreign = values.filter((v) => v.referencedObject && !ids.has(v.referencedObject.id));
  expect(foreign.length).toBeGreaterThan(50);
});

describe('to a new schema on the same site', () => {
  let result: RestoreResult;
  let checkpoints: MemoryCheckpointStore;
  let targetSchemaId: string;

  beforeAll(async () => {
    ({ result, checkpoints } = await restore(source, backup, {
      kind: 'new-schema',
      name: 'Inventory restored',
      key: 'INVR',
    }));
    targetSchemaId = result.target?.schemaId ?? '';
  });

  test('completes: every object created once, with a log row each', async () => {
    expect(result.status).toBe('completed');
    expect(result.message).toBe('Operation success');
    expect(result.counts).toMatchObject({ total: 410, created: 410, skipped: 0, failed: 0, excluded: 0 });
    expect(source.store.objectCount(targetSchemaId)).toBe(410);
    const rows = await logRows(checkpoints);
    expect(rows).toHaveLength(410);
    const sourceObjects = new Map(of(backup.records, 'object').map((o) => [o.id, o]));
    for (const row of rows) {
      expect(row.action).toBe('created');
      expect(row.sourceKey).toBe(sourceObjects.get(row.sourceId)?.objectKey);
      expect(row.targetKey).toBe(source.store.renderObject(row.targetId ?? '')?.objectKey);
      expect(row.targetKey?.startsWith('INVR-')).toBe(true);
    }
    expect(new Set(rows.map((r) => r.targetId)).size).toBe(410);
  });

  test('the structure equals the backup: types, attributes in order, statuses, icons, schema properties', () => {
    // the only difference: an icon uploaded into the source schema, which no other schema may use
    expect(structureDifferences(backup, source, targetSchemaId, { history: true })).toEqual([
      'Laptop: icon Object, expected Field laptop',
    ]);
    // the required, filtered reference was loosened for the load and put back with the new type id
    const room = source.store.objectTypes(targetSchemaId).find((t) => t.name === 'Room');
    const location = source.store.objectTypes(targetSchemaId).find((t) => t.name === 'Location');
    const building = source.store.attributes(room?.id ?? '').find((a) => a.name === 'Building');
    expect(building).toMatchObject({
      minimumCardinality: 1,
      qlQuery: `objectTypeId = ${location?.id}`,
      typeValue: location?.id,
    });
    expect(location?.id).not.toBe(seed.objectTypeIds.Location);
  });

  test('the whole graph equals the backup after id mapping, history text included', () => {
    const diffs = graphDifferences({
      backup,
      target: source,
      targetSchemaId,
      idMap: idMapOf(checkpoints),
      // same site: references into the HR schema stay on the same objects
      foreign: (id) => id,
      history: true,
      avatars: true,
    });
    expect(diffs).toEqual([]);
    // one history spelled out: oldest first, a created entry, then a multi-line change kept on one line
    const tablet = of(backup.records, 'object').find((o) => o.label === 'TAB-1');
    const restored = source.store.renderObject(idMapOf(checkpoints).get(tablet?.id ?? '')?.targetId ?? '');
    const text = restored?.attributes?.find((a) => a.objectTypeAttribute?.name === 'OBJECT_HISTORY')
      ?.objectAttributeValues[0]?.value;
    const lines = text?.split('\n') ?? [];
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z \| Site Admin \| -$/);
    expect(lines[1]).toMatch(/ \| Site Admin \| Notes \| {2}→ line one\\nline two "quoted" \\\\ back$/);
  });

  test("the engine's own verification agrees, and the calls stay near one per object", () => {
    expect(result.verification).toMatchObject({ objectsChecked: 410, objectsMatching: 410, differences: {} });
    expect(result.apiCalls.objectCreates).toBe(410);
    expect(result.apiCalls.objectUpdates / 410).toBeLessThanOrEqual(0.1);
    expect(result.counts.referencesFailed).toBe(0);
  });

  test('issue fields point at the new objects afterwards; running it again changes nothing', async () => {
    const ids = idMapOf(checkpoints);
    const before = source.store.issues();
    const first = await restoreIssueFields({ snapshot: backup.snapshot, client: clientFor(source), checkpoints });
    expect(first).toMatchObject({ status: 'completed', failed: 0, notFound: 0 });
    expect(first.updated).toBe(new Set(of(backup.records, 'issueRef').map((r) => r.issueKey)).size);
    for (const ref of of(backup.records, 'issueRef')) {
      const issue = source.store.issue(ref.issueKey);
      const value = (issue?.fields[ref.fieldId] ?? []) as { objectId: string; id: string; workspaceId: string }[];
      for (const old of ref.objectIds) {
        const now = ids.get(old)?.targetId ?? '';
        expect(value.some((v) => v.objectId === old)).toBe(false);
        expect(value).toContainEqual({
          workspaceId: source.info.workspaceId,
          id: `${source.info.workspaceId}:${now}`,
          objectId: now,
        });
      }
    }
    // values that point elsewhere (the HR schema) are kept
    const employeeField = seed.assetsFieldIds[1] ?? '';
    for (const issue of before) {
      const after = source.store.issue(issue.key);
      if (!of(backup.records, 'issueRef').some((r) => r.issueKey === issue.key && r.fieldId === employeeField))
        expect(after?.fields[employeeField]).toEqual(issue.fields[employeeField]);
    }
    const results = [];
    for await (const r of checkpoints.issueFieldResults()) results.push(r);
    expect(results.filter((r) => r.status === 'updated')).toHaveLength(first.updated);
    expect(results.every((r) => r.status !== 'updated' || r.updatedFields.includes('Affected assets'))).toBe(true);

    source.resetCounters();
    const again = await restoreIssueFields({ snapshot: backup.snapshot, client: clientFor(source), checkpoints });
    expect(again).toMatchObject({ updated: 0, unchanged: first.updated, failed: 0 });
    expect(source.counters().byRoute['PUT /api/3/issue/:key'] ?? 0).toBe(0);
  });

  test('the comparison itself notices a changed value, reference, status and history', () => {
    const ids = idMapOf(checkpoints);
    const expectation = {
      backup,
      target: source,
      targetSchemaId,
      idMap: ids,
      foreign: (id: string) => id,
      history: true,
      avatars: true,
    };
    const software = of(backup.records, 'object').find(
      (o) => o.objectTypeId === seed.objectTypeIds.Software && o.attributes.length > 5,
    );
    const target = source.data.object(Number(ids.get(software?.id ?? '')?.targetId));
    if (software === undefined || target === undefined) throw new Error('no software object');
    const saved = new Map([...target.values].map(([k, v]) => [k, [...v]]));
    const attrIds = [...target.values.keys()];
    for (const id of attrIds)
      source.data.setValuesUnchecked(
        target,
        id,
        (saved.get(id) ?? []).length > 1 ? [...(saved.get(id) ?? [])].reverse() : ['0'],
      );
    const diffs = graphDifferences(expectation);
    for (const id of attrIds) source.data.setValuesUnchecked(target, id, saved.get(id) ?? []);
    expect(diffs.length).toBeGreaterThanOrEqual(attrIds.length - 1);
    expect(diffs.every((d) => d.startsWith(software.objectKey))).toBe(true);
    expect(diffs.some((d) => d.includes('.OBJECT_HISTORY'))).toBe(true);
    expect(diffs.some((d) => d.includes('.Lifecycle'))).toBe(true);
    expect(diffs.some((d) => d.includes('.Depends on') || d.includes('.Installed on'))).toBe(true);
    expect(graphDifferences(expectation)).toEqual([]);
  });

  test('a second run on the finished checkpoints returns the result again and writes nothing', async () => {
    source.resetCounters();
    const again = await runRestore({
      snapshot: backup.snapshot,
      client: clientFor(source),
      destination: { kind: 'new-schema', name: 'Inventory restored', key: 'INVR' },
      options: { objectIcons: true, history: true },
      checkpoints,
    });
    expect(again).toMatchObject({ status: 'completed', counts: result.counts });
    expect(source.counters().total).toBe(0);
  });
});

describe('to another site', () => {
  let other: EmulatorSite;
  let hr: Backup;
  let hrRun: { result: RestoreResult; checkpoints: MemoryCheckpointStore };
  let run: { result: RestoreResult; checkpoints: MemoryCheckpointStore };

  beforeAll(async () => {
    other = emu.createSite({ seed: 'restore-other' });
    // the same Atlassian accounts are members of the other site
    for (const u of source.store.users()) other.data.addUser(u);
    hr = await backUp(source, seed.secondSchemaId ?? '');
    hrRun = await restore(other, hr, { kind: 'new-schema', name: 'People', key: 'PPL' });
    const hrState = await hrRun.checkpoints.loadState();
    const hrIds = idMapOf(hrRun.checkpoints);
    const resolver = idMapResolver({
      objectTypes: hrState?.structure?.objectTypes ?? {},
      objects: (ids) => new Map(ids.flatMap((id) => (hrIds.has(id) ? [[id, hrIds.get(id)?.targetId ?? '']] : []))),
    });
    run = await restore(
      other,
      backup,
      { kind: 'new-schema', name: 'Inventory', key: 'INV' },
      {
        crossSchema: { mode: 'resolver', resolver },
      },
    );
  });

  test('the earlier schema restored first: its own graph equals its backup (manager cycles included)', () => {
    expect(hrRun.result.status).toBe('completed');
    const targetSchemaId = hrRun.result.target?.schemaId ?? '';
    expect(structureDifferences(hr, other, targetSchemaId, { history: true })).toEqual([]);
    expect(
      graphDifferences({
        backup: hr,
        target: other,
        targetSchemaId,
        idMap: idMapOf(hrRun.checkpoints),
        foreign: () => undefined,
        history: true,
        avatars: false,
      }),
    ).toEqual([]);
  });

  test('structure and graph equal the backup; references into the other schema follow its id map', () => {
    expect(run.result.status).toBe('completed');
    expect(run.result.target?.sameSite).toBe(false);
    const targetSchemaId = run.result.target?.schemaId ?? '';
    expect(schemaIdByKey(other, 'INV')).toBe(targetSchemaId);
    // the only differences: icons the other site does not have, replaced by the default and logged
    expect(structureDifferences(backup, other, targetSchemaId, { history: true })).toEqual([
      'Laptop: icon Object, expected Field laptop',
      'Server: icon Object, expected Rack unit',
      'Tablet: icon Object, expected Custom tablet',
    ]);
    expect(run.result.structureWarnings).toContain(
      'Object type "Tablet": icon "Custom tablet" does not exist on the target (no public icon upload); the default icon is used',
    );
    const hrIds = idMapOf(hrRun.checkpoints);
    expect(
      graphDifferences({
        backup,
        target: other,
        targetSchemaId,
        idMap: idMapOf(run.checkpoints),
        foreign: (id) => hrIds.get(id)?.targetId,
        history: true,
        avatars: false,
      }),
    ).toEqual([]);
  });

  test('avatars cannot be restored on another site: each such object says so in its log row', async () => {
    const avatarObjects = new Set(
      of(backup.records, 'object')
        .filter((o) => o.hasAvatar)
        .map((o) => o.id),
    );
    const rows = await logRows(run.checkpoints);
    for (const row of rows) {
      const said = row.warnings.some((w) => w.startsWith('Object icon not restored'));
      expect([row.sourceKey, said]).toEqual([row.sourceKey, avatarObjects.has(row.sourceId)]);
    }
    expect(run.result.counts.warnings).toBeGreaterThanOrEqual(avatarObjects.size);
  });

  test('matched by label in a schema the user picks: unique labels re-linked, ambiguous ones left empty and logged', async () => {
    const people = hrRun.result.target?.schemaId ?? '';
    const employeeType = seed.objectTypeIds.Employee ?? '';
    // someone added a namesake of a referenced employee there: that label is ambiguous now
    const referencedEmployee = of(backup.records, 'object')
      .flatMap((o) => o.attributes.flatMap((a) => a.objectAttributeValues.map((v) => v.referencedObject)))
      .find((r) => r?.objectTypeId === employeeType);
    const targetEmployeeType = other.store.objectTypes(people).find((t) => t.name === 'Employee');
    const nameAttr = other.store.attributes(targetEmployeeType?.id ?? '').find((a) => a.label);
    other.data.createObject(
      {
        objectTypeId: targetEmployeeType?.id ?? '',
        attributes: [
          {
            objectTypeAttributeId: nameAttr?.id ?? '',
            objectAttributeValues: [{ value: referencedEmployee?.label ?? '' }],
          },
        ],
      },
      other.actorAccountId,
    );
    const resolver = matchingResolver(clientFor(other), {
      schemaId: people,
      by: 'label',
      objectTypeNames: { [employeeType]: 'Employee' },
    });
    const byLabel = await restore(
      other,
      backup,
      { kind: 'new-schema', name: 'Inventory by label', key: 'INVL' },
      {
        crossSchema: { mode: 'resolver', resolver },
      },
    );
    expect(byLabel.result.status).toBe('completed');
    // the expectation, from the emulator's own data: an employee whose label is unique in that schema
    const employees = other.store.objectTypes(people).find((t) => t.name === 'Employee')?.id ?? '';
    const labels = new Map<string, string[]>();
    for (const id of other.store.objectIds(people)) {
      const o = other.store.renderObject(id, { includeAttributes: false });
      if (o?.objectType.id !== employees) continue;
      labels.set(o.label, [...(labels.get(o.label) ?? []), o.id]);
    }
    const foreignLabels = new Map(
      of(backup.records, 'object').flatMap((o) =>
        o.attributes.flatMap((a) =>
          a.objectAttributeValues.flatMap((v) =>
            v.referencedObject?.objectTypeId === employeeType
              ? [[v.referencedObject.id, v.referencedObject.label]]
              : [],
          ),
        ),
      ) as [string, string][],
    );
    const foreign = (id: string) => {
      const hits = labels.get(foreignLabels.get(id) ?? '') ?? [];
      return hits.length === 1 ? hits[0] : undefined;
    };
    const ambiguous = [...foreignLabels.values()].filter((l) => (labels.get(l) ?? []).length !== 1);
    expect(ambiguous.length).toBeGreaterThan(0);
    expect(ambiguous.length).toBeLessThan(foreignLabels.size);
    const targetSchemaId = byLabel.result.target?.schemaId ?? '';
    expect(structureDifferences(backup, other, targetSchemaId, { history: true })).toEqual([
      'Laptop: icon Object, expected Field laptop',
      'Server: icon Object, expected Rack unit',
      'Tablet: icon Object, expected Custom tablet',
    ]);
    expect(
      graphDifferences({
        backup,
        target: other,
        targetSchemaId,
        idMap: idMapOf(byLabel.checkpoints),
        foreign,
        history: true,
        avatars: false,
      }),
    ).toEqual([]);
    const rows = await logRows(byLabel.checkpoints);
    expect(rows.some((r) => r.warnings.some((w) => w.includes('(another schema) could not be re-linked')))).toBe(true);
  });
});

describe('objects the target refuses', () => {
  let site: EmulatorSite;
  let local: Backup;

  beforeAll(async () => {
    site = emu.createSite({ seed: 'restore-refused' });
    const localSeed = seedFixture(site, { objects: 200, seed: 'refused', issues: false });
    for (const a of site.data.schemaList().flatMap((s) => site.data.schemaAttributes(s.id)))
      if (a.unique) site.data.updateAttribute(a.typeId, a.id, { uniqueAttribute: false });
    local = await backUp(site, localSeed.schemaId);
  });

  test('a refused optional value is dropped with a warning; the object is still created', async () => {
    // a site whose members are not the source site's accounts: user values are refused
    const strangers = emu.createSite({ seed: 'restore-strangers' });
    const { result, checkpoints } = await restore(strangers, local, {
      kind: 'new-schema',
      name: 'Strangers',
      key: 'STR',
    });
    expect(result.status).toBe('completed');
    expect(result.counts).toMatchObject({ created: of(local.records, 'object').length, failed: 0 });
    const rows = await logRows(checkpoints);
    const refused = rows.filter((r) =>
      r.warnings.some((w) => /^"(Assigned user|Responsible|Jira user)": value refused by the target/.test(w)),
    );
    expect(refused.length).toBeGreaterThan(10);
    const withUsers = of(local.records, 'object').filter((o) =>
      o.attributes.some((a) => a.objectAttributeValues.some((v) => v.user)),
    );
    expect(refused.map((r) => r.sourceId).sort()).toEqual(withUsers.map((o) => o.id).sort());
    for (const r of refused) {
      const t = strangers.store.renderObject(r.targetId ?? '');
      expect(t?.attributes?.some((a) => a.objectTypeAttribute?.type === 2)).toBe(false);
    }
    expect(result.counts.warnings).toBeGreaterThanOrEqual(refused.length);
  });

  test('objects failing validation are logged and counted; the restore goes on and says so', async () => {
    const first = await restore(
      site,
      local,
      { kind: 'new-schema', name: 'Refusing', key: 'REF' },
      { options: { objectIcons: false, history: false } },
    );
    const targetSchemaId = first.result.target?.schemaId ?? '';
    // the target schema now demands an attribute the backup does not have
    const software = site.store.objectTypes(targetSchemaId).find((t) => t.name === 'Software')?.id ?? '';
    site.data.createAttribute(software, { name: 'Approval', type: 0, defaultTypeId: 0, minimumCardinality: 1 });
    const { result, checkpoints } = await restore(
      site,
      local,
      { kind: 'existing-schema', schemaId: targetSchemaId, createDuplicates: true },
      { options: { objectIcons: false, history: false } },
    );
    const softwareObjects = of(local.records, 'object').filter((o) => o.objectTypeId === seedTypeId(local, 'Software'));
    expect(result.status).toBe('completed');
    expect(result.counts.failed).toBe(softwareObjects.length);
    expect(result.counts.created).toBe(of(local.records, 'object').length - softwareObjects.length);
    expect(result.message).toBe(
      `Restore completed with errors: ${result.counts.created} objects created, ${softwareObjects.length} failed (see the log)`,
    );
    const failed = (await logRows(checkpoints)).filter((r) => r.action === 'failed');
    expect(failed.map((r) => r.sourceId).sort()).toEqual(softwareObjects.map((o) => o.id).sort());
    for (const r of failed) {
      expect(r.targetId).toBeUndefined();
      expect(r.errors.join(' ')).toContain('Approval is required');
    }
  });
});

describe('without the source', () => {
  test('a restore never reads the source site: it works while that site is down', async () => {
    const gone = emu.createSite({ seed: 'restore-gone' });
    const b = await backUp(
      gone,
      seedFixture(gone, { objects: 60, seed: 'gone', issues: false, secondSchema: false }).schemaId,
    );
    const members = gone.store.users();
    gone.resetData();
    gone.setKnobs({ forceAuthError: 401 });
    gone.resetCounters();
    const target = emu.createSite({ seed: 'restore-gone-target' });
    for (const u of members) target.data.addUser(u);
    const { result, checkpoints } = await restore(target, b, { kind: 'new-schema', name: 'Rescued', key: 'RSC' });
    expect(result.status).toBe('completed');
    expect(gone.counters().total).toBe(0);
    const targetSchemaId = result.target?.schemaId ?? '';
    expect(
      graphDifferences({
        backup: b,
        target,
        targetSchemaId,
        idMap: idMapOf(checkpoints),
        foreign: () => undefined,
        history: true,
        avatars: false,
      }),
    ).toEqual([]);
  });
});

describe('references into another schema of the same site', () => {
  test('kept where the object still exists, left empty and logged where it was deleted', async () => {
    const site = emu.createSite({ seed: 'restore-foreign' });
    const seeded = seedFixture(site, { objects: 200, seed: 'foreign', issues: false });
    const b = await backUp(site, seeded.schemaId);
    const referenced = [
      ...new Set(
        of(b.records, 'object').flatMap((o) =>
          o.attributes.flatMap((a) =>
            a.objectAttributeValues.flatMap((v) =>
              v.referencedObject !== undefined && v.referencedObject.objectTypeId === seeded.objectTypeIds.Employee
                ? [v.referencedObject.id]
                : [],
            ),
          ),
        ),
      ),
    ];
    const deleted = new Set(referenced.slice(0, 3));
    for (const id of deleted) site.data.deleteObject(id);
    const { result, checkpoints } = await restore(site, b, { kind: 'new-schema', name: 'Foreign kept', key: 'FRK' });
    expect(result.status).toBe('completed');
    const targetSchemaId = result.target?.schemaId ?? '';
    expect(
      graphDifferences({
        backup: b,
        target: site,
        targetSchemaId,
        idMap: idMapOf(checkpoints),
        foreign: (id) => (deleted.has(id) ? undefined : id),
        history: true,
        avatars: true,
      }),
    ).toEqual([]);
    const pointingAtDeleted = of(b.records, 'object').filter((o) =>
      o.attributes.some((a) => a.objectAttributeValues.some((v) => deleted.has(v.referencedObject?.id ?? ''))),
    );
    expect(pointingAtDeleted.length).toBeGreaterThan(0);
    const rows = await logRows(checkpoints);
    for (const o of pointingAtDeleted)
      expect(
        rows
          .find((r) => r.sourceId === o.id)
          ?.warnings.some((w) => w.includes('(another schema) could not be re-linked')),
      ).toBe(true);
  });
});

describe('into an existing schema', () => {
  let site: EmulatorSite;
  let localSeed: SeedResult;
  let local: Backup;

  beforeAll(async () => {
    site = emu.createSite({ seed: 'restore-existing' });
    localSeed = seedFixture(site, { objects: 300, seed: 'existing', issues: false });
    // uniqueness would refuse every duplicate; the duplicates-on case needs data that may repeat
    for (const a of site.data.schemaList().flatMap((s) => site.data.schemaAttributes(s.id)))
      if (a.unique) site.data.updateAttribute(a.typeId, a.id, { uniqueAttribute: false });
    local = await backUp(site, localSeed.schemaId);
  });

  test('duplicates off: objects whose ID exists are skipped and unchanged, the others recreated and linked to them', async () => {
    const all = of(local.records, 'object');
    // lose a third of the objects, among them referenced ones
    const lost = all.filter((_, i) => i % 3 === 1).map((o) => o.id);
    for (const id of lost) site.data.deleteObject(id);
    const kept = all.filter((o) => !lost.includes(o.id));
    // the stored truth of an object: values, last update, avatar, history
    const truth = (id: string) => {
      const o = site.data.object(Number(id));
      return JSON.stringify([[...(o?.values ?? [])], o?.updated, o?.avatarUUID, site.store.history(id).length]);
    };
    const before = new Map(kept.map((o) => [o.id, truth(o.id)]));
    const { result, checkpoints } = await restore(site, local, {
      kind: 'existing-schema',
      schemaId: localSeed.schemaId,
      createDuplicates: false,
    });
    expect(result.status).toBe('completed');
    expect(result.counts).toMatchObject({ created: lost.length, skipped: kept.length, failed: 0 });
    expect(result.message).toContain(`${kept.length} skipped`);
    expect(site.store.objectCount(localSeed.schemaId)).toBe(all.length);
    const ids = idMapOf(checkpoints);
    for (const o of kept) {
      expect(ids.get(o.id)).toMatchObject({ targetId: o.id, action: 'skipped' });
      expect([o.objectKey, truth(o.id)]).toEqual([o.objectKey, before.get(o.id)]);
    }
    const rows = await logRows(checkpoints);
    expect(
      rows
        .filter((r) => r.action === 'skipped')
        .map((r) => r.sourceId)
        .sort(),
    ).toEqual(kept.map((o) => o.id).sort());
    // the recreated objects equal the backup, their references to kept objects point at those;
    // kept objects are left as they are ("not changed"), also where they pointed at lost objects
    expect(
      graphDifferences({
        backup: local,
        target: site,
        targetSchemaId: localSeed.schemaId,
        idMap: ids,
        check: new Set(lost),
        foreign: (id) => id,
        history: true,
        avatars: true,
      }),
    ).toEqual([]);
  });

  test('duplicates on: every object is created again as a new object', async () => {
    const all = of(local.records, 'object');
    const count = site.store.objectCount(localSeed.schemaId);
    const { result, checkpoints } = await restore(
      site,
      local,
      { kind: 'existing-schema', schemaId: localSeed.schemaId, createDuplicates: true },
      { options: { objectIcons: true, history: false } },
    );
    expect(result.status).toBe('completed');
    expect(result.counts).toMatchObject({ created: all.length, skipped: 0, failed: 0 });
    expect(site.store.objectCount(localSeed.schemaId)).toBe(count + all.length);
    const ids = idMapOf(checkpoints);
    for (const o of all) expect(ids.get(o.id)?.targetId).not.toBe(o.id);
    expect(
      graphDifferences({
        backup: local,
        target: site,
        targetSchemaId: localSeed.schemaId,
        idMap: ids,
        foreign: (id) => id,
        history: false,
        avatars: true,
      }),
    ).toEqual([]);
  });
});

describe('specific object types', () => {
  const objects = () => of(backup.records, 'object');
  /** Structure of the restored types and the graph of the restored objects equal the backup. */
  const partialDifferences = (
    targetSchemaId: string,
    checkpoints: MemoryCheckpointStore,
    types: Set<string>,
    expected: Set<string>,
  ) => [
    ...structureDifferences(backup, source, targetSchemaId, { types, history: false }),
    ...graphDifferences({
      backup,
      target: source,
      targetSchemaId,
      idMap: idMapOf(checkpoints),
      objects: expected,
      foreign: (id) => id,
      history: false,
      avatars: false,
    }),
  ];
  const referencedBy = (list: { attributes: { objectAttributeValues: { referencedObject?: { id: string } }[] }[] }[]) =>
    new Set(
      list.flatMap((o) =>
        o.attributes.flatMap((a) => a.objectAttributeValues.map((v) => v.referencedObject?.id ?? '')),
      ),
    );

  test('a child type brings its parent and the types its attributes reference; the plan shows them first', async () => {
    const laptop = seed.objectTypeIds.Laptop ?? '';
    const options = { objectIcons: false, history: false, objectTypeIds: [laptop] };
    const destination: RestoreDestination = { kind: 'new-schema', name: 'Laptops only', key: 'LAPS' };
    const plan = await planRestore({ snapshot: backup.snapshot, client: clientFor(source), destination, options });
    expect(plan.extraObjectTypes.map((t) => [t.name, t.role]).sort()).toEqual([
      ['Hardware', 'parent'],
      ['Location', 'referenced'],
    ]);
    const { result, checkpoints } = await restore(source, backup, destination, { options });
    expect(result.status).toBe('completed');
    const laptops = objects().filter((o) => o.objectTypeId === laptop);
    const locationType = seed.objectTypeIds.Location ?? '';
    const referenced = referencedBy(laptops);
    const expected = new Set(
      [...laptops, ...objects().filter((o) => o.objectTypeId === locationType && referenced.has(o.id))].map(
        (o) => o.id,
      ),
    );
    expect(result.counts).toMatchObject({
      created: expected.size,
      failed: 0,
      excluded: objects().length - expected.size,
    });
    const targetSchemaId = result.target?.schemaId ?? '';
    expect(source.store.objectCount(targetSchemaId)).toBe(expected.size);
    const types = new Set([laptop, seed.objectTypeIds.Hardware ?? '', locationType]);
    expect(partialDifferences(targetSchemaId, checkpoints, types, expected)).toEqual([
      'Laptop: icon Object, expected Field laptop',
    ]);
  });

  test('references of the extra objects that lead outside the restore are left empty and logged', async () => {
    const software = seed.objectTypeIds.Software ?? '';
    const options = { objectIcons: false, history: false, objectTypeIds: [software] };
    const { result, checkpoints } = await restore(
      source,
      backup,
      { kind: 'new-schema', name: 'Software only', key: 'SWO' },
      { options },
    );
    expect(result.status).toBe('completed');
    const chosen = objects().filter((o) => o.objectTypeId === software);
    const referenced = referencedBy(chosen);
    const expected = new Set([
      ...chosen.map((o) => o.id),
      ...objects()
        .filter((o) => referenced.has(o.id))
        .map((o) => o.id),
    ]);
    expect(result.counts).toMatchObject({ created: expected.size, failed: 0 });
    // "Installed on" allows child types: Hardware and its three children come with it, Location does not
    const targetSchemaId = result.target?.schemaId ?? '';
    const names = source.store
      .objectTypes(targetSchemaId)
      .map((t) => t.name)
      .sort();
    const hardwareTree = ['Hardware', 'Laptop', 'Mobile device', 'Network device', 'Server', 'Tablet'];
    expect(names).toEqual([...hardwareTree, 'Software'].sort());
    // Hardware's "Location" would point at a type outside the restore: not created, and said so
    expect(result.structureWarnings.some((w) => w.includes('"Hardware.Location" not restored'))).toBe(true);
    const types = new Set(
      of(backup.records, 'objectType')
        .filter((t) => [...hardwareTree, 'Software'].includes(t.name))
        .map((t) => t.id),
    );
    expect(partialDifferences(targetSchemaId, checkpoints, types, expected)).toEqual([
      'Laptop: icon Object, expected Field laptop',
    ]);
    const rows = await logRows(checkpoints);
    const locationAttr = of(backup.records, 'attribute').find((a) => a.name === 'Location')?.id;
    const cut = objects().filter(
      (o) =>
        expected.has(o.id) &&
        o.attributes.some((a) => a.objectTypeAttributeId === locationAttr && a.objectAttributeValues.length > 0),
    );
    expect(cut.length).toBeGreaterThan(0);
    for (const o of cut)
      expect(rows.find((r) => r.sourceId === o.id)?.warnings).toContain(
        'Values of "Location" were not restored (the attribute is not on the target)',
      );
    expect(rows.filter((r) => r.action === 'excluded')).toHaveLength(objects().length - expected.size);
  });
});

describe('bad input: a clear code and nothing written on the target', () => {
  const cases: [string, RestoreDestination, { objectTypeIds?: string[] }, string][] = [
    ['a taken key', { kind: 'new-schema', name: 'Another name', key: 'ITI' }, {}, 'schema_key_taken'],
    ['a taken name', { kind: 'new-schema', name: 'it inventory', key: 'NEWKEY' }, {}, 'schema_name_taken'],
    ['an invalid key', { kind: 'new-schema', name: 'Fine', key: 'it-1' }, {}, 'invalid_schema_key'],
    ['a key too long', { kind: 'new-schema', name: 'Fine', key: 'ABCDEFGHIJK' }, {}, 'invalid_schema_key'],
    ['an empty name', { kind: 'new-schema', name: '  ', key: 'FINE' }, {}, 'invalid_schema_name'],
    [
      'a missing existing schema',
      { kind: 'existing-schema', schemaId: '987654', createDuplicates: false },
      {},
      'target_schema_not_found',
    ],
    [
      'unknown object types',
      { kind: 'new-schema', name: 'Fine', key: 'FINE' },
      { objectTypeIds: ['424242'] },
      'unknown_object_types',
    ],
  ];

  test.each(cases)('%s', async (_name, destination, extra, code) => {
    const writes = () =>
      Object.entries(source.counters().byRoute)
        .filter(([route]) => !route.startsWith('GET ') && !route.startsWith('POST /object/aql'))
        .reduce((n, [, c]) => n + c, 0);
    source.resetCounters();
    const schemas = source.store.schemas().length;
    const options = { objectIcons: false, history: false, ...extra };
    const planned = planRestore({ snapshot: backup.snapshot, client: clientFor(source), destination, options });
    await expect(planned).rejects.toBeInstanceOf(RestorePlanError);
    await expect(planned).rejects.toMatchObject({ code });
    const checkpoints = createMemoryCheckpointStore();
    const run = await runRestore({
      snapshot: backup.snapshot,
      client: clientFor(source),
      destination,
      options,
      checkpoints,
    });
    expect(run).toMatchObject({ status: 'failed', error: { code, retryable: false } });
    expect(writes()).toBe(0);
    expect(source.store.schemas()).toHaveLength(schemas);
    expect(await checkpoints.loadState()).toBeUndefined();
  });

  test('an allowance the restore would exceed', async () => {
    const input = {
      snapshot: backup.snapshot,
      client: clientFor(source),
      destination: { kind: 'new-schema', name: 'Too big', key: 'BIG' } as const,
      options: { objectIcons: false, history: false },
      objectAllowance: source.store.objectCount() + 100,
    };
    await expect(planRestore(input)).rejects.toMatchObject({ code: 'object_allowance_exceeded', statusCode: 422 });
    const checkpoints = createMemoryCheckpointStore();
    await expect(runRestore({ ...input, checkpoints })).resolves.toMatchObject({
      status: 'failed',
      error: { code: 'object_allowance_exceeded', retryable: false },
    });
    expect(source.store.schemas().some((s) => s.objectSchemaKey === 'BIG')).toBe(false);
  });

  test('attributes the API cannot write, and a history attribute the backup already has', async () => {
    const site = emu.createSite({ seed: 'restore-unwritable' });
    const small = seedFixture(site, { objects: 20, seed: 'unwritable', issues: false, secondSchema: false });
    // a Data Center era project attribute (kind 6), as a migrated site may still hold
    const project = site.data.createAttribute(small.objectTypeIds.Software ?? '', {
      name: 'Project',
      type: 0,
      defaultTypeId: 0,
    });
    project.kind = 6;
    site.data.createAttribute(small.objectTypeIds.Location ?? '', {
      name: 'OBJECT_HISTORY',
      type: 0,
      defaultTypeId: 9,
    });
    const b = await backUp(site, small.schemaId);
    const plan = (options: { history: boolean; objectTypeIds?: string[] }) =>
      planRestore({
        snapshot: b.snapshot,
        client: clientFor(site),
        destination: { kind: 'new-schema', name: 'Unwritable', key: 'UNW' },
        options: { objectIcons: false, ...options },
      });
    await expect(plan({ history: false })).rejects.toMatchObject({
      code: 'unsupported_attribute_kind',
      message: expect.stringContaining('Software.Project (type 6'),
    });
    const locationOnly = { objectTypeIds: [small.objectTypeIds.Location ?? ''] };
    await expect(plan({ history: true, ...locationOnly })).rejects.toMatchObject({
      code: 'history_attribute_conflict',
    });
    await expect(plan({ history: false, ...locationOnly })).resolves.toMatchObject({
      objectsLowerBound: expect.any(Number),
    });
  });

  test("a backup of JSM's system schema", async () => {
    const site = emu.createSite({ seed: 'restore-system' });
    const seeded = seedFixture(site, {
      objects: 5,
      seed: 'system',
      issues: false,
      secondSchema: false,
      systemSchema: true,
    });
    const services = await backUp(site, seeded.systemSchemaId ?? '');
    await expect(
      planRestore({
        snapshot: services.snapshot,
        client: clientFor(site),
        destination: { kind: 'new-schema', name: 'Services again', key: 'SVCA' },
        options: { objectIcons: false, history: false },
      }),
    ).rejects.toMatchObject({ code: 'source_schema_not_restorable' });
  });

  test('issue fields before the restore has finished', async () => {
    await expect(
      restoreIssueFields({
        snapshot: backup.snapshot,
        client: clientFor(source),
        checkpoints: createMemoryCheckpointStore(),
      }),
    ).rejects.toMatchObject({ code: 'restore_not_finished', statusCode: 409 });
  });
});
