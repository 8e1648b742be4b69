/**
 * `pnpm bench:web`: the web UI's first load in Debian Chromium against the real vault (built UI, gzip), with a
 * cold cache each time: until the sign-in form shows (signed out) and until the schemas grid shows (signed in),
 * unthrottled on loopback and on Lighthouse's "slow 4G" profile (1.6 Mbit/s, 150 ms RTT). Also the bytes that
 * crossed the network. Figures for the README; not pass/fail.
 */
import type { Page } from 'playwright-core';
import { ensureWebBuilt } from '@assets-vault/vault-web/ensure-build';
import { startTestApp, testConfig } from '../test/helpers/app.js';
import { launchChromium } from '../test/helpers/browser.js';
import { createTestSession } from '../test/helpers/login.js';
import { createBenchDatabase, percentile, seedBackup } from './common.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const PROFILES = [
  { name: 'loopback', conditions: undefined },
  {
    name: 'slow 4G (1.6 Mbit/s, 150 ms)',
    conditions: { latency: 150, downloadThroughput: 200_000, uploadThroughput: 93_750 },
  },
] as const;

const bench = await createBenchDatabase();
const vault = await startTestApp({
  db: bench.db,
  config: testConfig({
    VAULT_WORKERS: 'false',
    ALLOW_INSECURE_SITE_URLS: 'true',
    VAULT_PUBLIC_URL: 'http://127.0.0.1',
  }),
  deps: { webDistDir: ensureWebBuilt() },
});
const { siteId, userId } = await seedBackup(bench.db);
const token =
  (
    await createTestSession(bench.db, {
      siteId,
      trustedUserId: userId,
      email: 'bench@example.test',
      cookieName: 'vault_session',
    })
  ).split('=')[1] ?? '';
const browser = await launchChromium();

async function firstLoad(page: Page, waitFor: () => Promise<void>): Promise<{ ms: number; bytes: number }> {
  await page.goto(`${vault.baseUrl}/`);
  await waitFor();
  const ms = await page.evaluate<number>('performance.now()');
  const bytes = await page.evaluate<number>(
    "performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).reduce((s, e) => s + e.transferSize, 0)",
  );
  return { ms, bytes };
}

try {
  for (const profile of PROFILES) {
    for (const signedIn of [false, true]) {
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i < RUNS; i++) {
        const context = await browser.newContext();
        if (signedIn) await context.addCookies([{ name: 'vault_session', value: token, url: vault.baseUrl }]);
        const page = await context.newPage();
        if (profile.conditions) {
          const cdp = await context.newCDPSession(page);
          await cdp.send('Network.enable');
          await cdp.send('Network.emulateNetworkConditions', { offline: false, ...profile.conditions });
        }
        const result = await firstLoad(page, () =>
          signedIn
            ? page.getByRole('heading', { name: 'Backed-up schemas' }).waitFor()
            : page
                .getByRole('button', { name: 'Continue with Google' })
                .or(page.getByLabel('Jira site URL'))
                .first()
                .waitFor(),
        );
        times.push(result.ms);
        bytes = result.bytes;
        await context.close();
      }
      console.log(
        `${profile.name.padEnd(30)} ${signedIn ? 'schemas grid' : 'sign-in form'}: median ${percentile(times, 50).toFixed(0)} ms, ` +
          `p95 ${percentile(times, 95).toFixed(0)} ms over ${RUNS} cold loads, ${(bytes / 1024).toFixed(1)} kB transferred`,
      );
    }
  }
} finally {
  await browser.close();
  await vault.close();
  await bench.drop();
}
