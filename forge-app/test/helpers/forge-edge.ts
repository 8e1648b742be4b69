/**
 * The replaced edge of the Forge runtime for jest (forge.md §7): factories for `jest.mock` of
 * @forge/api, @forge/kvs and @forge/events, and the state they share with the test file.
 *
 * - @forge/api keeps its real `route`/`assumeTrustedRoute`; `asApp()/asUser().requestJira` send the
 *   Route's path over HTTP to `edge.jira` (the emulated site), `fetch` is Node's fetch.
 * - @forge/kvs is the real KVS client (KvsImpl + StorageApi) over MemoryKvs.
 * - @forge/events keeps its real Queue (validation, response handling) with LocalQueues as the
 *   platform it publishes to.
 *
 * Use in a test file:
 *   jest.mock('@forge/api', () => jest.requireActual('./helpers/forge-edge').forgeApiModule());
 *   jest.mock('@forge/kvs', () => jest.requireActual('./helpers/forge-edge').forgeKvsModule());
 *   jest.mock('@forge/events', () => jest.requireActual('./helpers/forge-edge').forgeEventsModule());
 */
import type * as ForgeApi from '@forge/api';
import type * as ForgeKvs from '@forge/kvs';
import type * as ForgeEvents from '@forge/events';
import { LocalQueues } from '../../local/local-queues';
import { MemoryKvs } from '../../local/memory-kvs';

export interface EdgeRequest {
  as: 'app' | 'user';
  method: string;
  path: string;
  status: number;
}

export const edge = {
  kvs: new MemoryKvs(),
  queues: new LocalQueues(),
  jira: { siteUrl: '', authorization: '' },
  /** The account of the UI's user (the emulator answers every caller as its site admin). */
  accountId: 'unknown',
  requests: [] as EdgeRequest[],
  reset(): void {
    edge.kvs = new MemoryKvs();
    edge.queues = new LocalQueues();
    edge.requests.length = 0;
  },
};

function requestJiraAs(as: 'app' | 'user') {
  return async (route: ForgeApi.Route, init: ForgeApi.RequestInit = {}): Promise<Response> => {
    // Like the real requestJira: only Routes (from the real `route` tag or assumeTrustedRoute).
    if (typeof route !== 'object' || route === null || typeof route.value !== 'string') {
      throw new Error("You must create your route using the 'route' export from '@forge/api'.");
    }
    const path = route.value;
    const headers = new Headers(init.headers);
    headers.set('authorization', edge.jira.authorization);
    const response = await fetch(`${edge.jira.siteUrl}${path}`, { ...init, headers } as RequestInit);
    edge.requests.push({ as, method: init.method ?? 'GET', path, status: response.status });
    return response;
  };
}

export function forgeApiModule() {
  const actual = jest.requireActual<typeof ForgeApi>('@forge/api');
  const asApp = () => ({ requestJira: requestJiraAs('app') });
  const asUser = () => ({ requestJira: requestJiraAs('user') });
  const forgeFetch = (url: string | ForgeApi.Route, init?: ForgeApi.RequestInit) =>
    fetch(typeof url === 'string' ? url : url.value, init as RequestInit);
  return {
    __esModule: true,
    ...actual,
    default: { ...actual.default, asApp, asUser, fetch: forgeFetch },
    asApp,
    asUser,
    fetch: forgeFetch,
  };
}

export function forgeKvsModule() {
  const actual = jest.requireActual<typeof ForgeKvs>('@forge/kvs');
  const { KvsImpl } = jest.requireActual<{ KvsImpl: new (api: unknown) => typeof ForgeKvs.kvs }>('@forge/kvs/out/kvs');
  const { StorageApi } = jest.requireActual<{ StorageApi: new (client: unknown) => unknown }>(
    '@forge/kvs/out/storage-api',
  );
  // The client is built per call so that edge.reset() gives each test a fresh store.
  const kvs = new KvsImpl(new StorageApi((path: string, init?: { body?: unknown }) => edge.kvs.fetch(path, init)));
  return { __esModule: true, ...actual, kvs, default: kvs };
}

export function forgeEventsModule() {
  const actual = jest.requireActual<typeof ForgeEvents>('@forge/events');
  class Queue extends actual.Queue {
    constructor(params: { key: string }) {
      super(params, (path: string, init?: { body?: unknown }) => edge.queues.publish(path, init));
    }
  }
  return { __esModule: true, ...actual, Queue };
}
