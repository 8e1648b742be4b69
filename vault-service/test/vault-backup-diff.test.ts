/**
 * Vault-side "Backup now" and diff, over real HTTP against a real Postgres and the Assets emulator:
 * the vault runs the shared backup engine with the site's stored (encrypted) credentials; the diff
 * compares two backups, and a backup with the live schema, after real changes made over the
 * emulator's REST API.
 */
import type { AssetsClient } from '@assets-vault/shared/assets-client';
import { seedFixture, startEmulator, type Emulator, type EmulatorSite, type SeedResult } from '@assets-vault/emulator';
import { emulatorBackupConfig, startTestApp, type TestApp } from './helpers/app.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { callApi, createSiteWithSession, insertSyncedSchema, saveSiteCredentials } from './helpers/site.js';
import { clientForSite } from './helpers/upload.js';
import { waitFor } from './helpers/wait.js';

interface Job {
  id: string;
  status: string;
  backupId: string | null;
  error: string | null;
  progress: { objects?: number } | null;
}
interface DiffObj {
  id: string;
  key: string;
  label: string;
}
interface Diff {
  summary: { added: number; removed: number; changed: number };
  added: DiffObj[];
  removed: DiffObj[];
  changed: (DiffObj & { attributes: { attributeId: string; name: string; before: string[]; after: string[] }[] })[];
  against: { kind: string };
}

