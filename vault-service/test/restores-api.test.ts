/**
 * Restores end to end through the vault's HTTP API, against real Postgres and the Assets emulator over a
 * socket: a generated schema (every attribute kind, an abstract inherited parent, reference cycles,
 * references into a second schema, statuses, icons, avatars, history, issue references) is backed up by
 * the real backup engine, uploaded like the Forge app does, and restored by the vault's restore job to
 * a new schema on the site itself, to another instance (typed in and saved, then by its id), into an
 * existing schema with duplicates off and on, and for specific types. Each restored graph is compared
 * with the backup after id mapping by the engine suite's independent comparison (shared/test). Then:
 * bad input (4xx, nothing written), the grid, the .xlsx log read back with a second reader, issue
 * fields, and a backup that cannot be trashed while a restore reads it.
 * The runners are driven by the test (`runOnce`); the app runs without its own workers.
 */
import { randomUUID } from 'node:crypto';
import { seedFixture, type Emulator, type EmulatorSite, type SeedResult } from '@assets-vault/emulator';
import { sql } from 'kysely';
import XLSX from 'xlsx';
import {
  enrichFixture,
  graphDifferences,
  of,
  structureDifferences,
  type Backup,
} from '../../shared/test/restore.helpers.js';
import type { RestoreRunners } from '../src/jobs/restore-runner.js';
import type { RestoreDetail, RestoreList, RestorePreview } from '../src/modules/restores/schemas.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import type { TestDatabase } from './helpers/db.js';
import { csrfHeaders } from './helpers/login.js';
import {
  backUpToVault,
  restoreIdMap,
  saveSiteCredentials,
  startRestoreVault,
  type RestoreVault,
} from './helpers/restore.js';
import { createSiteWithSession, type TestSite } from './helpers/site.js';

let stack: RestoreVault;
let emulator: Emulator;
let source: EmulatorSite;
let seed: SeedResult;
let testDb: TestDatabase;
let vault: TestApp;
let runners: RestoreRunners;
let site: TestSite;
let backup: Backup;
let backupId = '';
/** a backup of the HR schema (the second schema, which the main one references) */
let hrBackupId = '';
let hrBackup: Backup;

type Json = Record<string, unknown>;

