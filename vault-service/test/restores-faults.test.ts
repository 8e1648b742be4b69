/**
 * The fault test through the vault: restores started over the HTTP API and run by the vault's restore
 * job (its Postgres pacer and checkpoints) against an emulated target that throttles far below what the
 * pacer sends (429 with Retry-After, then without it), answers 503s, resets connections before an answer,
 * and creates objects whose answer is then lost (`createThenResetRate`). Each restore completes with
 * every object exactly once (0 lost, 0 duplicated) and equal to the backup; the faults demonstrably
 * happened and the lost answers were found by lookup. A minute lasts 100 ms on the emulator's clock and
 * on the vault's (ASSETS_CLOCK_SCALE).
 */
import { seedFixture, type Emulator } from '@assets-vault/emulator';
import type { RestoreRunners } from '../src/jobs/restore-runner.js';
import type { TestApp } from './helpers/app.js';
import type { TestDatabase } from './helpers/db.js';
import { csrfHeaders } from './helpers/login.js';
import {
  backUpToVault,
  engineCounts,
  expectCompleted,
  restoredOnceDifferences,
  saveSiteCredentials,
  startRestoreVault,
  type RestoreVault,
} from './helpers/restore.js';
import { createSiteWithSession } from './helpers/site.js';

const CLOCK_SCALE = 600;
const OBJECTS = 300;

let stack: RestoreVault;
let emulator: Emulator;
let testDb: TestDatabase;
let vault: TestApp;
let runners: RestoreRunners;

beforeAll(async () => {
  stack = await startRestoreVault(CLOCK_SCALE, { retryBaseMs: 0 });
  ({ emulator, testDb, vault, runners } = stack);
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

async function hostileRestore(name: string, retryAfter: 'seconds' | 'none', createsPerMinute: number) {
  const target = emulator.createSite({ seed: `vault-faults-${name}` });
  const seeded = seedFixture(target, { objects: OBJECTS, seed: name, issues: false });
  const site = await createSiteWithSession(testDb.db, {
    cloudId: target.info.cloudId,
    siteUrl: target.info.siteUrl,
    email: `admin@${name}.test`,
  });
  await saveSiteCredentials(vault, site, target);
  const { backupId, backup } = await backUpToVault(vault.baseUrl, target, seeded.schemaId);
  const key = name.toUpperCase();
  const started = await fetch(`${vault.baseUrl}/api/v1/restores`, {
    method: 'POST',
    headers: { cookie: site.cookie, 'content-type': 'application/json', ...csrfHeaders(vault.config.publicUrl) },
    body: JSON.stringify({
      backupId,
      destination: { kind: 'current-instance', schemaName: `Faults ${name}`, schemaKey: key },
      options: { objectIcons: true, history: true },
    }),
  });
  expect(started.status).toBe(202);
  const { id } = (await started.json()) as { id: string };

  // the faults start once the restore is queued
  target.setKnobs({
    clockScale: CLOCK_SCALE,
    rateLimitPerMinute: { 'object.create': createsPerMinute, 'object.update': 10, 'object.aql': 10, default: 20 },
    retryAfter,
    failure503Rate: 0.04,
    resetRate: 0.03,
    createThenResetRate: 0.08,
    seed: 11,
  });
  target.resetCounters();
  while (await runners.restores.runOnce());
  const counters = target.counters();
  target.setKnobs({});

  await expectCompleted(vault, site, id, OBJECTS);
  expect(counters.status429).toBeGreaterThan(10);
  expect(counters.status503).toBeGreaterThan(3);
  expect(counters.resets).toBeGreaterThan(10);
  // creates whose answer was lost were found by lookup instead of being sent again
  expect((await engineCounts(testDb.db, id)).lookupsFound).toBeGreaterThan(3);

  // 0 lost, 0 duplicated, every object equal to the backup
  expect(await restoredOnceDifferences(testDb.db, id, { backup, target, schemaKey: key, history: true })).toEqual([]);
}

test('429 with Retry-After, 503, resets and lost create answers: 0 lost, 0 duplicated', async () => {
  await hostileRestore('withra', 'seconds', 15);
}, 240_000);

test('429 and 503 without Retry-After (backoff on the scaled clock): 0 lost, 0 duplicated', async () => {
  await hostileRestore('nora', 'none', 8);
}, 240_000);
