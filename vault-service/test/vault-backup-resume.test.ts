/**
 * Resumable vault-side backups, over real HTTP against a real Postgres and the Assets emulator: an
 * attempt cut short after a checkpoint (the emulator starts refusing requests) is continued by the
 * next attempt from the cursor saved in the job, into the same backup row, and ends with the same
 * content hash as an uninterrupted backup; a runner whose lock expired gives way to the runner that
 * took the job over; a job that exhausts its attempts leaves no backup behind.
 * The runners are driven by the test (`runOnce`), so the app runs without its own workers.
 */
import type { BackupCursor } from '@assets-vault/shared/backup';
import { seedFixture, startEmulator, type Emulator, type EmulatorSite, type SeedResult } from '@assets-vault/emulator';
import { sql } from 'kysely';
import { systemClock, type Clock } from '../src/clock.js';
import { createVaultBackupRunner, type VaultBackupRunnerOptions } from '../src/jobs/vault-backup-runner.js';
import { captureLogs, emulatorBackupConfig, startTestApp, type LogCapture, type TestApp } from './helpers/app.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { callApi, createSiteWithSession, insertSyncedSchema, saveSiteCredentials } from './helpers/site.js';
import { waitFor } from './helpers/wait.js';

/** Pages of 30 objects: 90 objects are three AQL pages, each page's histories one batch. */
const KNOBS = { maxResultsCeiling: 30 };

