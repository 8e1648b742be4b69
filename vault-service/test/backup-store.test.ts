/**
 * The backup store's API as its callers use it, the restore engine included: uploads and the completing
 * transaction, the verified snapshot a restore reads, "in use by a restore" (`restore_job` statuses
 * pending | in_progress), and the share lock a restore takes while it creates its job. Real Postgres.
 */
import { ConflictError, NotFoundError } from '@assets-vault/shared/errors';
import { readSnapshot, type SnapshotManifest, type SnapshotRecord } from '@assets-vault/shared/snapshot';
import { sql } from 'kysely';
import * as backupStore from '../src/modules/backup-store/index.js';
import { withClientTransaction } from '../src/db/client-transaction.js';
import { isBackupInUseByRestore } from '../src/modules/restores/repository.js';
import { createTestDatabase, waitForLockWaiters, type TestDatabase } from './helpers/db.js';
import { insertTestRestore } from './helpers/restore.js';
import { labelOnlyRecords, writeSnapshot } from './helpers/snapshot.js';

const SITE = { cloudId: 'cloud-store', siteUrl: 'https://store.atlassian.net' };
const ts = '2026-11-01T10:00:00.000Z';

const records = (objects: number) =>
  labelOnlyRecords({
    typeName: 'Server',
    keyPrefix: 'SRV',
    labels: Array.from({ length: objects }, (_, n) => `server ${n + 1}`),
    typeTime: ts,
    created: () => ts,
    updated: () => ts,
  });

const snapshot = (objects: number) =>
  writeSnapshot(
    {
      source: { ...SITE, workspaceId: 'ws-store' },
      schema: { id: '7', name: 'Servers', key: 'SRV' },
      options: { history: false, icons: false, issueRefs: false },
    },
    records(objects),
    10,
  );

