/**
 * Scheduled backups: the slot arithmetic in real time zones (DST included), and the hourly
 * trigger's decisions on KVS state (due once per slot, never for a slot before the schedule was
 * saved, stale jobs queued again). KVS and the queue are the replaced Forge edge.
 */
import type { Schedule } from '../src/contract';
import { latestSlot } from '../src/jobs/schedule';
import { runScheduler } from '../src/jobs/scheduler';
import { STALE_JOB_MS } from '../src/jobs/backup-jobs';
import { installationStore, jobStore, schemaStore, type SchemaRecord } from '../src/store';
import { edge } from './helpers/forge-edge';

jest.mock('@forge/api', () => jest.requireActual('./helpers/forge-edge').forgeApiModule());
jest.mock('@forge/kvs', () => jest.requireActual('./helpers/forge-edge').forgeKvsModule());
jest.mock('@forge/events', () => jest.requireActual('./helpers/forge-edge').forgeEventsModule());

const iso = (date: Date | undefined) => date?.toISOString();
const schedule = (s: Partial<Schedule>): Schedule => ({
  frequency: 'daily',
  time: '02:00',
  dayOfWeek: 0,
  timezone: 'UTC',
  ...s,
});

describe('latestSlot', () => {
  it('finds today or yesterday for daily schedules', () => {
    expect(iso(latestSlot(schedule({}), new Date('2026-11-25T10:00:00Z')))).toBe('2026-11-25T02:00:00.000Z');
    expect(iso(latestSlot(schedule({}), new Date('2026-11-25T01:59:00Z')))).toBe('2026-11-24T02:00:00.000Z');
    expect(iso(latestSlot(schedule({}), new Date('2026-11-25T02:00:00Z')))).toBe('2026-11-25T02:00:00.000Z');
  });

  it('reads the time in the schedule time zone', () => {
    // Paris is UTC+1 in November, New York UTC-5.
    expect(
      iso(latestSlot(schedule({ time: '03:00', timezone: 'Europe/Paris' }), new Date('2026-11-25T10:00:00Z'))),
    ).toBe('2026-11-25T02:00:00.000Z');
    expect(
      iso(latestSlot(schedule({ time: '23:00', timezone: 'America/New_York' }), new Date('2026-11-25T10:00:00Z'))),
    ).toBe('2026-11-25T04:00:00.000Z');
  });

  it('finds the last matching weekday for weekly schedules', () => {
    // Friday 22:00 in New York is Saturday 03:00 UTC.
    const friday = schedule({ frequency: 'weekly', dayOfWeek: 5, time: '22:00', timezone: 'America/New_York' });
    expect(iso(latestSlot(friday, new Date('2026-11-30T12:00:00Z')))).toBe('2026-11-28T03:00:00.000Z');
    expect(iso(latestSlot(friday, new Date('2026-11-28T02:59:00Z')))).toBe('2026-11-21T03:00:00.000Z');
  });

  it('follows daylight saving changes', () => {
    const paris = schedule({ time: '03:00', timezone: 'Europe/Paris' });
    // 29 March 2026: Paris moves from UTC+1 to UTC+2.
    expect(iso(latestSlot(paris, new Date('2026-03-28T12:00:00Z')))).toBe('2026-03-28T02:00:00.000Z');
    expect(iso(latestSlot(paris, new Date('2026-03-29T12:00:00Z')))).toBe('2026-03-29T01:00:00.000Z');
  });

  it('has no slot when scheduling is off', () => {
    expect(latestSlot(schedule({ frequency: 'off' }), new Date())).toBeUndefined();
  });
});

describe('runScheduler', () => {
  const tenant = {
    cloudId: '11111111-2222-3333-4444-555555555555',
    siteUrl: 'https://acme.atlassian.net',
    firstSeenAt: '2026-11-01T00:00:00.000Z',
  };
  const base: SchemaRecord = {
    schemaId: '7',
    name: 'IT',
    key: 'IT',
    synced: true,
    schedule: schedule({}),
    scheduleUpdatedAt: '2026-11-20T00:00:00.000Z',
  };

  beforeEach(() => edge.reset());

  it('does nothing before the app was opened on the site', async () => {
    await schemaStore.put(base);
    expect(await runScheduler(new Date('2026-11-25T03:00:00Z'))).toEqual({ started: [], resumed: [] });
    expect(edge.queues.waiting()).toHaveLength(0);
  });

  it('starts one scheduled backup per slot, however often the trigger runs', async () => {
    await installationStore.put(tenant);
    await schemaStore.put(base);
    const first = await runScheduler(new Date('2026-11-25T02:30:00Z'));
    expect(first.started).toHaveLength(1);
    const job = await jobStore.get(first.started[0]!);
    expect(job).toMatchObject({ kind: 'scheduled', status: 'queued', schemaId: '7' });
    expect((await schemaStore.get('7'))?.lastScheduledSlot).toBe('2026-11-25T02:00:00.000Z');
    expect(edge.queues.waiting('backup-jobs').map((e) => e.body)).toEqual([{ jobId: job?.jobId }]);

    // the same hour again (Forge may run a trigger twice), and later that day: nothing new
    expect((await runScheduler(new Date('2026-11-25T02:31:00Z'))).started).toEqual([]);
    await jobStore.put({ ...job!, status: 'completed', updatedAt: '2026-11-25T02:40:00.000Z' });
    await schemaStore.put({ ...(await schemaStore.get('7'))!, activeJobId: undefined });
    expect((await runScheduler(new Date('2026-11-25T20:00:00Z'))).started).toEqual([]);
    // the next day's slot
    expect((await runScheduler(new Date('2026-11-26T02:05:00Z'))).started).toHaveLength(1);
  });

  it('ignores slots before the schedule was saved and schemas that are not synced', async () => {
    await installationStore.put(tenant);
    await schemaStore.put({ ...base, scheduleUpdatedAt: '2026-11-25T09:00:00.000Z' });
    await schemaStore.put({ ...base, schemaId: '8', synced: false });
    expect((await runScheduler(new Date('2026-11-25T10:00:00Z'))).started).toEqual([]);
    expect((await runScheduler(new Date('2026-11-26T02:10:00Z'))).started).toHaveLength(1);
  });

  it('queues a stale running job again instead of starting another', async () => {
    await installationStore.put(tenant);
    const now = new Date('2026-11-25T12:00:00Z');
    const stale = new Date(now.getTime() - STALE_JOB_MS - 60_000).toISOString();
    await jobStore.put({
      jobId: 'job_stale',
      schemaId: '7',
      kind: 'manual',
      status: 'running',
      requestedAt: stale,
      updatedAt: stale,
      records: 10,
      chunks: 1,
      invocations: 3,
      failures: 0,
    });
    await schemaStore.put({ ...base, activeJobId: 'job_stale', lastScheduledSlot: '2026-11-25T02:00:00.000Z' });
    expect(await runScheduler(now)).toEqual({ started: [], resumed: ['job_stale'] });
    expect(edge.queues.waiting('backup-jobs').map((e) => e.body)).toEqual([{ jobId: 'job_stale' }]);
    expect((await jobStore.get('job_stale'))?.updatedAt).toBe(now.toISOString());
  });
});
