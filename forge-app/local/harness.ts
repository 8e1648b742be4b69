/**
 * The local harness: the app's real handlers (src/index.ts unchanged, or the bundle Forge's packaging
 * built from it) running in Node on top of the local Forge platform (forge-runtime.ts), against an
 * emulated Jira/Assets site and a real vault. Used by `pnpm forge:local`, the demo and the integration test.
 */
import { installLocalForgePlatform, runInvocation, type LocalPlatform, type LocalSite } from './forge-runtime';
import { LocalQueues } from './local-queues';
import { MemoryKvs } from './memory-kvs';
import type { ResolverDefinitions, ResolverKey, ResolverResult } from '../src/contract';
import type * as AppModule from '../src/index';

export interface HarnessOptions {
  site: LocalSite;
  vaultUrl: string;
  vaultSecret: string;
  /** existing KVS contents (e.g. from a state file) */
  kvs?: MemoryKvs;
  /** ASSETS_RATE_FACTOR for the app (the emulator enforces no Atlassian rate limits) */
  assetsRateFactor?: number;
  /** time each invocation gets, as Forge would give it (manifest: consumer 900 s, others 55 s / 25 s) */
  budgets?: { resolverMs?: number; backupMs?: number; deliveryMs?: number; schedulerMs?: number };
  /** the handlers to run: by default src/index.ts; the packaging test passes the bundle Forge built */
  app?: typeof AppModule;
}

export interface Harness {
  readonly kvs: MemoryKvs;
  readonly queues: LocalQueues;
  readonly platform: LocalPlatform;
  /** the emulated site's account the harness acts as (its admin) */
  readonly accountId: string;
  /** invocation budgets in ms; change them between runs to get shorter or longer slices */
  readonly budgets: { resolverMs: number; backupMs: number; deliveryMs: number; schedulerMs: number };
  /** Calls a resolver the way the UI Kit bridge does. */
  invoke<K extends ResolverKey>(
    key: K,
    payload: ResolverDefinitions[K]['payload'],
  ): Promise<ResolverResult<ResolverDefinitions[K]['result']>>;
  /** Runs queued events (backup slices, delivery retries) through the consumers. */
  runQueues(options?: { ignoreDelays?: boolean; untilMs?: number; maxInvocations?: number }): Promise<number>;
  /** One run of the hourly scheduled trigger. */
  runScheduledTrigger(): Promise<void>;
  close(): void;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  // The app reads its Forge variables from process.env at call time, as in Forge.
  process.env.VAULT_URL = options.vaultUrl;
  process.env.VAULT_WEBHOOK_SECRET = options.vaultSecret;
  if (options.assetsRateFactor !== undefined) process.env.ASSETS_RATE_FACTOR = String(options.assetsRateFactor);
  const budgets = {
    resolverMs: 25_000,
    backupMs: 900_000,
    deliveryMs: 55_000,
    schedulerMs: 55_000,
    ...options.budgets,
  };

  const kvs = options.kvs ?? new MemoryKvs();
  const queues = new LocalQueues();
  const platform = installLocalForgePlatform({ site: options.site, kvs, queues });
  const app: typeof AppModule = options.app ?? (await import('../src/index'));
  const accountId = await siteAccountId(options.site);
  const context = {
    cloudId: options.site.cloudId,
    siteUrl: options.site.siteUrl,
    accountId,
    moduleKey: 'assets-backup-vault',
    localId: 'forge-local',
    extension: { type: 'jira:globalPage' },
  };
  const backendPayload = { principal: { accountId }, installContext: `ari:cloud:jira::site/${options.site.cloudId}` };

  return {
    kvs,
    queues,
    platform,
    accountId,
    budgets,
    async invoke(key, payload) {
      const result = await runInvocation('resolver', budgets.resolverMs, () =>
        app.handler({ call: { functionKey: key, payload }, context }, backendPayload),
      );
      return result as ResolverResult<ResolverDefinitions[typeof key]['result']>;
    },
    runQueues(drainOptions = {}) {
      return queues.drain(
        {
          'backup-jobs': (event) =>
            runInvocation('backup-consumer-fn', budgets.backupMs, () => app.backupConsumer(event)),
          'vault-deliveries': (event) =>
            runInvocation('vault-delivery-fn', budgets.deliveryMs, () => app.vaultDeliveryConsumer(event)),
        },
        drainOptions,
      );
    },
    runScheduledTrigger: () => runInvocation('backup-scheduler-fn', budgets.schedulerMs, () => app.scheduledBackup()),
    close: () => platform.uninstall(),
  };
}

async function siteAccountId(site: LocalSite): Promise<string> {
  const response = await fetch(`${site.siteUrl.replace(/\/+$/, '')}/rest/api/3/myself`, {
    headers: {
      authorization: `Basic ${Buffer.from(`${site.email}:${site.apiToken}`).toString('base64')}`,
      accept: 'application/json',
    },
  });
  if (!response.ok)
    throw new Error(`The emulated site answered ${response.status} to /rest/api/3/myself: check the site JSON`);
  const body = (await response.json()) as { accountId?: unknown };
  if (typeof body.accountId !== 'string') throw new Error('The emulated site returned no accountId');
  return body.accountId;
}

/** Parses the emulator's site JSON (`pnpm emulator --json` prints it). */
export function parseSiteJson(text: string): LocalSite & { assetsApiBase?: string } {
  const value = JSON.parse(text) as Record<string, unknown>;
  const missing = ['siteUrl', 'cloudId', 'email', 'apiToken'].filter(
    (key) => typeof value[key] !== 'string' || value[key] === '',
  );
  if (missing.length > 0) throw new Error(`The site JSON lacks ${missing.join(', ')}`);
  return {
    siteUrl: value.siteUrl as string,
    cloudId: value.cloudId as string,
    email: value.email as string,
    apiToken: value.apiToken as string,
    ...(typeof value.workspaceId === 'string' ? { workspaceId: value.workspaceId } : {}),
    // where the vault reaches the emulated site's Assets API with stored credentials (`restore`)
    ...(typeof value.assetsApiBase === 'string' ? { assetsApiBase: value.assetsApiBase } : {}),
  };
}