describe('vault-side backups resume from their last checkpoint', () => {
  let emulator: Emulator;
  let site: EmulatorSite;
  let seeded: SeedResult;
  let testDb: TestDatabase;
  let vault: TestApp;
  let logs: LogCapture;
  let cookie = '';
  const reference = { contentSha256: '', aqlRequests: 0, historyRequests: 0 };

  const api = (path: string, init: RequestInit = {}) => callApi(vault, cookie, path, init);

  const runner = (options: VaultBackupRunnerOptions, clock: Clock = systemClock) =>
    createVaultBackupRunner(
      { db: testDb.db, log: logs.logger, clock, config: vault.config, outbound: vault.app.deps.outbound },
      { retryBaseMs: 0, ...options },
    );

  async function requestBackup(): Promise<string> {
    const res = await api(`/schemas/${seeded.schemaId}/backups`, {
      method: 'POST',
      body: JSON.stringify({ history: true }),
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { jobId: string }).jobId;
  }

  const jobRow = (id: string) =>
    testDb.db
      .selectFrom('vault_backup_job')
      .select(['status', 'attempts', 'backup_id', 'cursor', 'last_error'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
      .then((r) => ({ ...r, cursor: r.cursor as BackupCursor | null }));

  /** Waits until the job's saved cursor has `pages` AQL pages written. */
  async function checkpointed(jobId: string, pages: number): Promise<void> {
    await waitFor(
      `a checkpoint with ${pages} pages`,
      async () => (((await jobRow(jobId)).cursor?.stats.pages ?? 0) >= pages ? true : undefined),
      30_000,
    );
  }

  const backupRow = (id: string) =>
    testDb.db
      .selectFrom('backup')
      .select(['status', 'object_count', 'content_sha256'])
      .where('id', '=', id)
      .executeTakeFirst();

  const requests = () => {
    const c = site.counters();
    return { aql: c.byBucket['object.aql'], history: c.byBucket['object.history'] };
  };

  async function browsableIds(backupId: string): Promise<Set<string>> {
    const ids = new Set<string>();
    let cursor: string | null = null;
    do {
      const res = await api(`/backups/${backupId}/objects?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: { id: string }[]; nextCursor: string | null };
      for (const o of page.items) ids.add(o.id);
      cursor = page.nextCursor;
    } while (cursor);
    return ids;
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    site = emulator.createSite({ name: 'resume', knobs: KNOBS });
    seeded = seedFixture(site, { objects: 90, seed: 'resume' });
    testDb = await createTestDatabase();
    logs = captureLogs('info');
    vault = await startTestApp({ db: testDb.db, config: emulatorBackupConfig({ VAULT_WORKERS: 'false' }) });
    const siteRow = await createSiteWithSession(testDb.db, {
      cloudId: site.info.cloudId,
      siteUrl: site.info.siteUrl,
      email: 'admin@resume.test',
    });
    await insertSyncedSchema(testDb.db, siteRow.siteId, seeded.schemaId);
    cookie = siteRow.cookie;
    await saveSiteCredentials(vault, cookie, site.info);
  }, 60_000);

  afterEach(() => site.setKnobs(KNOBS));

  afterAll(async () => {
    await vault?.close();
    await testDb?.drop();
    await emulator?.close();
  });

  it('backs the schema up in one uninterrupted attempt (the reference)', async () => {
    const jobId = await requestBackup();
    site.resetCounters();
    expect(await runner({}).runOnce()).toBe(true);
    const job = await jobRow(jobId);
    expect(job).toMatchObject({ status: 'completed', attempts: 1, cursor: null });
    const backup = await backupRow(job.backup_id!);
    expect(backup).toMatchObject({ status: 'completed', object_count: seeded.objectCount });
    reference.contentSha256 = backup!.content_sha256!;
    ({ aql: reference.aqlRequests, history: reference.historyRequests } = requests());
    expect(reference.historyRequests).toBe(seeded.objectCount);
    expect(reference.aqlRequests).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('continues an attempt cut short after a checkpoint, into the same backup, with the same content', async () => {
    const jobId = await requestBackup();
    // a checkpoint at every page boundary; the emulator refuses everything once two pages are saved
    const first = runner({ checkpointIntervalMs: 0 }).runOnce();
    await checkpointed(jobId, 2);
    site.setKnobs({ ...KNOBS, forceAuthError: 401 });
    expect(await first).toBe(true);

    const cut = await jobRow(jobId);
    expect(cut).toMatchObject({ status: 'queued', attempts: 1 });
    expect(cut.last_error).toMatch(/401/);
    const saved = cut.cursor!;
    expect(saved.stats.pages).toBeGreaterThanOrEqual(2);
    expect(saved.stats.historyRequests).toBeLessThan(seeded.objectCount);
    // the partial backup stays for the next attempt, invisible until completed
    expect(await backupRow(cut.backup_id!)).toMatchObject({ status: 'uploading' });
    const storedChunks = await testDb.db
      .selectFrom('backup_chunk')
      .select('seq')
      .where('backup_id', '=', cut.backup_id!)
      .execute();
    expect(storedChunks.length).toBeGreaterThanOrEqual(saved.writer.chunks.length);

    // the next attempt: another runner ("process") with the default checkpoint interval
    site.setKnobs(KNOBS);
    site.resetCounters();
    expect(await runner({}).runOnce()).toBe(true);
    const done = await jobRow(jobId);
    expect(done).toMatchObject({ status: 'completed', attempts: 2, backup_id: cut.backup_id, cursor: null });

    // it resumed: histories only for the objects the saved cursor had not done, fewer AQL pages than a full run
    const resumed = requests();
    expect(resumed.history).toBe(seeded.objectCount - saved.stats.historyRequests);
    expect(resumed.aql).toBeLessThan(reference.aqlRequests);
    const written = logs.entries().filter((e) => e.msg === 'vault backup snapshot written' && e.jobId === jobId);
    expect(written).toHaveLength(1);
    expect(written[0]!.stats).toMatchObject({
      resumes: saved.stats.resumes + 1,
      objects: seeded.objectCount,
      historyRequests: seeded.objectCount,
    });

    // the same content as the uninterrupted backup, complete and browsable
    const backup = await backupRow(cut.backup_id!);
    expect(backup).toMatchObject({
      status: 'completed',
      object_count: seeded.objectCount,
      content_sha256: reference.contentSha256,
    });
    expect((await browsableIds(cut.backup_id!)).size).toBe(seeded.objectCount);
    const list = (await (await api(`/schemas/${seeded.schemaId}/backups`)).json()) as {
      items: { id: string; objects: number }[];
    };
    expect(list.items).toContainEqual(expect.objectContaining({ id: cut.backup_id, objects: seeded.objectCount }));
    const jobView = (await (await api(`/backup-jobs/${jobId}`)).json()) as {
      status: string;
      backupId: string;
      attempts: number;
    };
    expect(jobView).toMatchObject({ status: 'completed', backupId: cut.backup_id, attempts: 2 });
  }, 90_000);

  it('leaves a job whose lock expired to the runner that took it over, which continues it', async () => {
    const jobId = await requestBackup();
    const stale = runner({ checkpointIntervalMs: 0 }).runOnce();
    await checkpointed(jobId, 1);
    // 11 minutes later, as another replica sees it: the 10-minute lock has expired
    const later: Clock = { now: () => new Date(Date.now() + 11 * 60_000) };
    const takeover = runner({ checkpointIntervalMs: 0 }, later);
    expect(await takeover.runOnce()).toBe(true);
    // the first runner noticed at its next checkpoint and left the job alone
    expect(await stale).toBe(true);
    expect(
      logs.entries().filter((e) => e.msg === 'vault backup taken over by another runner' && e.jobId === jobId),
    ).toHaveLength(1);
    const job = await jobRow(jobId);
    expect(job).toMatchObject({ status: 'completed', attempts: 2, cursor: null });
    const resumedRuns = logs.entries().filter((e) => e.msg === 'vault backup snapshot written' && e.jobId === jobId);
    expect(resumedRuns).toHaveLength(1);
    expect(await backupRow(job.backup_id!)).toMatchObject({
      status: 'completed',
      object_count: seeded.objectCount,
      content_sha256: reference.contentSha256,
    });
  }, 90_000);

  it('fails a job whose runner died during its last attempt instead of running it again', async () => {
    const jobId = await requestBackup();
    // what a runner that died in the last attempt leaves: running, attempts used up, the lock expired
    await sql`update vault_backup_job set status = 'running', attempts = max_attempts, locked_by = 'vault-backup:dead',
      locked_until = now() - interval '1 minute' where id = ${jobId}::uuid`.execute(testDb.db);
    const { max_attempts: maxAttempts } = await testDb.db
      .selectFrom('vault_backup_job')
      .select('max_attempts')
      .where('id', '=', jobId)
      .executeTakeFirstOrThrow();
    site.resetCounters();
    const run = runner({});
    expect(await run.runOnce()).toBe(true);
    expect(await jobRow(jobId)).toMatchObject({ status: 'failed', attempts: maxAttempts, backup_id: null });
    expect((await jobRow(jobId)).last_error).toMatch(/stopped responding/);
    expect(requests().aql ?? 0).toBe(0);
    const audit = await testDb.db
      .selectFrom('audit_event')
      .select('action')
      .where('target', '=', jobId)
      .orderBy('created_at')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['backup.vault_requested', 'backup.vault_failed']);
    expect(await run.runOnce()).toBe(false);
  });

  it('deletes the partial backup only when the job has used up its attempts', async () => {
    const jobId = await requestBackup();
    const run = runner({ checkpointIntervalMs: 0 });
    const first = run.runOnce();
    await checkpointed(jobId, 1);
    site.setKnobs({ ...KNOBS, forceAuthError: 401 });
    expect(await first).toBe(true);
    const partialId = (await jobRow(jobId)).backup_id!;
    expect(await backupRow(partialId)).toMatchObject({ status: 'uploading' });

    expect(await run.runOnce()).toBe(true);
    expect(await jobRow(jobId)).toMatchObject({ status: 'queued', attempts: 2, backup_id: partialId });
    expect(await backupRow(partialId)).toMatchObject({ status: 'uploading' });

    expect(await run.runOnce()).toBe(true);
    expect(await jobRow(jobId)).toMatchObject({ status: 'failed', attempts: 3, backup_id: null, cursor: null });
    expect(await backupRow(partialId)).toBeUndefined();
    expect(
      await testDb.db.selectFrom('backup_chunk').select('seq').where('backup_id', '=', partialId).execute(),
    ).toEqual([]);
    expect(await testDb.db.selectFrom('backup').select('id').where('status', '=', 'uploading').execute()).toEqual([]);
    const audit = await testDb.db
      .selectFrom('audit_event')
      .select(['action', 'actor'])
      .where('target', '=', jobId)
      .orderBy('created_at')
      .execute();
    expect(audit).toEqual([
      { action: 'backup.vault_requested', actor: 'admin@resume.test' },
      { action: 'backup.vault_failed', actor: 'system' },
    ]);
    const view = (await (await api(`/backup-jobs/${jobId}`)).json()) as { status: string; backupId: string | null };
    expect(view).toMatchObject({ status: 'failed', backupId: null });
  }, 90_000);
});
