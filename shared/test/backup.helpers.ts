/** What the backup engine suites share. */
import type { EmulatorSite } from '@assets-vault/emulator';
import type { AssetsClient, RetryOptions } from '../src/assets-client/index.js';
import {
  ENDPOINT_BUCKETS,
  createAssetsClient,
  createFetchTransport,
  createTokenBucketPacer,
} from '../src/assets-client/index.js';

/**
 * A client for an emulated site as the vault builds one, but with pacing opened up: the emulator does
 * not rate-limit here. `retry` replaces the default retry timing.
 */
export function clientFor(site: EmulatorSite, retry?: RetryOptions): AssetsClient {
  const ratePerMinute = Object.fromEntries(ENDPOINT_BUCKETS.map((b) => [b, 10_000_000]));
  return createAssetsClient({
    transport: createFetchTransport({
      siteUrl: site.info.siteUrl,
      assetsApiBase: site.info.assetsApiBase,
      auth: { type: 'basic', email: site.info.email, apiToken: site.info.apiToken },
    }),
    pacer: createTokenBucketPacer({ ratePerMinute, concurrency: 16 }),
    ...(retry ? { retry } : {}),
  });
}