async function call(
  as: TestSite,
  path: string,
  init: { method?: string; body?: unknown } = {},
  app: TestApp = vault,
): Promise<{ status: number; body: Json }> {
  const method = init.method ?? 'GET';
  const res = await fetch(`${app.baseUrl}/api/v1${path}`, {
    method,
    headers: {
      cookie: as.cookie,
      ...(method !== 'GET' ? csrfHeaders(app.config.publicUrl) : {}),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
}

const api = (path: string, init: { method?: string; body?: unknown } = {}) => call(site, path, init);

/** POSTs a restore (202 expected) and runs the restore runner until it has nothing left to do. */
async function restore(body: Json): Promise<RestoreDetail> {
  const started = await api('/restores', { method: 'POST', body });
  expect([started.status, started.body]).toEqual([202, { id: expect.any(String), status: 'pending' }]);
  const id = String(started.body.id);
  while (await runners.restores.runOnce());
  return (await api(`/restores/${id}`)).body as unknown as RestoreDetail;
}

const allOptions = { objectIcons: true, history: true };

/** The restore's graph on the source site against the backup (references into other schemas kept). */
const sameSiteDifferences = async (
  restoreId: string,
  targetSchemaId: string,
  x: { history: boolean; avatars: boolean; objects?: Set<string>; check?: Set<string> },
) =>
  graphDifferences({
    backup,
    target: source,
    targetSchemaId,
    idMap: await restoreIdMap(testDb.db, restoreId),
    foreign: (id) => id,
    ...x,
  });
const schemaCount = (s: EmulatorSite) => s.store.schemas().length;

beforeAll(async () => {
  // the emulator enforces no limit here; the restore pacer runs 50 times faster than Atlassian's
  stack = await startRestoreVault(50, { retryBaseMs: 0, lockMs: 60_000 });
  ({ emulator, testDb, vault, runners } = stack);
  source = emulator.createSite({ seed: 'vault-restores' });
  seed = seedFixture(source, { objects: 150, seed: 'vault-restores' });
  enrichFixture(source, seed);
  // duplicates-on restores into a schema that already holds these objects: no unique attribute refuses them
  for (const a of source.data.schemaList().flatMap((s) => source.data.schemaAttributes(s.id)))
    if (a.unique) source.data.updateAttribute(a.typeId, a.id, { uniqueAttribute: false });
  site = await createSiteWithSession(testDb.db, {
    cloudId: source.info.cloudId,
    siteUrl: source.info.siteUrl,
    email: 'admin@restores.test',
  });
  await saveSiteCredentials(vault, site, source);
  ({ backupId, backup } = await backUpToVault(vault.baseUrl, source, seed.schemaId));
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const objects = () => of(backup.records, 'object');
const schemaIdByKey = (s: EmulatorSite, key: string) =>
  s.store.schemas().find((x) => x.objectSchemaKey === key)?.id ?? '';

describe('a new schema on the current instance, every option', () => {
  let done: RestoreDetail;

  beforeAll(async () => {
    done = await restore({
      backupId,
      destination: { kind: 'current-instance', schemaName: 'Inventory restored', schemaKey: 'INVR' },
      options: allOptions,
    });
  }, 120_000);

  it('completes with "Operation success", counts, progress, verification and a link to the schema', () => {
    const targetSchemaId = schemaIdByKey(source, 'INVR');
    expect(done).toMatchObject({
      status: 'completed',
      resultMessage: 'Operation success',
      backupId,
      source: { schemaId: seed.schemaId, schemaKey: 'ITI', siteUrl: source.info.siteUrl },
      destination: {
        kind: 'current-instance',
        siteUrl: source.info.siteUrl,
        schemaId: targetSchemaId,
        schemaName: 'Inventory restored',
        schemaKey: 'INVR',
        schemaUrl: `${source.info.siteUrl}/jira/servicedesk/assets/object-schema/${targetSchemaId}`,
      },
      options: { objectIcons: true, history: true, objectTypeIds: null },
      counts: { created: objects().length, skipped: 0, failed: 0 },
      progress: { phase: 'done', done: objects().length, total: objects().length },
      verification: { ok: true, issues: 0, sample: [] },
      createdBy: 'admin@restores.test',
      issueFields: { status: 'not_started', updatedFields: 0, failedFields: 0, updatedAt: null },
    });
    expect(Date.parse(done.startedAt ?? '')).toBeLessThanOrEqual(Date.parse(done.endedAt ?? ''));
    expect(source.store.objectCount(targetSchemaId)).toBe(objects().length);
  });

  it('the whole graph equals the backup after id mapping: values, references, statuses, history, avatars', async () => {
    const targetSchemaId = done.destination.schemaId ?? '';
    // the one structural difference: an icon uploaded into the source schema, which no other schema may use
    expect(structureDifferences(backup, source, targetSchemaId, { history: true })).toEqual([
      'Laptop: icon Object, expected Field laptop',
    ]);
    expect(await sameSiteDifferences(done.id, targetSchemaId, { history: true, avatars: true })).toEqual([]);
    // the history option wrote OBJECT_HISTORY into each restored type
    const restoredTypes = source.store.objectTypes(targetSchemaId).filter((t) => !t.abstractObjectType);
    for (const t of restoredTypes)
      expect(source.store.attributes(t.id).some((a) => a.name === 'OBJECT_HISTORY')).toBe(true);
  });

  it('was audited, started and finished by the job, and holds no restore credentials of its own', async () => {
    const audit = await testDb.db
      .selectFrom('audit_event')
      .select(['action', 'actor'])
      .where('target', '=', done.id)
      .orderBy('created_at')
      .execute();
    expect(audit).toEqual([
      { action: 'restore.started', actor: 'admin@restores.test' },
      { action: 'restore.completed', actor: 'system' },
    ]);
    const own = await testDb.db
      .selectFrom('site_credential')
      .select('purpose')
      .where('purpose', 'like', 'restore-target:%')
      .execute();
    expect(own).toEqual([]);
  });

  it('the .xlsx log opens in a second reader: a summary sheet and one row per object of the backup', async () => {
    const res = await fetch(`${vault.baseUrl}/api/v1/restores/${done.id}/log.xlsx`, {
      headers: { cookie: site.cookie },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="restore-INVR-.*\.xlsx"$/);
    const book = XLSX.read(Buffer.from(await res.arrayBuffer()), { type: 'buffer' });
    expect(book.SheetNames).toEqual(['Summary', 'Objects']);
    const summary = new Map(
      XLSX.utils.sheet_to_json<string[]>(book.Sheets.Summary!, { header: 1 }).map((r) => [r[0], r[1]]),
    );
    expect(summary.get('Status')).toBe('completed');
    expect(summary.get('Result')).toBe('Operation success');
    expect(summary.get('Source schema')).toContain('(ITI, id');
    expect(summary.get('Object history')).toBe('YES');
    expect(summary.get('Created')).toBe(objects().length);
    expect(summary.get('Verification')).toBe('equal to the backup');
    const rows = XLSX.utils.sheet_to_json<string[]>(book.Sheets.Objects!, { header: 1, defval: '' });
    expect(rows[0]).toEqual(['Old id', 'Old key', 'New id', 'New key', 'Type', 'Action', 'Warnings', 'Errors']);
    const body = rows.slice(1);
    expect(body).toHaveLength(objects().length);
    const ids = await restoreIdMap(testDb.db, done.id);
    const byId = new Map(objects().map((o) => [o.id, o]));
    expect(new Set(body.map((r) => r[0])).size).toBe(objects().length);
    for (const [oldId, oldKey, newId, newKey, type, action] of body) {
      expect(byId.get(String(oldId))?.objectKey).toBe(oldKey);
      expect([newId, newKey]).toEqual([ids.get(String(oldId))?.targetId, ids.get(String(oldId))?.targetKey]);
      expect(String(newKey).startsWith('INVR-')).toBe(true);
      expect(type).not.toBe('');
      expect(action).toBe('created');
    }
  });

  it('points the issue fields at the new objects (a durable job too), and refuses a second run meanwhile', async () => {
    const ids = await restoreIdMap(testDb.db, done.id);
    const started = await api(`/restores/${done.id}/issue-fields`, { method: 'POST' });
    expect([started.status, started.body]).toEqual([202, { id: done.id, issueFields: { status: 'pending' } }]);
    const again = await api(`/restores/${done.id}/issue-fields`, { method: 'POST' });
    expect([again.status, again.body.error]).toEqual([409, 'issue_fields_running']);
    expect((await api(`/restores/${done.id}`)).body.issueFields).toMatchObject({ status: 'pending' });
    while (await runners.issueFields.runOnce());
    const after = (await api(`/restores/${done.id}`)).body as unknown as RestoreDetail;
    const refs = of(backup.records, 'issueRef');
    expect(refs.length).toBeGreaterThan(3);
    expect(after.issueFields).toMatchObject({ status: 'completed', failedFields: 0, message: 'Operation success' });
    expect(after.issueFields.updatedFields).toBeGreaterThanOrEqual(new Set(refs.map((r) => r.issueKey)).size);
    expect(Date.parse(after.issueFields.updatedAt ?? '')).toBeGreaterThan(0);
    for (const ref of refs) {
      const value = (source.store.issue(ref.issueKey)?.fields[ref.fieldId] ?? []) as { objectId: string }[];
      for (const old of ref.objectIds) {
        expect(value.some((v) => v.objectId === old)).toBe(false);
        expect(value.some((v) => v.objectId === ids.get(old)?.targetId)).toBe(true);
      }
    }
    const audit = await testDb.db
      .selectFrom('audit_event')
      .select('action')
      .where('target', '=', done.id)
      .where('action', 'like', 'restore.issue_fields%')
      .orderBy('created_at')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['restore.issue_fields_started', 'restore.issue_fields_completed']);
  });
});

describe('options', () => {
  it('without history and icons: no OBJECT_HISTORY attribute, no avatars, the graph otherwise equal', async () => {
    const done = await restore({
      backupId,
      destination: { kind: 'current-instance', schemaName: 'Plain copy', schemaKey: 'PLAIN' },
      options: { objectIcons: false, history: false },
    });
    expect(done).toMatchObject({ status: 'completed', options: { history: false, objectIcons: false } });
    const targetSchemaId = done.destination.schemaId ?? '';
    expect(source.store.objectTypes(targetSchemaId).flatMap((t) => source.store.attributes(t.id))).not.toContainEqual(
      expect.objectContaining({ name: 'OBJECT_HISTORY' }),
    );
    expect(await sameSiteDifferences(done.id, targetSchemaId, { history: false, avatars: false })).toEqual([]);
  }, 120_000);

  it('specific types: the preview names the parent and referenced types; only those types and the objects they need', async () => {
    const laptop = seed.objectTypeIds.Laptop ?? '';
    const location = seed.objectTypeIds.Location ?? '';
    const body = {
      backupId,
      destination: { kind: 'current-instance', schemaName: 'Laptops only', schemaKey: 'LAPS' },
      options: { objectIcons: false, history: false, objectTypeIds: [laptop] },
    };
    const schemas = schemaCount(source);
    const preview = await api('/restores/preview', { method: 'POST', body });
    expect(preview.status).toBe(200);
    const p = preview.body as unknown as RestorePreview;
    expect(p.objectTypes.map((t) => [t.name, t.role]).sort()).toEqual([
      ['Hardware', 'parent'],
      ['Laptop', 'selected'],
      ['Location', 'referenced'],
    ]);
    const laptops = objects().filter((o) => o.objectTypeId === laptop);
    expect(p.objectCount).toBe(laptops.length + objects().filter((o) => o.objectTypeId === location).length);
    // the preview wrote nothing
    expect(schemaCount(source)).toBe(schemas);

    const done = await restore(body);
    const referenced = new Set(
      laptops.flatMap((o) =>
        o.attributes.flatMap((a) => a.objectAttributeValues.map((v) => v.referencedObject?.id ?? '')),
      ),
    );
    const expected = new Set(
      [...laptops, ...objects().filter((o) => o.objectTypeId === location && referenced.has(o.id))].map((o) => o.id),
    );
    expect(done).toMatchObject({
      status: 'completed',
      options: { objectTypeIds: [laptop] },
      counts: { created: expected.size, failed: 0 },
    });
    const targetSchemaId = done.destination.schemaId ?? '';
    expect(source.store.objectCount(targetSchemaId)).toBe(expected.size);
    const types = new Set([laptop, seed.objectTypeIds.Hardware ?? '', location]);
    expect(structureDifferences(backup, source, targetSchemaId, { types, history: false })).toEqual([
      'Laptop: icon Object, expected Field laptop',
    ]);
    expect(
      await sameSiteDifferences(done.id, targetSchemaId, { objects: expected, history: false, avatars: false }),
    ).toEqual([]);
  }, 120_000);
});

describe('an existing schema', () => {
  it('duplicates on: every object created again, next to the ones there', async () => {
    const targetSchemaId = schemaIdByKey(source, 'PLAIN');
    const before = source.store.objectCount(targetSchemaId);
    const done = await restore({
      backupId,
      destination: { kind: 'existing-schema', schemaId: targetSchemaId, createDuplicates: true },
      options: { objectIcons: true, history: false },
    });
    expect(done).toMatchObject({
      status: 'completed',
      resultMessage: 'Operation success',
      destination: { kind: 'existing-schema', schemaId: targetSchemaId, schemaKey: 'PLAIN', createDuplicates: true },
      counts: { created: objects().length, skipped: 0, failed: 0 },
    });
    expect(source.store.objectCount(targetSchemaId)).toBe(before + objects().length);
    const ids = await restoreIdMap(testDb.db, done.id);
    // new objects, none of them the ones already there
    expect(new Set([...ids.values()].map((m) => m.targetId)).size).toBe(objects().length);
    for (const o of objects()) expect(ids.get(o.id)).toMatchObject({ action: 'created' });
    expect(await sameSiteDifferences(done.id, targetSchemaId, { history: false, avatars: true })).toEqual([]);
  }, 120_000);

  it('duplicates off: objects whose ID exists are skipped, counted and named in the result; the lost ones come back', async () => {
    // a third of the source schema's objects are lost
    const lost = objects()
      .filter((_, i) => i % 3 === 1)
      .map((o) => o.id);
    for (const id of lost) source.data.deleteObject(id);
    const kept = objects().length - lost.length;
    const done = await restore({
      backupId,
      destination: { kind: 'existing-schema', schemaId: seed.schemaId, createDuplicates: false },
      options: allOptions,
    });
    expect(done).toMatchObject({
      status: 'completed',
      resultMessage: `Operation success: ${lost.length} objects created, ${kept} skipped (their IDs exist in the target schema)`,
      counts: { created: lost.length, skipped: kept, failed: 0 },
    });
    expect(source.store.objectCount(seed.schemaId)).toBe(objects().length);
    const ids = await restoreIdMap(testDb.db, done.id);
    for (const o of objects())
      if (!lost.includes(o.id)) expect(ids.get(o.id)).toMatchObject({ targetId: o.id, action: 'skipped' });
    expect(
      await sameSiteDifferences(done.id, seed.schemaId, { check: new Set(lost), history: true, avatars: true }),
    ).toEqual([]);
    const res = await fetch(`${vault.baseUrl}/api/v1/restores/${done.id}/log.xlsx`, {
      headers: { cookie: site.cookie },
    });
    const book = XLSX.read(Buffer.from(await res.arrayBuffer()), { type: 'buffer' });
    const rows = XLSX.utils.sheet_to_json<string[]>(book.Sheets.Objects!, { header: 1, defval: '' }).slice(1);
    expect(rows.filter((r) => r[5] === 'skipped')).toHaveLength(kept);
    expect(rows.filter((r) => r[5] === 'created')).toHaveLength(lost.length);
  }, 120_000);
});

describe('another instance', () => {
  let other: EmulatorSite;

  beforeAll(() => {
    other = emulator.createSite({ seed: 'vault-restores-other' });
    // the same Atlassian accounts are members of the other site
    for (const u of source.store.users()) other.data.addUser(u);
  });

  /** the HR schema restored there first: references into it follow its id map */
  let people = new Map<string, { targetId: string }>();

  const otherDifferences = async (restoreId: string, key: string, history: boolean) => {
    const targetSchemaId = schemaIdByKey(other, key);
    return [
      // icons only the source site has fall back to the default (no public upload): the rest must be equal
      ...structureDifferences(backup, other, targetSchemaId, { history }).filter((d) => !/: icon /.test(d)),
      ...graphDifferences({
        backup,
        target: other,
        targetSchemaId,
        idMap: await restoreIdMap(testDb.db, restoreId),
        foreign: (id) => people.get(id)?.targetId,
        history,
        avatars: false,
      }),
    ];
  };

  it('a new target typed in and saved, then by its id: references into the schema restored there first are re-linked', async () => {
    const hr = await backUpToVault(vault.baseUrl, source, seed.secondSchemaId ?? '');
    hrBackupId = hr.backupId;
    hrBackup = hr.backup;
    const first = await restore({
      backupId: hr.backupId,
      destination: {
        kind: 'another-instance',
        newTarget: {
          name: 'Other site',
          url: other.info.siteUrl,
          email: other.info.email,
          apiToken: other.info.apiToken,
          assetsApiBaseUrl: other.info.assetsApiBase,
          save: true,
        },
        schemaName: 'People',
        schemaKey: 'PPL',
      },
      options: allOptions,
    });
    expect(first).toMatchObject({ status: 'completed', resultMessage: 'Operation success' });
    people = await restoreIdMap(testDb.db, first.id);
    const targetId = ((await api('/target-instances')).body.items as { id: string }[])[0]?.id;
    const done = await restore({
      backupId,
      destination: { kind: 'another-instance', targetInstanceId: targetId, schemaName: 'Inventory', schemaKey: 'INV' },
      options: allOptions,
    });
    const targets = (await api('/target-instances')).body.items as { id: string; name: string }[];
    expect(targets).toEqual([expect.objectContaining({ name: 'Other site' })]);
    expect(done).toMatchObject({
      status: 'completed',
      destination: {
        kind: 'another-instance',
        siteUrl: other.info.siteUrl,
        targetInstanceId: targets[0]?.id,
        targetName: 'Other site',
        schemaKey: 'INV',
      },
      counts: { created: objects().length, failed: 0 },
    });
    expect(await otherDifferences(done.id, 'INV', true)).toEqual([]);
    // avatars cannot be restored there: counted as warnings and sampled
    expect(done.counts.warnings).toBeGreaterThanOrEqual(objects().filter((o) => o.hasAvatar).length);
    expect(done.warningsSample.some((w) => w.includes('Object icon not restored'))).toBe(true);
  }, 120_000);

  it('an existing schema of a target instance: duplicates off matches object IDs there (none are), so all are created', async () => {
    const targetId = ((await api('/target-instances')).body.items as { id: string }[])[0]?.id;
    const location = seed.objectTypeIds.Location ?? '';
    const inv = schemaIdByKey(other, 'INV');
    const before = other.store.objectCount(inv);
    const done = await restore({
      backupId,
      destination: { kind: 'existing-schema', schemaId: inv, createDuplicates: false, targetInstanceId: targetId },
      options: { objectIcons: false, history: false, objectTypeIds: [location] },
    });
    const locations = objects().filter((o) => o.objectTypeId === location);
    expect(done).toMatchObject({
      status: 'completed',
      destination: { kind: 'existing-schema', schemaId: inv, schemaKey: 'INV', targetInstanceId: targetId },
      counts: { created: locations.length, skipped: 0, failed: 0 },
    });
    expect(other.store.objectCount(inv)).toBe(before + locations.length);
  }, 120_000);

  it('a target typed in and not saved keeps its token encrypted for the restore only', async () => {
    const unsaved = await restore({
      backupId,
      destination: {
        kind: 'another-instance',
        newTarget: {
          name: 'Once',
          url: other.info.siteUrl,
          email: other.info.email,
          apiToken: other.info.apiToken,
          assetsApiBaseUrl: other.info.assetsApiBase,
          save: false,
        },
        schemaName: 'Once',
        schemaKey: 'ONCE',
      },
      options: { objectIcons: false, history: false },
    });
    expect(unsaved).toMatchObject({ status: 'completed', destination: { targetName: 'Once' } });
    expect(unsaved.destination.targetInstanceId).toBeUndefined();
    expect(await otherDifferences(unsaved.id, 'ONCE', false)).toEqual([]);
    expect((await api('/target-instances')).body.items).toHaveLength(1);
    const stored = await testDb.db
      .selectFrom('site_credential')
      .selectAll()
      .where('purpose', '=', `restore-target:${unsaved.id}`)
      .executeTakeFirstOrThrow();
    expect(stored.ciphertext.toString('utf8')).not.toContain(other.info.apiToken);
    // the API never returns a token
    expect(JSON.stringify((await api('/restores')).body)).not.toContain(other.info.apiToken);
  }, 180_000);
});

describe('references into other schemas, matched in a schema the user picks', () => {
  it('point at the object of the same label there; a schema not on the target is refused before any write', async () => {
    // the HR backup of the 'another instance' tests
    const copy = await restore({
      backupId: hrBackupId,
      destination: { kind: 'current-instance', schemaName: 'People copy', schemaKey: 'PCOPY' },
      options: { objectIcons: false, history: false },
    });
    expect(copy).toMatchObject({ status: 'completed', resultMessage: 'Operation success' });
    const copied = await restoreIdMap(testDb.db, copy.id);
    // a label two HR objects share is ambiguous: such references are left empty and logged
    const labels = new Map<string, number>();
    for (const o of of(hrBackup.records, 'object')) labels.set(o.label, (labels.get(o.label) ?? 0) + 1);
    const labelOf = new Map(of(hrBackup.records, 'object').map((o) => [o.id, o.label]));
    const expected = (id: string) => (labels.get(labelOf.get(id) ?? '') === 1 ? copied.get(id)?.targetId : undefined);
    const body = (crossSchemaMatch: Json, schemaKey: string) => ({
      backupId,
      destination: { kind: 'current-instance', schemaName: `Matched ${schemaKey}`, schemaKey },
      options: { objectIcons: false, history: false, crossSchemaMatch },
    });

    const missing = await api('/restores/preview', {
      method: 'POST',
      body: body({ schemaId: '99999999', by: 'label' }, 'NOPE'),
    });
    expect([missing.status, missing.body.error]).toEqual([422, 'cross_schema_target_not_found']);

    const done = await restore(body({ schemaId: schemaIdByKey(source, 'PCOPY'), by: 'label' }, 'MATCHED'));
    expect(done).toMatchObject({ status: 'completed', counts: { created: objects().length, failed: 0 } });
    expect(
      graphDifferences({
        backup,
        target: source,
        targetSchemaId: schemaIdByKey(source, 'MATCHED'),
        idMap: await restoreIdMap(testDb.db, done.id),
        foreign: expected,
        history: false,
        avatars: false,
      }),
    ).toEqual([]);
  }, 120_000);
});

describe('bad input: a 4xx with a clear message, nothing written', () => {
  let otherSite: TestSite;

  beforeAll(async () => {
    // a second vault site (another tenant) with its own backup and no stored credentials
    const lonely = emulator.createSite({ seed: 'vault-restores-lonely' });
    const lonelySeed = seedFixture(lonely, { objects: 20, seed: 'lonely', issues: false, secondSchema: false });
    otherSite = await createSiteWithSession(testDb.db, {
      cloudId: lonely.info.cloudId,
      siteUrl: lonely.info.siteUrl,
      email: 'admin@lonely.test',
    });
    const own = await backUpToVault(vault.baseUrl, lonely, lonelySeed.schemaId);
    otherSite = { ...otherSite, ...{ backupId: own.backupId } };
  }, 60_000);

  /** the table is built before any backup exists: `MAIN` stands for the suite's backup */
  const MAIN = 'the-main-backup';
  const good = (destination: Json, options: Json = { objectIcons: false, history: false }) => ({
    backupId: MAIN,
    destination,
    options,
  });

  it.each([
    [
      'an unknown backup',
      { ...good({ kind: 'current-instance', schemaName: 'X', schemaKey: 'XX' }), backupId: randomUUID() },
      404,
      'not_found',
    ],
    [
      'a malformed backup id',
      { ...good({ kind: 'current-instance', schemaName: 'X', schemaKey: 'XX' }), backupId: 'nope' },
      404,
      'not_found',
    ],
    [
      'an invalid key',
      good({ kind: 'current-instance', schemaName: 'X', schemaKey: 'it-1' }),
      400,
      'invalid_schema_key',
    ],
    [
      'a taken key',
      good({ kind: 'current-instance', schemaName: 'Another name', schemaKey: 'ITI' }),
      409,
      'schema_key_taken',
    ],
    [
      'a taken name',
      good({ kind: 'current-instance', schemaName: 'inventory restored', schemaKey: 'NEWKEY' }),
      409,
      'schema_name_taken',
    ],
    [
      'unknown object types',
      good(
        { kind: 'current-instance', schemaName: 'X', schemaKey: 'XX' },
        { objectIcons: false, history: false, objectTypeIds: ['999999'] },
      ),
      400,
      'unknown_object_types',
    ],
    [
      'a missing existing schema',
      good({ kind: 'existing-schema', schemaId: '99999999', createDuplicates: false }),
      422,
      'target_schema_not_found',
    ],
    [
      'an unknown target instance',
      good({ kind: 'another-instance', targetInstanceId: randomUUID(), schemaName: 'X', schemaKey: 'XX' }),
      404,
      'not_found',
    ],
    [
      'both a target instance and a new target',
      good({
        kind: 'another-instance',
        targetInstanceId: randomUUID(),
        newTarget: { name: 'n', url: 'https://x.atlassian.net', email: 'a@b.c', apiToken: 't', save: false },
        schemaName: 'X',
        schemaKey: 'XX',
      }),
      400,
      'validation_failed',
    ],
    [
      'an unreachable target',
      good({
        kind: 'another-instance',
        newTarget: { name: 'Down', url: 'http://127.0.0.1:1/sites/down', email: 'a@b.c', apiToken: 't', save: true },
        schemaName: 'X',
        schemaKey: 'XX',
      }),
      502,
      'target_unreachable',
    ],
    [
      'a target that refuses the token',
      good({
        kind: 'another-instance',
        newTarget: { name: 'Refusing', url: '', email: 'a@b.c', apiToken: 'wrong', save: true },
        schemaName: 'X',
        schemaKey: 'XX',
      }),
      422,
      'target_unauthorized',
    ],
    [
      'an unknown destination kind',
      good({ kind: 'elsewhere', schemaName: 'X', schemaKey: 'XX' }),
      400,
      'validation_failed',
    ],
  ])('%s', async (_what, table, status, code) => {
    const body = structuredClone(table) as { backupId: string; destination: { newTarget?: { url: string } } };
    if (body.backupId === MAIN) body.backupId = backupId;
    if (body.destination.newTarget?.url === '') body.destination.newTarget.url = source.info.siteUrl;
    const schemas = schemaCount(source);
    const before = await testDb.db
      .selectFrom('restore_job')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    for (const path of ['/restores', '/restores/preview']) {
      const res = await api(path, { method: 'POST', body });
      expect([res.status, res.body.error]).toEqual([status, code]);
      expect(typeof res.body.message).toBe('string');
    }
    expect(schemaCount(source)).toBe(schemas);
    const after = await testDb.db
      .selectFrom('restore_job')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    expect((await api('/target-instances')).body.items).toHaveLength(1);
  });

  it("another site's backup is a 404; a site without credentials a 409 no_credentials", async () => {
    const destination = { kind: 'current-instance', schemaName: 'X', schemaKey: 'XX' };
    const options = { objectIcons: false, history: false };
    const foreign = await call(otherSite, '/restores', { method: 'POST', body: { backupId, destination, options } });
    expect([foreign.status, foreign.body.error]).toEqual([404, 'not_found']);
    const ownBackup = (otherSite as TestSite & { backupId: string }).backupId;
    const noCreds = await call(otherSite, '/restores', {
      method: 'POST',
      body: { backupId: ownBackup, destination, options },
    });
    expect([noCreds.status, noCreds.body.error]).toEqual([409, 'no_credentials']);
    // and another site's restores are not found either
    const mine = (await api('/restores')).body.items as { id: string }[];
    expect((await call(otherSite, `/restores/${mine[0]?.id}`)).status).toBe(404);
    expect((await call(otherSite, `/restores/${mine[0]?.id}/log.xlsx`)).status).toBe(404);
    expect((await call(otherSite, `/restores/${mine[0]?.id}/issue-fields`, { method: 'POST' })).status).toBe(404);
    expect((await call(otherSite, '/restores')).body.items).toEqual([]);
  });

  it("a target without room for the backup's objects (ASSETS_OBJECT_ALLOWANCE) is a 422 before anything is written", async () => {
    const used = source.data.usage().total;
    // the suite's configuration (its encryption keys read the stored credentials) with an allowance
    const withAllowance = (objectAllowance: number) =>
      startTestApp({
        db: testDb.db,
        config: { ...vault.config, restore: { ...vault.config.restore, objectAllowance } },
      });
    const limited = await withAllowance(used + objects().length - 1);
    try {
      const schemas = schemaCount(source);
      const body = {
        backupId,
        destination: { kind: 'current-instance', schemaName: 'No room', schemaKey: 'NOROOM' },
        options: { objectIcons: false, history: false },
      };
      for (const path of ['/restores', '/restores/preview']) {
        const res = await call(site, path, { method: 'POST', body }, limited);
        expect([res.status, res.body.error]).toEqual([422, 'object_allowance_exceeded']);
        expect(res.body.message).toContain(`allowance of ${used + objects().length - 1}`);
      }
      expect(schemaCount(source)).toBe(schemas);
      // one object fewer would fit: the same request is accepted as far as the preview goes
      const roomy = await withAllowance(used + objects().length);
      try {
        expect((await call(site, '/restores/preview', { method: 'POST', body }, roomy)).status).toBe(200);
      } finally {
        await roomy.close();
      }
    } finally {
      await limited.close();
    }
  });

  it('writes need the CSRF headers and a session', async () => {
    const noCsrf = await fetch(`${vault.baseUrl}/api/v1/restores`, {
      method: 'POST',
      headers: { cookie: site.cookie, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(noCsrf.status).toBe(403);
    expect((await fetch(`${vault.baseUrl}/api/v1/restores`)).status).toBe(401);
  });
});

describe('the grid', () => {
  it('lists every restore newest first, filters by the source schema, pages with a cursor', async () => {
    const all = (await api('/restores')).body as unknown as RestoreList;
    expect(all.items.length).toBe(11);
    const times = all.items.map((r) => Date.parse(r.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // every destination kind is listed under the backup's schema; the HR schema's two restores are not
    const bySchema = (await api(`/restores?schemaId=${seed.schemaId}`)).body as unknown as RestoreList;
    expect(bySchema.items.map((r) => r.id)).toEqual(
      all.items.filter((r) => r.source.schemaId === seed.schemaId).map((r) => r.id),
    );
    expect(bySchema.items).toHaveLength(9);
    expect(new Set(bySchema.items.map((r) => r.destination.kind))).toEqual(
      new Set(['current-instance', 'existing-schema', 'another-instance']),
    );
    expect(((await api('/restores?schemaId=424242')).body as unknown as RestoreList).items).toEqual([]);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = (await api(`/restores?limit=3${cursor ? `&cursor=${cursor}` : ''}`)).body as unknown as RestoreList;
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.items.map((r) => r.id));
    expect((await api('/restores?cursor=garbage')).status).toBe(400);
  });

  it('the OpenAPI document describes every restore route', async () => {
    const doc = (await api('/../../docs/json')).body as { paths: Record<string, unknown> };
    for (const path of [
      '/api/v1/restores',
      '/api/v1/restores/preview',
      '/api/v1/restores/{id}',
      '/api/v1/restores/{id}/log.xlsx',
      '/api/v1/restores/{id}/issue-fields',
    ])
      expect(Object.keys(doc.paths)).toContain(path);
  });
});

describe('a backup being read', () => {
  it('cannot be trashed (by hand or by retention) while a restore reads it; afterwards it can', async () => {
    // two backups of the HR schema: the older one is read by a restore, the newer one keeps the schema covered
    const hr = { backupId: hrBackupId };
    const newer = await backUpToVault(vault.baseUrl, source, seed.secondSchemaId ?? '', 'scheduled');
    expect(newer.backupId).not.toBe(hr.backupId);
    const started = await api('/restores', {
      method: 'POST',
      body: {
        backupId: hr.backupId,
        destination: { kind: 'current-instance', schemaName: 'People', schemaKey: 'PPL' },
        options: { objectIcons: false, history: false },
      },
    });
    expect(started.status).toBe(202);
    const refused = await api(`/backups/${hr.backupId}`, { method: 'DELETE' });
    expect([refused.status, refused.body.error]).toEqual([409, 'backup_in_use']);
    // a policy keeping no manual backup passes it over while it is read
    const policy = await api('/retention', {
      method: 'PUT',
      body: { keepManual: 0, keepScheduled: null, maxAgeDays: null },
    });
    expect(policy.status).toBe(200);
    expect(policy.body.deleted).not.toContain(hr.backupId);
    const kept = await testDb.db
      .selectFrom('backup')
      .select('trashed_at')
      .where('id', '=', hr.backupId)
      .executeTakeFirstOrThrow();
    expect(kept.trashed_at).toBeNull();
    while (await runners.restores.runOnce());
    expect((await api(`/restores/${String(started.body.id)}`)).body.status).toBe('completed');
    expect((await api(`/backups/${hr.backupId}`, { method: 'DELETE' })).status).toBe(204);
  }, 120_000);
});
