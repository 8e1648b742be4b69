/** Retention removes exactly the completed backups outside the policy, one audit entry per deletion. */
import { createTestDatabase, waitForLockWaiters, type TestDatabase } from './helpers/db.js';
import { findRetentionPolicy, upsertRetentionPolicy } from '../src/modules/retention/repository.js';
import { applyAllRetentionPolicies, applyRetention, selectExpired } from '../src/modules/retention/service.js';

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

  it('removes exactly the backups outside the policy and audits each', async () => {
    const now = new Date('2026-11-25T00:00:00.000Z');
    const deleted = await applyRetention(
      { db: testDb.db },
      siteId,
      { keepManual: 2, keepScheduled: null, maxAgeDays: 90 },
      now,
    );
    expect(deleted.sort()).toEqual([ids.m1, ids.old].sort());
    const left = await testDb.db.selectFrom('backup').select('id').execute();
    expect(left.map((r) => r.id).sort()).toEqual(
      ['m2', 'm3', 's1', 's2', 'x1', 'open', 'b1', 'b2', 'b9'].map((l) => ids[l]).sort(),
    );
    const audit = await testDb.db
      .selectFrom('audit_event')
      .select(['target', 'action', 'details'])
      .where('site_id', '=', siteId)
      .execute();
    expect(audit.map((a) => a.target).sort()).toEqual([ids.m1, ids.old].sort());
    for (const a of audit) {
      expect(a.action).toBe('backup.deleted');
      expect(a.details).toEqual({ source: 'retention' });
    }
    // applying again changes nothing
    expect(
      await applyRetention({ db: testDb.db }, siteId, { keepManual: 2, keepScheduled: null, maxAgeDays: 90 }, now),
    ).toEqual([]);
  });

  it('keepScheduled counts per schema; no limits remove nothing', async () => {
    const now = new Date('2026-11-25T00:00:00.000Z');
    expect(
      await applyRetention({ db: testDb.db }, siteId, { keepManual: null, keepScheduled: null, maxAgeDays: null }, now),
    ).toEqual([]);
    const deleted = await applyRetention(
      { db: testDb.db },
      siteId,
      { keepManual: null, keepScheduled: 1, maxAgeDays: null },
      now,
    );
    expect(deleted).toEqual([ids.s1]);
  });

  it('the housekeeping task applies every stored policy', async () => {
    await testDb.db
      .insertInto('retention_policy')
      .values({ site_id: otherSiteId, keep_manual: null, keep_scheduled: null, max_age_days: 30 })
      .execute();
    expect(await applyAllRetentionPolicies({ db: testDb.db }, new Date('2026-11-25T00:00:00.000Z'))).toBe(1);
    const left = await testDb.db.selectFrom('backup').select('id').where('site_id', '=', otherSiteId).execute();
    expect(left.map((r) => r.id).sort()).toEqual([ids.b2, ids.b9].sort());
  });

  it('the age limit never removes the newest backup of a schema', () => {
    const day = (d: number) => new Date(Date.UTC(2026, 0, d));
    const backups = [
      { id: 'a-old', schemaId: 'A', kind: 'scheduled' as const, completedAt: day(1) },
      { id: 'a-newest', schemaId: 'A', kind: 'manual' as const, completedAt: day(2) },
      { id: 'b-only', schemaId: 'B', kind: 'scheduled' as const, completedAt: day(1) },
    ];
    expect(selectExpired(backups, { keepManual: null, keepScheduled: null, maxAgeDays: 1 }, day(300))).toEqual([
      'a-old',
    ]);
    // an explicit count of 0 is the admin's choice and still applies
    expect(selectExpired(backups, { keepManual: 0, keepScheduled: null, maxAgeDays: 1 }, day(300))).toEqual([
      'a-newest',
      'a-old',
    ]);
  });

  it('stops when the policy is changed while it runs; the new policy governs', async () => {
    await upsertRetentionPolicy(
      testDb.db,
      siteId,
      { keepManual: 1, keepScheduled: null, maxAgeDays: null },
      new Date(),
    );
    const before = (await testDb.db.selectFrom('backup').select('id').where('site_id', '=', siteId).execute())
      .map((r) => r.id)
      .sort();
    let run: Promise<string[]> | undefined;
    await testDb.db.transaction().execute(async (trx) => {
      // an admin's save in progress holds the policy row
      await findRetentionPolicy(trx, siteId, { forUpdate: true });
      run = applyRetention(
        { db: testDb.db },
        siteId,
        { keepManual: 1, keepScheduled: null, maxAgeDays: null },
        new Date('2026-11-25T00:00:00.000Z'),
      );
      await waitForLockWaiters(testDb, 1);
      await upsertRetentionPolicy(trx, siteId, { keepManual: null, keepScheduled: null, maxAgeDays: null }, new Date());
    });
    expect(await run).toEqual([]);
    const after = (await testDb.db.selectFrom('backup').select('id').where('site_id', '=', siteId).execute())
      .map((r) => r.id)
      .sort();
    expect(after).toEqual(before);
  });
});
