/** The outbox job core: SKIP LOCKED claims, leases, ownership, attempts, backoff and giving up. */
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { captureLogs, testConfig } from './helpers/app.js';
import { freePort, startSmtpSink } from './helpers/smtp.js';
import { insertSite } from './helpers/site.js';
import { claimNextEmail, enqueueEmail, markEmailSent } from '../src/modules/email/outbox-repository.js';
import { createEmailOutboxWorker, retryDelayMs } from '../src/jobs/email-outbox-worker.js';
import { createKysely } from '../src/db/index.js';

describe('e-mail outbox', () => {
  let testDb: TestDatabase;
  let siteId: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    siteId = await insertSite(testDb.db, { cloudId: 'cloud-outbox', siteUrl: 'https://outbox.atlassian.net' });
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  const enqueue = (to: string, maxAttempts = 5) =>
    enqueueEmail(testDb.db, siteId, { kind: 'test.mail', to, subject: 's', text: 't', html: '<p>t</p>', maxAttempts });

  it('two workers on separate connections claim disjoint e-mails', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 30; i++) ids.add(await enqueue(`claim${i}@example.com`));
    const other = createKysely(testDb.url, undefined, { poolSize: 4 });
    try {
      const claimAll = async (db: typeof other, worker: string) => {
        const mine: string[] = [];
        for (;;) {
          const batch = await Promise.all([1, 2].map(() => claimNextEmail(db, worker, 60_000)));
          const got = batch.filter((e) => e !== undefined).map((e) => e.id);
          if (got.length === 0) return mine;
          mine.push(...got);
        }
      };
      const [a, b] = await Promise.all([claimAll(testDb.db, 'worker-a'), claimAll(other, 'worker-b')]);
      expect(a.length + b.length).toBe(30);
      expect(new Set([...a, ...b])).toEqual(ids);
      expect(a.filter((id) => b.includes(id))).toEqual([]);
      // Only the lease owner may complete an e-mail.
      expect(await markEmailSent(testDb.db, a[0] ?? '', 'worker-b')).toBe(false);
      expect(await markEmailSent(testDb.db, a[0] ?? '', 'worker-a')).toBe(true);
    } finally {
      await other.destroy();
      await testDb.db.deleteFrom('email_outbox').execute();
    }
  });

  it('an expired lease lets another worker take the e-mail over; the old owner can no longer complete it', async () => {
    const id = await enqueue('lease@example.com');
    const first = await claimNextEmail(testDb.db, 'dead-worker', 1);
    expect(first?.id).toBe(id);
    expect(first?.attempts).toBe(1);
    let second;
    for (let i = 0; i < 100 && !second; i++) second = await claimNextEmail(testDb.db, 'live-worker', 60_000);
    expect(second?.id).toBe(id);
    expect(second?.attempts).toBe(2);
    expect(await markEmailSent(testDb.db, id, 'dead-worker')).toBe(false);
    expect(await markEmailSent(testDb.db, id, 'live-worker')).toBe(true);
    expect(await claimNextEmail(testDb.db, 'live-worker', 60_000)).toBeUndefined();
  });

  it('gives up after max attempts and marks the e-mail failed', async () => {
    const logs = captureLogs('warn');
    const port = await freePort();
    const config = testConfig({ OUTBOX_RETRY_BASE_MS: '1', OUTBOX_RETRY_MAX_MS: '1' });
    const worker = createEmailOutboxWorker({
      db: testDb.db,
      config,
      smtpUrl: `smtp://127.0.0.1:${port}`,
      log: logs.logger,
    });
    try {
      const id = await enqueue('never@example.com', 2);
      expect(await worker.runOnce()).toBe(true);
      let row = await testDb.db
        .selectFrom('email_outbox')
        .select(['status', 'attempts'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'pending', attempts: 1 });
      // The retry is due after ~1 ms; poll until the worker has taken its second and final attempt.
      for (let i = 0; i < 200 && row.status === 'pending'; i++) {
        await worker.runOnce();
        row = await testDb.db
          .selectFrom('email_outbox')
          .select(['status', 'attempts'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
      }
      expect(row).toEqual({ status: 'failed', attempts: 2 });
      expect(await worker.runOnce()).toBe(false);
      const levels = logs.entries().map((e) => [e.level, e.msg]);
      expect(levels).toEqual([
        [40, 'e-mail send failed, will retry'],
        [50, 'e-mail failed for good'],
      ]);
    } finally {
      await worker.stop();
    }
  });

  it('the polling worker sends what is queued and stops cleanly', async () => {
    const smtp = await startSmtpSink();
    const worker = createEmailOutboxWorker({
      db: testDb.db,
      config: testConfig({ OUTBOX_POLL_INTERVAL_MS: '20' }),
      smtpUrl: smtp.url,
      log: captureLogs('warn').logger,
    });
    try {
      worker.start();
      await enqueue('polled@example.com');
      worker.wake();
      const [mail] = await smtp.waitForMail(1);
      expect(mail?.to).toEqual(['polled@example.com']);
    } finally {
      await worker.stop();
      await smtp.close();
    }
  });

  it('backs off exponentially up to the maximum, with bounded jitter', () => {
    const noJitter = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => retryDelayMs(n, 30_000, 3_600_000, noJitter))).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000,
    ]);
    expect(retryDelayMs(1, 1000, 10_000, () => 0)).toBe(800);
    expect(retryDelayMs(1, 1000, 10_000, () => 1)).toBe(1200);
  });
});
