/**
 * Assets Cloud + Jira emulator: an HTTP server that behaves like the real APIs field by field
 * (shared/docs/assets-cloud-api.md §10), for tests, benchmarks and the demo.
 *
 *   const emu = await startEmulator();
 *   const site = emu.createSite();
 *   seedFixture(site, { objects: 1000, seed: 'demo' });
 *   // site.info.siteUrl, site.info.assetsApiBase, site.info.email / apiToken …
 *   await emu.close();
 */
import { Emulator, type EmulatorOptions } from './server.js';

export { Emulator, bucketFor, type EmulatorOptions } from './server.js';
export { EmulatorSite, EmulatorStoreView } from './site.js';
export { SiteStore } from './store/site-store.js';
export { HistoryType } from './store/records.js';
export { seedFixture, type SeedOptions, type SeedResult } from './fixtures.js';
export { parseAql, type AqlQuery, type AqlNode } from './aql.js';
export { parseJql } from './jql.js';
export { EmulatorHttpError } from './errors.js';
export {
  ENDPOINT_BUCKETS,
  DOCUMENTED_LIMITS_PER_MINUTE,
  type EndpointBucket,
  type EmulatorKnobs,
  type EmulatorSiteInfo,
  type EmulatorCounters,
  type ErrorBodyStyle,
} from './types.js';

/** Starts an emulator listening on `host:port` (default 127.0.0.1, a free port). */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = new Emulator(opts);
  await emulator.listen(opts.host ?? '127.0.0.1', opts.port ?? 0);
  return emulator;
}
