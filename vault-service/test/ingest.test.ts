/**
 * Snapshot upload acceptance: a real snapshot (the shared backup engine against the emulator over a
 * socket), uploaded to the real vault over HTTP with real Standard Webhooks signatures, stored in a
 * real Postgres. Retried and out-of-order chunks, a bad hash, a missing chunk, tenant binding.
 */
import { randomUUID } from 'node:crypto';
import type { SnapshotManifest } from '@assets-vault/shared/snapshot';
import { sql } from 'kysely';
import { forgeApiPaths } from '@assets-vault/shared/contract';
import { signWebhook } from '@assets-vault/shared/webhooks';
import { deleteAbandonedUploads } from '../src/modules/backup-store/index.js';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { countAllRows, createTestDatabase, type TestDatabase } from './helpers/db.js';
import { openBackupBody, signedForgeCall } from './helpers/forge.js';
import { fixtureSnapshot, type TestSnapshot } from './helpers/snapshot.js';

const SITE = { cloudId: 'cloud-ingest', siteUrl: 'https://ingest.atlassian.net' };

const hex = (m: SnapshotManifest, seq: number) => m.chunks[seq]!.sha256;
const putChunk = (
  baseUrl: string,
  backupId: string,
  seq: number,
  bytes: Uint8Array,
  sha256: string,
  id = `chunk_${backupId}_${seq}_${sha256}`,
) => signedForgeCall(baseUrl, 'PUT', forgeApiPaths.chunk(backupId, seq), id, bytes, { 'x-content-sha256': sha256 });