describe('vault-side backup with stored credentials, and diff', () => {
  let emulator: Emulator;
  let site: EmulatorSite;
  let seeded: SeedResult;
  let client: AssetsClient;
  let testDb: TestDatabase;
  let vault: TestApp;
  let cookieA = '';
  let cookieB = '';
  let siteInfo: { siteUrl: string; assetsApiBase: string; email: string; apiToken: string; cloudId: string };
  let firstBackup = '';
  let secondBackup = '';
  const changes = { changedId: '', changedVersion: 'v-changed-by-test', removedId: '', addedId: '' };

  const api = (path: string, init: RequestInit & { cookie?: string } = {}) => {
    const { cookie = cookieA, ...rest } = init;
    return callApi(vault, cookie, path, rest);
  };

  /** A comparison as the web UI asks for it: POST with the CSRF headers. */
  const diff = (backupId: string, against: string, init: { cookie?: string; signal?: AbortSignal } = {}) =>
    api(`/backups/${backupId}/diff`, { method: 'POST', body: JSON.stringify({ against }), ...init });

  const putCredentials = (enabled: boolean, cookie = cookieA) => saveSiteCredentials(vault, cookie, siteInfo, enabled);

  async function backupNow(): Promise<string> {
    const res = await api(`/schemas/${seeded.schemaId}/backups`, {
      method: 'POST',
      body: JSON.stringify({ history: true }),
    });
    expect(res.status).toBe(202);
    const { jobId } = (await res.json()) as { jobId: string };
    const deadline = Date.now() + 60_000;
    for (;;) {
      const job = (await (await api(`/backup-jobs/${jobId}`)).json()) as Job;
      if (job.status === 'completed') {
        expect(job.backupId).toMatch(/^[0-9a-f-]{36}$/);
        return job.backupId!;
      }
      if (job.status === 'failed') throw new Error(`vault backup failed: ${job.error}`);
      if (Date.now() > deadline) throw new Error(`vault backup still ${job.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    site = emulator.createSite({ name: 'vaultside' });
    seeded = seedFixture(site, { objects: 80, seed: 'vaultside' });
    siteInfo = site.info;
    client = clientForSite(site);
    testDb = await createTestDatabase();
    vault = await startTestApp({ db: testDb.db, config: emulatorBackupConfig() });
    const siteA = await createSiteWithSession(testDb.db, {
      cloudId: site.info.cloudId,
      siteUrl: site.info.siteUrl,
      email: 'admin@a.test',
    });
    cookieA = siteA.cookie;
    const siteB = { cloudId: 'cloud-other', siteUrl: 'https://other.atlassian.net', email: 'admin@b.test' };
    cookieB = (await createSiteWithSession(testDb.db, siteB)).cookie;
    // the schema the site chose to back up (the Forge app's schema.synced event)
    await insertSyncedSchema(testDb.db, siteA.siteId, seeded.schemaId);
  }, 60_000);

  afterAll(async () => {
    await vault?.close();
    await testDb?.drop();
    await emulator?.close();
  });

  it('refuses "Backup now" without credentials and while switched off', async () => {
    let res = await api(`/schemas/${seeded.schemaId}/backups`, { method: 'POST' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toBe('no_credentials');
    await putCredentials(false);
    res = await api(`/schemas/${seeded.schemaId}/backups`, { method: 'POST' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toBe('vault_backups_disabled');
  });

  it('backs up only the schemas the site chose, or another one on an explicit, audited request', async () => {
    await putCredentials(true);
    const other = String(Number(seeded.schemaId) + 1000);
    const refused = await api(`/schemas/${other}/backups`, { method: 'POST' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toBe('schema_not_synced');
    // another site's synced schema is not this site's either
    const fromB = await api(`/schemas/${seeded.schemaId}/backups`, { method: 'POST', cookie: cookieB });
    expect(((await fromB.json()) as { error: string }).error).toMatch(/schema_not_synced|no_credentials/);
    expect(await testDb.db.selectFrom('vault_backup_job').select('id').execute()).toEqual([]);

    const explicit = await api(`/schemas/${other}/backups`, {
      method: 'POST',
      body: JSON.stringify({ unsyncedSchema: true, history: false }),
    });
    expect(explicit.status).toBe(202);
    const { jobId } = (await explicit.json()) as { jobId: string };
    const audit = await testDb.db
      .selectFrom('audit_event')
      .select(['actor', 'details'])
      .where('action', '=', 'backup.vault_requested')
      .where('target', '=', jobId)
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor: 'admin@a.test', details: { schemaId: other, unsyncedSchema: true } });
    // the emulator has no such schema: the attempt fails with a stable code and a fixed message
    const failed = await waitFor(
      'the first attempt of the unsynced schema job',
      async () => {
        const job = (await (await api(`/backup-jobs/${jobId}`)).json()) as Job & { errorCode: string | null };
        return job.errorCode === null ? undefined : job;
      },
      60_000,
    );
    expect(failed.errorCode).toBe('assets_not_found');
    expect(failed.error).toBe('Atlassian did not find the schema or its workspace');
    // the next tests count jobs and uploads: this one is neither retried nor left behind
    const { backup_id } = await testDb.db
      .deleteFrom('vault_backup_job')
      .where('id', '=', jobId)
      .returning('backup_id')
      .executeTakeFirstOrThrow();
    if (backup_id) await testDb.db.deleteFrom('backup').where('id', '=', backup_id).execute();
  });

  it('backs up the schema from the vault into a completed, browsable backup', async () => {
    await putCredentials(true);
    firstBackup = await backupNow();
    const list = (await (await api(`/schemas/${seeded.schemaId}/backups`)).json()) as {
      items: { id: string; objects: number; historyStatus: string }[];
    };
    expect(list.items.map((b) => b.id)).toEqual([firstBackup]);
    expect(list.items[0]!.objects).toBe(seeded.objectCount);
    expect(list.items[0]!.historyStatus).toBe('included');
    // every object is browsable
    const ids = new Set<string>();
    let cursor: string | null = null;
    do {
      const page = (await (
        await api(`/backups/${firstBackup}/objects?limit=500${cursor ? `&cursor=${cursor}` : ''}`)
      ).json()) as { items: { id: string }[]; nextCursor: string | null };
      for (const o of page.items) ids.add(o.id);
      cursor = page.nextCursor;
    } while (cursor);
    expect(ids.size).toBe(seeded.objectCount);
    const audit = await testDb.db
      .selectFrom('audit_event')
      .select(['action', 'actor'])
      .where('target', '=', firstBackup)
      .execute();
    expect(audit).toEqual([{ action: 'backup.completed', actor: 'admin@a.test' }]);
  }, 90_000);

  it('keeps jobs and backups to their own site', async () => {
    const jobs = await testDb.db.selectFrom('vault_backup_job').select('id').execute();
    expect(jobs.length).toBe(1);
    expect((await api(`/backup-jobs/${jobs[0]!.id}`, { cookie: cookieB })).status).toBe(404);
    expect((await diff(firstBackup, 'live', { cookie: cookieB })).status).toBe(404);
    expect((await diff(firstBackup, firstBackup, { cookie: cookieB })).status).toBe(404);
  });

  it('finds a changed attribute, an added and a removed object between two backups and against live', async () => {
    const software = [];
    for await (const o of client.aqlObjects(`objectTypeId = ${seeded.objectTypeIds['Software']}`)) software.push(o);
    expect(software.length).toBeGreaterThan(2);
    const typeId = seeded.objectTypeIds['Software']!;
    const versionAttr = seeded.attributeIds['Software.Version']!;
    const nameAttr = seeded.attributeIds['Software.Name']!;
    changes.changedId = String(software[0]!.id);
    changes.removedId = String(software[1]!.id);
    await client.updateObject(changes.changedId, {
      objectTypeId: typeId,
      attributes: [{ objectTypeAttributeId: versionAttr, objectAttributeValues: [{ value: changes.changedVersion }] }],
    });
    expect(await client.deleteObject(changes.removedId)).toBe(true);
    const created = await client.createObject({
      objectTypeId: typeId,
      attributes: [
        { objectTypeAttributeId: nameAttr, objectAttributeValues: [{ value: 'Added by the diff test' }] },
        { objectTypeAttributeId: versionAttr, objectAttributeValues: [{ value: '1.0' }] },
      ],
    });
    changes.addedId = String(created.id);

    const check = (diff: Diff) => {
      expect(diff.added.map((o) => o.id)).toEqual([changes.addedId]);
      expect(diff.summary.added).toBe(1);
      expect(diff.removed.map((o) => o.id)).toEqual([changes.removedId]);
      expect(diff.summary.removed).toBe(1);
      const changed = diff.changed.find((o) => o.id === changes.changedId);
      expect(changed?.attributes).toContainEqual(
        expect.objectContaining({ attributeId: versionAttr, name: 'Version', after: [changes.changedVersion] }),
      );
      const versionChange = changed!.attributes.find((a) => a.attributeId === versionAttr)!;
      expect(versionChange.before).not.toEqual(versionChange.after);
      // objects nobody touched (and nothing referencing the removed one) are not reported
      expect(diff.summary.changed).toBe(diff.changed.length);
      expect(diff.summary.changed).toBeLessThan(seeded.objectCount / 2);
    };

    const live = await diff(firstBackup, 'live');
    expect(live.status).toBe(200);
    const liveDiff = (await live.json()) as Diff;
    expect(liveDiff.against.kind).toBe('live');
    check(liveDiff);
    // the transient live snapshot is gone and never listed
    expect(await testDb.db.selectFrom('backup').select('id').where('status', '=', 'uploading').execute()).toEqual([]);

    secondBackup = await backupNow();
    const between = await diff(firstBackup, secondBackup);
    expect(between.status).toBe(200);
    const betweenDiff = (await between.json()) as Diff;
    check(betweenDiff);
    expect(betweenDiff.changed.map((c) => c.id)).toEqual(liveDiff.changed.map((c) => c.id));

    // the other way round: added and removed swap
    const reverse = (await (await diff(secondBackup, firstBackup)).json()) as Diff;
    expect(reverse.added.map((o) => o.id)).toEqual([changes.removedId]);
    expect(reverse.removed.map((o) => o.id)).toEqual([changes.addedId]);

    // a backup compared with itself has no differences
    const same = (await (await diff(secondBackup, secondBackup)).json()) as Diff;
    expect(same.summary).toEqual({ added: 0, removed: 0, changed: 0 });
  }, 120_000);

  it('stops reading the live schema when the client of a live diff goes away, and leaves no snapshot behind', async () => {
    // slow pages of 10 objects: the live read takes seconds
    site.setKnobs({ latencyMs: 150, maxResultsCeiling: 10 });
    try {
      site.resetCounters();
      const gone = new AbortController();
      const request = diff(firstBackup, 'live', { signal: gone.signal }).catch((err: unknown) => err);
      const deadline = Date.now() + 10_000;
      await waitFor(
        'the live read to start',
        async () => ((site.counters().byBucket['object.aql'] ?? 0) >= 2 ? true : undefined),
        deadline - Date.now(),
      );
      gone.abort();
      expect(await request).toMatchObject({ name: 'AbortError' });
      // the transient snapshot is removed once the capture stopped
      await waitFor(
        'the transient live snapshot to be removed',
        async () => {
          const uploading = await testDb.db
            .selectFrom('backup')
            .select('id')
            .where('status', '=', 'uploading')
            .execute();
          return uploading.length === 0 ? true : undefined;
        },
        deadline - Date.now(),
      );
      const requestsWhenStopped = site.counters().total;
      await new Promise((r) => setTimeout(r, 1_000));
      expect(site.counters().total).toBe(requestsWhenStopped);
      // far fewer pages than the whole schema would have taken
      expect(site.counters().byBucket['object.aql'] ?? 0).toBeLessThan(seeded.objectCount / 10);
    } finally {
      site.setKnobs({});
    }
  }, 30_000);

  it('rejects a malformed `against`', async () => {
    expect((await diff(firstBackup, 'yesterday')).status).toBe(400);
  });

  it('never reads the live schema from a GET or a cross-site request', async () => {
    site.resetCounters();
    // a top-level navigation from another site (SameSite=Lax sends the cookie): no such route any more
    const navigation = await api(`/backups/${firstBackup}/diff?against=live`);
    expect(navigation.status).toBe(404);
    // a cross-site POST (a form, or fetch without the CSRF header) is refused before the handler
    const crossSite = await fetch(`${vault.baseUrl}/api/v1/backups/${firstBackup}/diff`, {
      method: 'POST',
      headers: { cookie: cookieA, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ against: 'live' }),
    });
    expect(crossSite.status).toBe(403);
    expect(site.counters().total).toBe(0);
  });
});
