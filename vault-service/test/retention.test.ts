/**
 * Retention moves exactly the completed backups outside the policy to the trash, one audit entry per
 * deletion; each schema keeps its newest backup whatever the policy; the trash is purged after its grace
 * period; a run that deletes several backups at once is audited as such and e-mailed to the trusted users.
 */
import { purgeDueTrash } from '../src/modules/backup-store/index.js';
import { testConfig } from './helpers/app.js';
import { createTestDatabase, waitForLockWaiters, type TestDatabase } from './helpers/db.js';
import { findRetentionPolicy, upsertRetentionPolicy } from '../src/modules/retention/repository.js';
import { applyAllRetentionPolicies, applyRetention, selectExpired } from '../src/modules/retention/service.js';
import { isBackupInUseByRestore } from '../src/modules/restores/repository.js';

describe('retention', () => {
  let testDb: TestDatabase;
  let siteId = '';
  let otherSiteId = '';
  const ids: Record<string, string> = {};

  async function seedSite(name: string) {
    const site = await testDb.db
      .insertInto('site')
      .values({ cloud_id: `cloud-${name}`, site_url: `https://${name}.atlassian.net`, installation_state: 'connected' })
      .returning('id')
      .executeTakeFirstOrThrow();
    return site.id;
  }

  async function seedBackup(
    site: string,
    label: string,
    schemaId: string,
    kind: 'manual' | 'scheduled',
    completedAt: string | null,
  ) {
    const row = await testDb.db
      .insertInto('backup')
      .values({
        site_id: site,
        schema_id: schemaId,
        schema_name: `Schema ${schemaId}`,
        schema_key: `S${schemaId}`,
        kind,
        status: completedAt ? 'completed' : 'uploading',
        options: JSON.stringify({ history: false, icons: true, issueRefs: true }),
        started_at: completedAt ?? '2026-01-01T00:00:00.000Z',
        completed_at: completedAt,
        manifest: completedAt ? JSON.stringify({ formatVersion: 1 }) : null,
        object_count: completedAt ? 1 : null,
        content_sha256: completedAt ? 'a'.repeat(64) : null,
        opened_by_webhook_id: `ret_${label}`,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids[label] = row.id;
  }

  beforeAll(async () => {
    testDb = await createTestDatabase();
    siteId = await seedSite('a');
    otherSiteId = await seedSite('b');
    await seedBackup(siteId, 'm1', '2', 'manual', '2026-11-01T00:00:00.000Z');
    await seedBackup(siteId, 'm2', '2', 'manual', '2026-11-10T00:00:00.000Z');
    await seedBackup(siteId, 'm3', '2', 'manual', '2026-11-20T00:00:00.000Z');
    await seedBackup(siteId, 's1', '2', 'scheduled', '2026-11-18T00:00:00.000Z');
    await seedBackup(siteId, 's2', '2', 'scheduled', '2026-11-19T00:00:00.000Z');
    await seedBackup(siteId, 'x1', '7', 'manual', '2026-11-05T00:00:00.000Z');
    await seedBackup(siteId, 'old', '7', 'scheduled', '2026-06-01T00:00:00.000Z');
    await seedBackup(siteId, 'open', '2', 'manual', null);
    await seedBackup(otherSiteId, 'b1', '2', 'manual', '2026-01-01T00:00:00.000Z');
    await seedBackup(otherSiteId, 'b2', '2', 'manual', '2026-11-20T00:00:00.000Z');
    // the only backup of its schema: past any age limit, yet kept
    await seedBackup(otherSiteId, 'b9', '9', 'scheduled', '2026-02-01T00:00:00.000Z');
  });

  afterAll(async () => {
    await testDb?.drop();
  });

  const config = testConfig({ BACKUP_TRASH_DAYS: '7' });
  const deps = () => ({ db: testDb.db, config, backupInUse: isBackupInUseByRestore });
  /** backups not in the trash */
  const liveIds = async (site?: string) => {
    let query = testDb.db.selectFrom('backup').select('id').where('trashed_at', 'is', null);
    if (site) query = query.where('site_id', '=', site);
    return (await query.execute()).map((r) => r.id).sort();
  };

  it('removes exactly the backups outside the policy and audits each', async () => {
    const now = new Date('2026-11-25T00:00:00.000Z');
    const deleted = await applyRetention(deps(), siteId, { keepManual: 2, keepScheduled: null, maxAgeDays: 90 }, now);
    expect(deleted.sort()).toEqual([ids.m1, ids.old].sort());
    expect(await liveIds()).toEqual(['m2', 'm3', 's1', 's2', 'x1', 'open', 'b1', 'b2', 'b9'].map((l) => ids[l]).sort());
    // in the trash, not gone: purged a week later
    const trashed = await testDb.db
      .selectFrom('backup')
      .select(['id', 'trashed_by', 'purge_after'])
      .where('trashed_at', 'is not', null)
      .execute();
    expect(trashed.map((t) => t.id).sort()).toEqual([ids.m1, ids.old].sort());
    for (const t of trashed) {
      expect(t.trashed_by).toBe('system');
      expect(t.purge_after).toEqual(new Date('2026-12-02T00:00:00.000Z'));
    }
    const audit = await testDb.db
      .selectFrom('audit_event')
      .select(['target', 'action', 'details'])
      .where('site_id', '=', siteId)
      .execute();
    const perBackup = audit.filter((a) => a.action === 'backup.deleted');
    expect(perBackup.map((a) => a.target).sort()).toEqual([ids.m1, ids.old].sort());
    for (const a of perBackup)
      expect(a.details).toEqual({ source: 'retention', trash: true, purgeAfter: '2026-12-02T00:00:00.000Z' });
    // two at once: one more entry that says so
    expect(audit.filter((a) => a.action === 'backup.bulk_deleted')).toEqual([
      {
        target: null,
        action: 'backup.bulk_deleted',
        details: expect.objectContaining({ source: 'retention', count: 2 }),
      },
    ]);
    // applying again changes nothing
    expect(await applyRetention(deps(), siteId, { keepManual: 2, keepScheduled: null, maxAgeDays: 90 }, now)).toEqual(
      [],
    );
  });

  it('keepScheduled counts per schema; no limits remove nothing', async () => {
    const now = new Date('2026-11-25T00:00:00.000Z');
    expect(
      await applyRetention(deps(), siteId, { keepManual: null, keepScheduled: null, maxAgeDays: null }, now),
    ).toEqual([]);
    const deleted = await applyRetention(deps(), siteId, { keepManual: null, keepScheduled: 1, maxAgeDays: null }, now);
    expect(deleted).toEqual([ids.s1]);
  });

  it('the housekeeping task applies every stored policy', async () => {
    await testDb.db
      .insertInto('retention_policy')
      .values({ site_id: otherSiteId, keep_manual: null, keep_scheduled: null, max_age_days: 30 })
      .execute();
    expect(await applyAllRetentionPolicies(deps(), new Date('2026-11-25T00:00:00.000Z'))).toBe(1);
    expect(await liveIds(otherSiteId)).toEqual([ids.b2, ids.b9].sort());
  });

  it('purges the trash only once the grace period is over, audited, chunks and all', async () => {
    const trashedBefore = await testDb.db
      .selectFrom('backup')
      .select('id')
      .where('trashed_at', 'is not', null)
      .execute();
    expect(trashedBefore.length).toBeGreaterThanOrEqual(3);
    expect(await purgeDueTrash(testDb.db, new Date('2026-12-01T23:59:59.000Z'))).toBe(0);
    expect(await purgeDueTrash(testDb.db, new Date('2026-12-02T00:00:00.000Z'))).toBe(trashedBefore.length);
    const gone = await testDb.db
      .selectFrom('backup')
      .select('id')
      .where(
        'id',
        'in',
        trashedBefore.map((t) => t.id),
      )
      .execute();
    expect(gone).toEqual([]);
    const purged = await testDb.db
      .selectFrom('audit_event')
      .select('target')
      .where('action', '=', 'backup.purged')
      .execute();
    expect(purged.map((p) => p.target).sort()).toEqual(trashedBefore.map((t) => t.id).sort());
  });

  it('no policy removes the newest backup of a schema, neither by age nor by count', () => {
    const day = (d: number) => new Date(Date.UTC(2026, 0, d));
    const backups = [
      { id: 'a-old', schemaId: 'A', kind: 'scheduled' as const, completedAt: day(1) },
      { id: 'a-newest', schemaId: 'A', kind: 'manual' as const, completedAt: day(2) },
      { id: 'b-only', schemaId: 'B', kind: 'scheduled' as const, completedAt: day(1) },
    ];
    expect(selectExpired(backups, { keepManual: null, keepScheduled: null, maxAgeDays: 1 }, day(300))).toEqual([
      'a-old',
    ]);
    // a count of 0 applies to all but each schema's newest backup (a stolen session cannot empty the vault)
    expect(selectExpired(backups, { keepManual: 0, keepScheduled: 0, maxAgeDays: 1 }, day(300))).toEqual(['a-old']);
    expect(selectExpired(backups, { keepManual: 0, keepScheduled: 0, maxAgeDays: null }, day(300))).toEqual(['a-old']);
  });

  it('stops when the policy is changed while it runs; the new policy governs', async () => {
    await upsertRetentionPolicy(
      testDb.db,
      siteId,
      { keepManual: 1, keepScheduled: null, maxAgeDays: null },
      new Date(),
    );
    const before = await liveIds(siteId);
    let run: Promise<string[]> | undefined;
    await testDb.db.transaction().execute(async (trx) => {
      // an admin's save in progress holds the policy row
      await findRetentionPolicy(trx, siteId, { forUpdate: true });
      run = applyRetention(
        deps(),
        siteId,
        { keepManual: 1, keepScheduled: null, maxAgeDays: null },
        new Date('2026-11-25T00:00:00.000Z'),
      );
      await waitForLockWaiters(testDb, 1);
      await upsertRetentionPolicy(trx, siteId, { keepManual: null, keepScheduled: null, maxAgeDays: null }, new Date());
    });
    expect(await run).toEqual([]);
    expect(await liveIds(siteId)).toEqual(before);
  });
});