describe('snapshot upload (open, chunks, complete)', () => {
  let snapshot: TestSnapshot;
  let testDb: TestDatabase;
  let vault: TestApp;

  beforeAll(async () => {
    snapshot = await fixtureSnapshot({
      name: 'ingest',
      objects: 300,
      source: SITE,
      options: { history: false, icons: true, issueRefs: false },
      maxChunkRecords: 60,
    });
    testDb = await createTestDatabase();
    vault = await startTestApp({ db: testDb.db, config: testConfig({ VAULT_WORKERS: 'false' }) });
  }, 60_000);

  afterAll(async () => {
    await vault?.close();
    await testDb?.drop();
  });

  const openCall = (id: string, body = openBackupBody(snapshot.manifest, SITE)) =>
    signedForgeCall(vault.baseUrl, 'POST', forgeApiPaths.backups, id, body);
  const complete = (backupId: string, manifest = snapshot.manifest, id = `complete_${backupId}`) =>
    signedForgeCall(vault.baseUrl, 'POST', forgeApiPaths.complete(backupId), id, JSON.stringify(manifest));

  async function open(id = `bkc_${randomUUID()}`): Promise<string> {
    const res = await openCall(id);
    expect([200, 201]).toContain(res.status);
    return res.body.backupId as string;
  }

  async function backupRow(id: string) {
    return testDb.db
      .selectFrom('backup')
      .select(['status', 'object_count', 'content_sha256', 'kind'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  it('a reused webhook-id on open answers 409 webhook_id_reused for another body or site; the same body is a retry', async () => {
    const id = `bkc_${randomUUID()}`;
    const first = await openCall(id);
    expect(first.status).toBe(201);
    const retry = await openCall(id);
    expect(retry).toEqual({ status: 200, body: { backupId: first.body.backupId } });

    const otherSchema = JSON.parse(openBackupBody(snapshot.manifest, SITE)) as { schema: { id: string } };
    otherSchema.schema.id = '99';
    const reused = await openCall(id, JSON.stringify(otherSchema));
    expect(reused.status).toBe(409);
    expect(reused.body.error).toBe('webhook_id_reused');
    const otherSite = { cloudId: 'cloud-ingest-other', siteUrl: 'https://ingest-other.atlassian.net' };
    const fromOtherSite = await openCall(id, openBackupBody(snapshot.manifest, otherSite));
    expect(fromOtherSite.status).toBe(409);
    expect(fromOtherSite.body.error).toBe('webhook_id_reused');
    // nothing was written for either: one backup under that id, and no site for the refused call
    expect(await testDb.db.selectFrom('backup').select('id').where('opened_by_webhook_id', '=', id).execute()).toEqual([
      { id: first.body.backupId },
    ]);
    expect(await testDb.db.selectFrom('site').select('id').where('cloud_id', '=', otherSite.cloudId).execute()).toEqual(
      [],
    );
  });

  it('the snapshot under test has several chunks', () => {
    expect(snapshot.manifest.chunks.length).toBeGreaterThanOrEqual(4);
  });

  it('out-of-order and retried chunk uploads produce the same completed backup', async () => {
    const openId = `bkc_${randomUUID()}`;
    const backupId = await open(openId);
    expect(await open(openId)).toBe(backupId); // a retried open names the same backup

    const seqs = [...snapshot.chunks.keys()].reverse();
    for (const seq of seqs) {
      const first = await putChunk(
        vault.baseUrl,
        backupId,
        seq,
        snapshot.chunks.get(seq)!,
        hex(snapshot.manifest, seq),
      );
      expect(first).toMatchObject({ status: 200, body: { seq, stored: true } });
    }
    const retry = await putChunk(vault.baseUrl, backupId, 0, snapshot.chunks.get(0)!, hex(snapshot.manifest, 0));
    expect(retry).toMatchObject({ status: 200, body: { stored: false } });

    const done = await complete(backupId);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      status: 'completed',
      objectCount: 300,
      contentSha256: snapshot.manifest.contentSha256,
    });
    expect(await backupRow(backupId)).toEqual({
      status: 'completed',
      object_count: 300,
      content_sha256: snapshot.manifest.contentSha256,
      kind: 'manual',
    });

    // completing again is idempotent; a chunk with other content after completion is refused
    expect((await complete(backupId, snapshot.manifest, `complete2_${backupId}`)).status).toBe(200);
    const other = snapshot.chunks.get(1)!;
    expect((await putChunk(vault.baseUrl, backupId, 0, other, hex(snapshot.manifest, 1))).status).toBe(409);
  });

  it('a chunk whose bytes do not match its hash is refused and the backup stays incomplete', async () => {
    const backupId = await open();
    const bytes = Buffer.from(snapshot.chunks.get(0)!);
    const declared = hex(snapshot.manifest, 0);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 5) ^ 0xff, bytes.length - 5);
    const res = await putChunk(vault.baseUrl, backupId, 0, bytes, declared);
    expect(res).toMatchObject({ status: 400, body: { error: 'chunk_hash_mismatch' } });
    const stored = await testDb.db.selectFrom('backup_chunk').select('seq').where('backup_id', '=', backupId).execute();
    expect(stored).toEqual([]);
    expect((await backupRow(backupId)).status).toBe('uploading');
  });

  it('a chunk id bound to another position, and a different chunk for a taken seq, are refused', async () => {
    const backupId = await open();
    const bytes = snapshot.chunks.get(1)!;
    const sha = hex(snapshot.manifest, 1);
    // the signature is valid, but its id names seq 1 while the path says seq 2
    const moved = await putChunk(vault.baseUrl, backupId, 2, bytes, sha, `chunk_${backupId}_1_${sha}`);
    expect(moved).toMatchObject({ status: 401, body: { error: 'webhook_id_mismatch' } });
    expect((await putChunk(vault.baseUrl, backupId, 1, bytes, sha)).status).toBe(200);
    const other = snapshot.chunks.get(2)!;
    expect(await putChunk(vault.baseUrl, backupId, 1, other, hex(snapshot.manifest, 2))).toMatchObject({
      status: 409,
      body: { error: 'chunk_conflict' },
    });
  });

  it('complete with a missing chunk fails with a clear message and leaves the backup incomplete', async () => {
    const backupId = await open();
    for (const [seq, bytes] of snapshot.chunks)
      if (seq !== 2) await putChunk(vault.baseUrl, backupId, seq, bytes, hex(snapshot.manifest, seq));
    const res = await complete(backupId);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'missing_chunk' });
    expect(String(res.body.message)).toContain('2');
    expect((await backupRow(backupId)).status).toBe('uploading');
  });

  it('a manifest of another site is refused', async () => {
    const backupId = await open();
    for (const [seq, bytes] of snapshot.chunks)
      await putChunk(vault.baseUrl, backupId, seq, bytes, hex(snapshot.manifest, seq));
    const foreign = { ...snapshot.manifest, source: { ...snapshot.manifest.source, cloudId: 'cloud-other' } };
    const res = await complete(backupId, foreign);
    expect(res).toMatchObject({ status: 422, body: { error: 'manifest_mismatch' } });
  });

  it('unsigned or badly signed uploads write nothing', async () => {
    const before = await countAllRows(testDb.url);
    const unsigned = await fetch(`${vault.baseUrl}/api/v1/forge/backups`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: openBackupBody(snapshot.manifest, SITE),
    });
    expect(unsigned.status).toBe(401);
    const wrong = signWebhook({
      secrets: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
      id: 'bkc_x',
      body: openBackupBody(snapshot.manifest, SITE),
    });
    const forged = await fetch(`${vault.baseUrl}/api/v1/forge/backups`, {
      method: 'POST',
      headers: { ...wrong, 'content-type': 'application/json' },
      body: openBackupBody(snapshot.manifest, SITE),
    });
    expect(forged.status).toBe(401);
    expect(await countAllRows(testDb.url)).toEqual(before);
  });

  it('an incomplete upload expires once nothing reached it for the expiry time; one still receiving chunks or written by a vault job stays', async () => {
    const [idle, active, jobOwned] = [await open(), await open(), await open()];
    for (const id of [idle, active, jobOwned])
      await putChunk(vault.baseUrl, id, 0, snapshot.chunks.get(0)!, hex(snapshot.manifest, 0));
    const expiryHours = vault.app.config.backupUploadExpiryHours;
    const longAgo = new Date(Date.now() - (expiryHours + 6) * 3_600_000);
    // created_at is written by the database only: age the rows with plain SQL
    await sql`update backup set created_at = ${longAgo} where id = any(${[idle, active, jobOwned]}::uuid[])`.execute(
      testDb.db,
    );
    await sql`update backup_chunk set created_at = ${longAgo} where backup_id = any(${[idle, jobOwned]}::uuid[])`.execute(
      testDb.db,
    );
    const { site_id: siteId } = await testDb.db
      .selectFrom('backup')
      .select('site_id')
      .where('id', '=', jobOwned)
      .executeTakeFirstOrThrow();
    const job = await testDb.db
      .insertInto('vault_backup_job')
      .values({
        site_id: siteId,
        schema_id: snapshot.manifest.schema.id,
        options: JSON.stringify(snapshot.manifest.options),
        requested_by: 'admin@ingest.test',
        status: 'running',
        backup_id: jobOwned,
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    const cutoff = new Date(Date.now() - expiryHours * 3_600_000); // what the housekeeping task passes
    expect(await deleteAbandonedUploads(testDb.db, cutoff)).toBe(1);
    const left = async () =>
      (await testDb.db.selectFrom('backup').select('id').where('id', 'in', [idle, active, jobOwned]).execute())
        .map((r) => r.id)
        .sort();
    expect(await left()).toEqual([active, jobOwned].sort());
    expect(await testDb.db.selectFrom('backup_chunk').select('seq').where('backup_id', '=', idle).execute()).toEqual(
      [],
    );

    // once the job has given up, its partial upload ages like any other
    await testDb.db.updateTable('vault_backup_job').set({ status: 'failed' }).where('id', '=', job.id).execute();
    expect(await deleteAbandonedUploads(testDb.db, cutoff)).toBe(1);
    expect(await left()).toEqual([active]);
  });

  it('the backup.deleted event moves a backup of that site only to the trash', async () => {
    const backupId = await open();
    const { sendEvent, forgeEvent } = await import('./helpers/forge.js');
    const other = await sendEvent(
      vault.baseUrl,
      forgeEvent('backup.deleted', { backupId }, { cloudId: 'cloud-b', siteUrl: 'https://b.atlassian.net' }),
    );
    expect(other.status).toBe(200);
    expect(await testDb.db.selectFrom('backup').select('id').where('id', '=', backupId).execute()).toHaveLength(1);
    // an upload still in progress is no backup yet: nothing to trash
    const pending = await sendEvent(vault.baseUrl, forgeEvent('backup.deleted', { backupId }, SITE));
    expect(pending.status).toBe(200);
    expect((pending.body.result as { deleted: boolean }).deleted).toBe(false);
    await testDb.db
      .updateTable('backup')
      .set({
        status: 'completed',
        completed_at: new Date(),
        manifest: JSON.stringify({ formatVersion: 1 }),
        object_count: 0,
        content_sha256: 'a'.repeat(64),
      })
      .where('id', '=', backupId)
      .execute();
    const mine = await sendEvent(vault.baseUrl, forgeEvent('backup.deleted', { backupId }, SITE));
    expect(mine.status).toBe(200);
    expect((mine.body.result as { deleted: boolean }).deleted).toBe(true);
    expect(await testDb.db.selectFrom('backup').select(['trashed_by']).where('id', '=', backupId).execute()).toEqual([
      { trashed_by: 'forge' },
    ]);
  });
});

describe('upload routes are rate limited like events', () => {
  let testDb: TestDatabase;
  let vault: TestApp;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    vault = await startTestApp({
      db: testDb.db,
      config: testConfig({ VAULT_WORKERS: 'false', FORGE_EVENTS_RATE_LIMIT: '5' }),
    });
  });
  afterAll(async () => {
    await vault?.close();
    await testDb?.drop();
  });

  it('answers 429 on each upload route once its per-minute limit is used up, signed or not', async () => {
    const backupId = randomUUID();
    const unsigned = (method: string, path: string) =>
      fetch(`${vault.baseUrl}/api/v1/forge${path}`, {
        method,
        headers: { 'content-type': 'application/octet-stream' },
        body: 'x',
      }).then((r) => r.status);
    for (const [method, path] of [
      ['PUT', `/backups/${backupId}/chunks/0`],
      ['POST', `/backups/${backupId}/complete`],
      ['POST', '/backups'],
    ] as const) {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push(await unsigned(method, path));
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    }
  });
});