describe('backup store', () => {
  let testDb: TestDatabase;
  let siteId = '';
  let otherSiteId = '';
  let fixture: { manifest: SnapshotManifest; chunks: Map<number, Uint8Array> };

  beforeAll(async () => {
    testDb = await createTestDatabase();
    fixture = await snapshot(35);
    const sites = await testDb.db
      .insertInto('site')
      .values([
        { cloud_id: SITE.cloudId, site_url: SITE.siteUrl, installation_state: 'connected' },
        { cloud_id: 'cloud-other', site_url: 'https://other.atlassian.net', installation_state: 'connected' },
      ])
      .returning(['id', 'cloud_id'])
      .execute();
    siteId = sites.find((s) => s.cloud_id === SITE.cloudId)!.id;
    otherSiteId = sites.find((s) => s.cloud_id === 'cloud-other')!.id;
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  /** An upload through the store's API: open, every chunk, and (unless `complete: false`) the completion. */
  async function upload(opts: { complete?: boolean } = {}): Promise<string> {
    const { id } = await backupStore.insertBackup(testDb.db, siteId, {
      schemaId: fixture.manifest.schema.id,
      schemaName: fixture.manifest.schema.name,
      schemaKey: fixture.manifest.schema.key,
      kind: 'manual',
      options: fixture.manifest.options,
      startedAt: new Date(fixture.manifest.createdAt),
      openedBy: `store_${Math.random()}`,
    });
    for (const chunk of fixture.manifest.chunks) {
      const bytes = Buffer.from(fixture.chunks.get(chunk.seq)!);
      expect(await backupStore.putChunk(testDb.db, id, { seq: chunk.seq, sha256: chunk.sha256, bytes })).toEqual({
        stored: true,
      });
    }
    if (opts.complete !== false)
      await backupStore.completeBackup(testDb.db, {
        backupId: id,
        manifest: fixture.manifest,
        actor: 'tester',
        now: () => new Date(),
      });
    return id;
  }

  it('completes an upload once, audited; a second completion is a no-op and another manifest a 409', async () => {
    const id = await upload({ complete: false });
    const input = { backupId: id, manifest: fixture.manifest, actor: 'tester', now: () => new Date() };
    expect(await backupStore.completeBackup(testDb.db, input)).toEqual({ completedNow: true });
    expect(await backupStore.completeBackup(testDb.db, input)).toEqual({ completedNow: false });
    await expect(
      backupStore.completeBackup(testDb.db, {
        ...input,
        manifest: { ...fixture.manifest, contentSha256: '0'.repeat(64) },
      }),
    ).rejects.toMatchObject({ code: 'backup_completed' });
    const audit = await testDb.db
      .selectFrom('audit_event')
      .select(['actor', 'details'])
      .where('action', '=', 'backup.completed')
      .where('target', '=', id)
      .execute();
    expect(audit).toEqual([
      {
        actor: 'tester',
        details: { schemaId: '7', kind: 'manual', objects: 35, records: fixture.manifest.counts.records },
      },
    ]);
    const backup = await backupStore.findBackup(testDb.db, siteId, id);
    expect(backup).toMatchObject({
      status: 'completed',
      objectCount: 35,
      contentSha256: fixture.manifest.contentSha256,
    });
  });

  it('keeps a stored chunk: the same bytes again are no-op, other bytes a 409, a completed backup takes none', async () => {
    const id = await upload();
    const first = fixture.manifest.chunks[0]!;
    const bytes = Buffer.from(fixture.chunks.get(first.seq)!);
    expect(await backupStore.putChunk(testDb.db, id, { seq: 0, sha256: first.sha256, bytes })).toEqual({
      stored: false,
    });
    await expect(backupStore.putChunk(testDb.db, id, { seq: 0, sha256: 'f'.repeat(64), bytes })).rejects.toBeInstanceOf(
      ConflictError,
    );
    await expect(backupStore.putChunk(testDb.db, id, { seq: 99, sha256: first.sha256, bytes })).rejects.toMatchObject({
      code: 'backup_completed',
    });
  });

  it('opens a completed backup for a restore: its manifest and chunks that verify against it', async () => {
    const id = await upload();
    const opened = await backupStore.openStoredSnapshot(testDb.db, siteId, id);
    expect(opened.backup.id).toBe(id);
    expect(opened.manifest).toEqual(fixture.manifest);
    const read: SnapshotRecord[] = [];
    for await (const record of readSnapshot(opened.manifest, opened.chunks)) read.push(record);
    const names = (rs: SnapshotRecord[]) => rs.map((r) => (r.kind === 'object' ? `object ${r.id}` : r.kind));
    expect(names(read)).toEqual(names(records(35)));
    expect(await backupStore.verifyStoredSnapshot(testDb.db, siteId, id)).toBe(fixture.manifest.counts.records);
    // a seq the manifest does not list is missing, whatever is stored
    expect(await opened.chunks.getChunk(fixture.manifest.chunks.length)).toBeUndefined();
  });

  it('refuses to hand a damaged chunk to a restore', async () => {
    const id = await upload();
    const damaged = Buffer.from(fixture.chunks.get(1)!);
    damaged.writeUInt8(damaged[10]! ^ 0xff, 10);
    await testDb.db
      .updateTable('backup_chunk')
      .set({ bytes: damaged })
      .where('backup_id', '=', id)
      .where('seq', '=', 1)
      .execute();
    const opened = await backupStore.openStoredSnapshot(testDb.db, siteId, id);
    expect(await opened.chunks.getChunk(0)).toBeDefined();
    await expect(opened.chunks.getChunk(1)).rejects.toMatchObject({ code: 'chunk_hash_mismatch', seq: 1 });
    await expect(backupStore.verifyStoredSnapshot(testDb.db, siteId, id)).rejects.toMatchObject({
      code: 'chunk_hash_mismatch',
    });
  });

  it("answers 404 for another site's, an unknown or an uploading backup", async () => {
    const completed = await upload();
    const uploading = await upload({ complete: false });
    for (const [site, id] of [
      [otherSiteId, completed],
      [siteId, uploading],
      [siteId, '00000000-0000-4000-8000-000000000000'],
      [siteId, 'not-a-uuid'],
    ] as const) {
      await expect(backupStore.openStoredSnapshot(testDb.db, site, id)).rejects.toBeInstanceOf(NotFoundError);
      expect(
        await testDb.db.transaction().execute((trx) => backupStore.lockBackupForRestore(trx, site, id)),
      ).toBeUndefined();
    }
  });

  it('lists the completed backups of a site, of all schemas or of one, newest first', async () => {
    const all = await backupStore.listCompletedBackups(testDb.db, siteId);
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((b) => b.schemaId === '7')).toBe(true);
    expect(all.map((b) => b.completedAt.getTime())).toEqual(
      [...all].map((b) => b.completedAt.getTime()).sort((a, b) => b - a),
    );
    expect(all.map((b) => b.n)).toEqual(all.map((_, i) => all.length - i));
    expect(await backupStore.listCompletedBackups(testDb.db, siteId, { schemaId: '8' })).toEqual([]);
    expect(await backupStore.listCompletedBackups(testDb.db, otherSiteId)).toEqual([]);
  });

  it("knows a backup is in use while a restore of it is pending or in progress (the restores module's answer)", async () => {
    const id = await upload();
    const inUse = { inUse: isBackupInUseByRestore };
    expect(await isBackupInUseByRestore(testDb.db, id)).toBe(false);
    const jobId = await insertTestRestore(testDb.db, siteId, id);
    const statusInUse = async (status: string) => {
      await sql`update restore_job set status = ${status} where id = ${jobId}::uuid`.execute(testDb.db);
      return isBackupInUseByRestore(testDb.db, id);
    };
    expect([
      await statusInUse('pending'),
      await statusInUse('in_progress'),
      await statusInUse('completed'),
      await statusInUse('error'),
    ]).toEqual([true, true, false, false]);
    // its issue-fields step reads the backup too
    await sql`insert into restore_issue_fields_job (id, site_id, requested_by) values (${jobId}::uuid, ${siteId}::uuid, 'x')`.execute(
      testDb.db,
    );
    expect(await isBackupInUseByRestore(testDb.db, id)).toBe(true);
    await sql`update restore_issue_fields_job set status = 'completed'`.execute(testDb.db);
    expect(await isBackupInUseByRestore(testDb.db, id)).toBe(false);

    // a restore creating its job holds the share lock: a delete waits for it, then sees the job
    await sql`delete from restore_job`.execute(testDb.db);
    let deleting: Promise<string> | undefined;
    await withClientTransaction(testDb.db, async (tx) => {
      expect((await backupStore.lockBackupForRestore(tx.db, siteId, id))?.id).toBe(id);
      deleting = testDb.db.transaction().execute((trx) =>
        backupStore.trashBackupUnlessRestoring(trx, siteId, id, {
          by: 'admin@store.test',
          at: new Date(),
          purgeAfter: new Date(Date.now() + 86_400_000),
          ...inUse,
        }),
      );
      await waitForLockWaiters(testDb, 1);
      await insertTestRestore(tx.db, siteId, id);
    });
    expect(await deleting).toBe('in_use');
    expect(await backupStore.findBackup(testDb.db, siteId, id)).toBeDefined();
    await sql`update restore_job set status = 'completed'`.execute(testDb.db);
    expect(
      await testDb.db.transaction().execute((trx) =>
        backupStore.trashBackupUnlessRestoring(trx, siteId, id, {
          by: 'admin@store.test',
          at: new Date(),
          purgeAfter: new Date(Date.now() + 86_400_000),
          ...inUse,
        }),
      ),
    ).toBe('trashed');
    // trashed: gone from restores; restored from the trash: back
    expect(await testDb.db.transaction().execute((trx) => backupStore.lockBackupForRestore(trx, siteId, id))).toBe(
      undefined,
    );
    expect(await testDb.db.transaction().execute((trx) => backupStore.restoreFromTrash(trx, siteId, id))).toBe(true);
    expect(
      (await testDb.db.transaction().execute((trx) => backupStore.lockBackupForRestore(trx, siteId, id)))?.id,
    ).toBe(id);
    await sql`delete from restore_job`.execute(testDb.db);
  });
});
