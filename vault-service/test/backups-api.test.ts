/**
 * The schemas and backups API of the session's site: the grid with its filters and numbering,
 * delete with its audit entry, and tenant isolation (another site's ids answer 404 or nothing).
 */
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { csrfHeaders } from './helpers/login.js';
import { insertTestRestore } from './helpers/restore.js';
import { createSiteWithSession } from './helpers/site.js';

describe('schemas and backups API', () => {
  let testDb: TestDatabase;
  let vault: TestApp;
  const sites: Record<'a' | 'b', { siteId: string; cookie: string }> = {
    a: { siteId: '', cookie: '' },
    b: { siteId: '', cookie: '' },
  };
  const ids: Record<string, string> = {};

  async function seedSite(name: 'a' | 'b') {
    const { siteId, cookie } = await createSiteWithSession(testDb.db, {
      cloudId: `cloud-${name}`,
      siteUrl: `https://${name}.atlassian.net`,
      email: `admin@${name}.test`,
    });
    sites[name] = { siteId, cookie };
    return siteId;
  }

  async function seedBackup(
    siteId: string,
    label: string,
    input: {
      schemaId: string;
      kind: 'manual' | 'scheduled';
      completedAt?: string;
      history?: boolean;
      objects?: number;
      warnings?: string[];
    },
  ) {
    const row = await testDb.db
      .insertInto('backup')
      .values({
        site_id: siteId,
        schema_id: input.schemaId,
        schema_name: `Schema ${input.schemaId}`,
        schema_key: `S${input.schemaId}`,
        kind: input.kind,
        status: input.completedAt ? 'completed' : 'uploading',
        options: JSON.stringify({ history: input.history ?? false, icons: true, issueRefs: true }),
        started_at: input.completedAt ?? new Date().toISOString(),
        completed_at: input.completedAt ?? null,
        manifest: input.completedAt ? JSON.stringify({ formatVersion: 1, warnings: input.warnings }) : null,
        object_count: input.completedAt ? (input.objects ?? 10) : null,
        content_sha256: input.completedAt ? 'a'.repeat(64) : null,
        opened_by_webhook_id: `bkc_${label}`,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids[label] = row.id;
  }

  const get = (site: 'a' | 'b', path: string) =>
    fetch(`${vault.baseUrl}${path}`, { headers: { cookie: sites[site].cookie } });

  beforeAll(async () => {
    testDb = await createTestDatabase();
    vault = await startTestApp({ db: testDb.db, config: testConfig({ VAULT_WORKERS: 'false' }) });
    const a = await seedSite('a');
    const b = await seedSite('b');
    await testDb.db
      .insertInto('synced_schema')
      .values([
        { site_id: a, schema_id: '2', name: 'IT Inventory', key: 'ITI', object_count: 1200, is_synced: true },
        { site_id: a, schema_id: '7', name: 'Facilities', key: 'FAC', object_count: 40, is_synced: true },
      ])
      .execute();
    await seedBackup(a, 'a1', {
      schemaId: '2',
      kind: 'manual',
      completedAt: '2026-11-01T10:00:00.000Z',
      objects: 1100,
    });
    await seedBackup(a, 'a2', {
      schemaId: '2',
      kind: 'scheduled',
      completedAt: '2026-11-10T02:00:00.000Z',
      history: true,
      objects: 1150,
      warnings: ['2 objects were deleted while the backup ran; they are kept without history'],
    });
    await seedBackup(a, 'a3', {
      schemaId: '2',
      kind: 'scheduled',
      completedAt: '2026-11-20T02:00:00.000Z',
      objects: 1200,
    });
    await seedBackup(a, 'a-open', { schemaId: '2', kind: 'manual' });
    await seedBackup(a, 'a-gone', {
      schemaId: '9',
      kind: 'manual',
      completedAt: '2026-10-01T00:00:00.000Z',
      objects: 5,
    });
    await seedBackup(b, 'b1', { schemaId: '2', kind: 'manual', completedAt: '2026-11-15T00:00:00.000Z' });
  });

  afterAll(async () => {
    await vault?.close();
    await testDb?.drop();
  });

  it('lists synced schemas with backups count and last backup, plus schemas that only have backups', async () => {
    const res = await get('a', '/api/v1/schemas');
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: Array<Record<string, unknown>> };
    expect(items).toEqual([
      {
        schemaId: '7',
        name: 'Facilities',
        key: 'FAC',
        objectCount: 40,
        synced: true,
        backupsCount: 0,
        lastBackup: null,
      },
      {
        schemaId: '2',
        name: 'IT Inventory',
        key: 'ITI',
        objectCount: 1200,
        synced: true,
        backupsCount: 3,
        lastBackup: { id: ids.a3, completedAt: '2026-11-20T02:00:00.000Z', kind: 'scheduled', objects: 1200 },
      },
      {
        schemaId: '9',
        name: 'Schema 9',
        key: 'S9',
        objectCount: 5,
        synced: false,
        backupsCount: 1,
        lastBackup: { id: ids['a-gone'], completedAt: '2026-10-01T00:00:00.000Z', kind: 'manual', objects: 5 },
      },
    ]);
  });

  it('returns the grid of completed backups, newest first, numbered from the oldest', async () => {
    const { items } = (await (await get('a', '/api/v1/schemas/2/backups')).json()) as {
      items: Array<Record<string, unknown>>;
    };
    expect(items).toEqual([
      {
        id: ids.a3,
        n: 3,
        backupDate: '2026-11-20T02:00:00.000Z',
        objects: 1200,
        type: 'scheduled',
        historyStatus: 'not included',
        objectsInIssuesStatus: 'included',
        browse: 'preparing',
        search: 'indexing',
        warnings: [],
      },
      {
        id: ids.a2,
        n: 2,
        backupDate: '2026-11-10T02:00:00.000Z',
        objects: 1150,
        type: 'scheduled',
        historyStatus: 'included',
        objectsInIssuesStatus: 'included',
        browse: 'preparing',
        search: 'indexing',
        warnings: ['2 objects were deleted while the backup ran; they are kept without history'],
      },
      {
        id: ids.a1,
        n: 1,
        backupDate: '2026-11-01T10:00:00.000Z',
        objects: 1100,
        type: 'manual',
        historyStatus: 'not included',
        objectsInIssuesStatus: 'included',
        browse: 'preparing',
        search: 'indexing',
        warnings: [],
      },
    ]);
  });

  it('filters by kind and by date range', async () => {
    const ofKind = (await (await get('a', '/api/v1/schemas/2/backups?kind=scheduled')).json()) as {
      items: Array<{ id: string; n: number }>;
    };
    expect(ofKind.items.map((b) => [b.id, b.n])).toEqual([
      [ids.a3, 3],
      [ids.a2, 2],
    ]);
    const inRange = (await (
      await get('a', '/api/v1/schemas/2/backups?from=2026-11-05T00:00:00Z&to=2026-11-15T00:00:00Z')
    ).json()) as { items: Array<{ id: string }> };
    expect(inRange.items.map((b) => b.id)).toEqual([ids.a2]);
    const both = (await (await get('a', '/api/v1/schemas/2/backups?kind=manual&from=2026-11-05T00:00:00Z')).json()) as {
      items: unknown[];
    };
    expect(both.items).toEqual([]);
    expect((await get('a', '/api/v1/schemas/2/backups?from=2026-11-20T00:00:00Z&to=2026-11-01T00:00:00Z')).status).toBe(
      400,
    );
    expect((await get('a', '/api/v1/schemas/2/backups?kind=weekly')).status).toBe(400);
  });

  it("never shows another site's backups and answers 404 when deleting one", async () => {
    const list = (await (await get('a', '/api/v1/schemas/2/backups')).json()) as { items: Array<{ id: string }> };
    expect(list.items.map((b) => b.id)).not.toContain(ids.b1);
    const del = await fetch(`${vault.baseUrl}/api/v1/backups/${ids.b1}`, {
      method: 'DELETE',
      headers: { cookie: sites.a.cookie, ...csrfHeaders(vault.config.publicUrl) },
    });
    expect(del.status).toBe(404);
    expect(await testDb.db.selectFrom('backup').select('id').where('id', '=', ids.b1!).execute()).toHaveLength(1);
    expect(
      (
        await fetch(`${vault.baseUrl}/api/v1/backups/not-a-uuid`, {
          method: 'DELETE',
          headers: { cookie: sites.a.cookie, ...csrfHeaders(vault.config.publicUrl) },
        })
      ).status,
    ).toBe(404);
  });

  it('deletes a backup with an audit entry; without the CSRF headers nothing happens', async () => {
    const refused = await fetch(`${vault.baseUrl}/api/v1/backups/${ids.a1}`, {
      method: 'DELETE',
      headers: { cookie: sites.a.cookie },
    });
    expect(refused.status).toBe(403);
    const res = await fetch(`${vault.baseUrl}/api/v1/backups/${ids.a1}`, {
      method: 'DELETE',
      headers: { cookie: sites.a.cookie, ...csrfHeaders(vault.config.publicUrl) },
    });
    expect(res.status).toBe(204);
    // in the trash: listed nowhere else, purged after the grace period
    const row = await testDb.db
      .selectFrom('backup')
      .select(['trashed_by', 'purge_after'])
      .where('id', '=', ids.a1!)
      .executeTakeFirstOrThrow();
    expect(row.trashed_by).toBe('admin@a.test');
    expect(row.purge_after!.getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const grid = (await (
      await fetch(`${vault.baseUrl}/api/v1/schemas/2/backups`, { headers: { cookie: sites.a.cookie } })
    ).json()) as { items: { id: string }[] };
    expect(grid.items.map((b) => b.id)).not.toContain(ids.a1);
    // deleting it again is a 404: it is no longer a backup of the grid
    const again = await fetch(`${vault.baseUrl}/api/v1/backups/${ids.a1}`, {
      method: 'DELETE',
      headers: { cookie: sites.a.cookie, ...csrfHeaders(vault.config.publicUrl) },
    });
    expect(again.status).toBe(404);
    const audit = await testDb.db
      .selectFrom('audit_event')
      .select(['actor', 'action', 'target'])
      .where('action', '=', 'backup.deleted')
      .execute();
    expect(audit).toEqual([{ actor: 'admin@a.test', action: 'backup.deleted', target: ids.a1 }]);
  });

  it('refuses to delete a backup while a restore reads it, then deletes it', async () => {
    await seedBackup(sites.a.siteId, 'restoring', {
      schemaId: '2',
      kind: 'manual',
      completedAt: '2026-11-01T00:00:00.000Z',
    });
    const jobId = await insertTestRestore(testDb.db, sites.a.siteId, ids['restoring']!);
    await sql`update restore_job set status = 'in_progress' where id = ${jobId}::uuid`.execute(testDb.db);
    const del = () =>
      fetch(`${vault.baseUrl}/api/v1/backups/${ids['restoring']}`, {
        method: 'DELETE',
        headers: { cookie: sites.a.cookie, ...csrfHeaders(vault.config.publicUrl) },
      });
    const refused = await del();
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toBe('backup_in_use');
    expect(
      await testDb.db.selectFrom('backup').select('id').where('id', '=', ids['restoring']!).execute(),
    ).toHaveLength(1);
    await sql`update restore_job set status = 'completed' where id = ${jobId}::uuid`.execute(testDb.db);
    expect((await del()).status).toBe(204);
  });

  it('answers 401 without a session', async () => {
    expect((await fetch(`${vault.baseUrl}/api/v1/schemas`)).status).toBe(401);
  });
});
