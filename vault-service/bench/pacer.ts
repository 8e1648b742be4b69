/**
 * `pnpm bench:pacer [--seconds 30] [--pacers 1,3]`: the Postgres-backed pacer (modules/pacing) on the
 * machine's Postgres, in real time. Each pacer has its own connection pool (as a replica would) and a
 * restore's settings (creates at 97% of the documented 2,000/min, 32 in flight, one second of burst);
 * its callers hold each permit for a simulated request of 100–400 ms. Prints the achieved rate against
 * the configured one, the busiest one-second window against the bound (capacity + rate × 1 s), and
 * the Postgres round trips per permit. Grants are stamped when the caller resumes, so event-loop delays
 * can squeeze one more into a second than the schedule has (the send-time jitter the restore's 0.97
 * rate factor leaves room for). Figures, not pass/fail.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { restorePacerOptions } from '@assets-vault/shared/restore';
import type { EndpointBucket } from '@assets-vault/shared/assets-client';
import { createKysely } from '../src/db/index.js';
import { createPostgresPacer } from '../src/modules/pacing/index.js';
import { createBenchDatabase } from './common.js';

const BUCKET: EndpointBucket = 'object.create';
const WARM_UP_MS = 2_000;

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '30' }, pacers: { type: 'string', default: '1,3' } },
});
const seconds = Number(values.seconds);
const scenarios = (values.pacers ?? '1,3').split(',').map(Number);

function busiest(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j]! <= sorted[i]! + windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

async function scenario(url: string, pacerCount: number) {
  const options = restorePacerOptions();
  const rate = options.ratePerMinute?.[BUCKET] ?? 0;
  const capacity = Math.max(1, Math.floor((rate / 60) * (options.burstSeconds ?? 1)));
  const key = `https://bench-${pacerCount}-${Date.now()}.atlassian.net`;
  const pools = Array.from({ length: pacerCount }, () => createKysely(url, undefined, { poolSize: 4 }));
  const pacers = pools.map((db) => createPostgresPacer(db, { key, ...options }));
  const grants: number[] = [];
  const started = Date.now();
  const endAt = started + seconds * 1_000;
  await Promise.all(
    pacers.flatMap((pacer) =>
      Array.from({ length: options.concurrency ?? 32 }, async () => {
        while (Date.now() < endAt) {
          const permit = await pacer.acquire(BUCKET);
          grants.push(Date.now());
          await delay(100 + Math.random() * 300);
          permit.release();
        }
      }),
    ),
  );
  await Promise.all(pools.map((db) => db.destroy()));
  const inRun = grants.filter((t) => t < endAt);
  const steady = inRun.filter((t) => t >= started + WARM_UP_MS).length;
  const achievedPerMinute = (steady / (seconds * 1_000 - WARM_UP_MS)) * 60_000;
  const stats = pacers.map((p) => p.stats());
  const roundTrips = stats.reduce((n, s) => n + s.roundTrips, 0);
  const permits = stats.reduce((n, s) => n + s.permits, 0);
  return {
    pacers: pacerCount,
    configuredPerMinute: rate,
    achievedPerMinute: Math.round(achievedPerMinute),
    ratio: +(achievedPerMinute / rate).toFixed(3),
    busiestSecond: busiest(inRun, 1_000),
    boundPerSecond: +(capacity + rate / 60).toFixed(1),
    permits,
    roundTripsPerPermit: +(roundTrips / permits).toFixed(3),
    sharePerPacer: stats.map((s) => +(s.permits / permits).toFixed(2)),
  };
}

const bench = await createBenchDatabase();
try {
  console.log(`pacer bench: ${seconds} s per scenario, ${WARM_UP_MS} ms warm-up excluded from the rate`);
  for (const n of scenarios) console.log(JSON.stringify(await scenario(bench.url, n)));
} finally {
  await bench.drop();
}
