/**
 * A local stand-in for the Forge platform underneath the real @forge/* packages. Those packages
 * reach the platform through two globals that the Forge runtime provides:
 *   - `__forge_fetch__(target, path, init)`: product calls (`requestJira`), KVS and queue pushes;
 *   - `__forge_runtime__`: the invocation context (`getAppContext()`, remaining time).
 * Installing both here lets the app's real handlers run unchanged in Node:
 *   requestJira → the emulated Jira/Assets site over HTTP (basic auth of the site's credentials),
 *   KVS → MemoryKvs, queue pushes → LocalQueues, external fetch → plain fetch (to the vault).
 * The wire shapes are those of @forge/api 8.3.0, @forge/kvs 1.6.5 and @forge/events 3.0.8 (pinned).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { MemoryKvs } from './memory-kvs';
import type { LocalQueues } from './local-queues';

/** The emulator's site description (`EmulatorSiteInfo`); only these fields are needed. */
export interface LocalSite {
  siteUrl: string;
  cloudId: string;
  email: string;
  apiToken: string;
  workspaceId?: string;
}

export interface JiraRequestRecord {
  as: 'app' | 'user';
  method: string;
  path: string;
  status: number;
}

interface Invocation {
  id: string;
  moduleKey: string;
  deadline: number;
}

interface ForgeFetchTarget {
  type?: string;
  provider?: string;
  remote?: string;
  accountId?: string;
}

type ForgeFetch = (target: ForgeFetchTarget, path: string, init?: RequestInit) => Promise<Response>;

const invocations = new AsyncLocalStorage<Invocation>();

function current(): Invocation {
  const invocation = invocations.getStore();
  if (!invocation) throw new Error('No local Forge invocation is active; run the handler through runInvocation()');
  return invocation;
}

/** Runs `fn` as one Forge invocation of `moduleKey` with `budgetMs` before its time limit. */
export function runInvocation<T>(moduleKey: string, budgetMs: number, fn: () => Promise<T>): Promise<T> {
  return invocations.run({ id: randomUUID(), moduleKey, deadline: Date.now() + budgetMs }, fn);
}

const appId = '00000000-0000-0000-0000-000000000000';

/** Sets `__forge_runtime__`, the invocation context read by `getAppContext()`. */
export function installInvocationContext(appVersion = 'local'): () => void {
  const g = globalThis as { __forge_runtime__?: unknown };
  const previous = g.__forge_runtime__;
  const noop = { incr() {}, measure: () => ({ stop() {} }) };
  g.__forge_runtime__ = {
    appContext: {
      appId,
      appVersion,
      environmentId: 'local',
      environmentType: 'DEVELOPMENT',
      installationId: 'local',
      get invocationId() {
        return current().id;
      },
      get moduleKey() {
        return current().moduleKey;
      },
    },
    lambdaContext: { getRemainingTimeInMillis: () => Math.max(0, current().deadline - Date.now()) },
    metrics: { counter: () => noop, timing: () => noop },
    tracing: { traceId: 'local', spanId: 'local' },
  };
  return () => {
    g.__forge_runtime__ = previous;
  };
}

export interface LocalPlatform {
  readonly jiraRequests: JiraRequestRecord[];
  uninstall(): void;
}

/**
 * Installs `__forge_fetch__` and `__forge_runtime__`. The emulator authenticates every call with
 * the site's credentials, so asApp() and asUser() both act as the emulated site's admin.
 */
export function installLocalForgePlatform(options: {
  site: LocalSite;
  kvs: MemoryKvs;
  queues: LocalQueues;
  appVersion?: string;
}): LocalPlatform {
  const { site, kvs, queues } = options;
  const siteBase = site.siteUrl.replace(/\/+$/, '');
  const authorization = `Basic ${Buffer.from(`${site.email}:${site.apiToken}`).toString('base64')}`;
  const jiraRequests: JiraRequestRecord[] = [];

  const forgeFetch: ForgeFetch = async (target, path, init = {}) => {
    if (target.type === 'kvs') return kvs.fetch(path, init as { body?: unknown });
    if (target.remote === 'stargate' && path.startsWith('/webhook/queue/publish/'))
      return queues.publish(path, init as { body?: unknown });
    if (target.remote === 'jira') {
      const as = target.provider === 'user' ? 'user' : 'app';
      const headers = new Headers(init.headers);
      headers.set('authorization', authorization);
      const response = await fetch(`${siteBase}${path}`, { ...init, headers });
      jiraRequests.push({ as, method: init.method ?? 'GET', path, status: response.status });
      return response;
    }
    return Response.json(
      { message: `The local Forge platform does not serve ${target.remote ?? target.type} ${path}` },
      {
        status: 404,
        headers: { 'forge-proxy-error': 'LOCAL_NOT_IMPLEMENTED' },
      },
    );
  };

  const g = globalThis as { __forge_fetch__?: ForgeFetch };
  const previousFetch = g.__forge_fetch__;
  g.__forge_fetch__ = forgeFetch;
  const uninstallContext = installInvocationContext(options.appVersion);
  return {
    jiraRequests,
    uninstall() {
      g.__forge_fetch__ = previousFetch;
      uninstallContext();
    },
  };
}
