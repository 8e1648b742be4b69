/**
 * A scripted raw HTTP server for the Assets client tests: each incoming request is answered by the
 * next step of a script (respond, reset the connection, hang), so failure sequences are exact. It
 * is a real socket on 127.0.0.1:0, not a stand-in for our own code.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ENDPOINT_BUCKETS,
  createAssetsClient,
  createFetchTransport,
  createTokenBucketPacer,
  defaultSleep,
  type AssetsClient,
  type AssetsClientOptions,
  type ClientEvent,
} from '../src/assets-client/index.js';

export interface RecordedRequest {
  method: string;
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Step = (req: RecordedRequest, res: ServerResponse) => void;

export const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Step =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
export const text =
  (status: number, body: string, headers: Record<string, string> = {}): Step =>
  (_req, res) => {
    res.writeHead(status, headers);
    res.end(body);
  };
/** Drops the TCP connection after the request arrived: the client sees a reset / "other side closed". */
export const reset: Step = (_req, res) => {
  res.socket?.destroy();
};
/** Never answers: the client must time out. */
export const hang: Step = () => undefined;

export interface ScriptedServer {
  url: string;
  requests: RecordedRequest[];
  /** steps are consumed in order; when empty, `fallback` answers (default: 500 "script exhausted") */
  script: Step[];
  fallback: Step | undefined;
  close(): Promise<void>;
}

export async function startScriptedServer(): Promise<ScriptedServer> {
  const state: ScriptedServer = {
    url: '',
    requests: [],
    script: [],
    fallback: undefined,
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        path: u.pathname,
        query: u.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      state.requests.push(recorded);
      const step = state.script.shift() ?? state.fallback ?? text(500, 'script exhausted');
      step(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

export const EMAIL = 'robot@example.test';
export const API_TOKEN = 'ATATT-secret-token-value';
export const WORKSPACE = '5d1e7a3c-0b2f-4e8a-9c61-3f0a2b7d9e11';

export interface TestClient {
  client: AssetsClient;
  sleeps: number[];
  events: ClientEvent[];
}

/**
 * A client against `server` with no proactive pacing to speak of and a time-skipping clock: every
 * wait (the client's and the pacer's) advances the clock instead of passing; the client's own
 * waits are recorded in `sleeps`.
 */
export function testClient(
  server: ScriptedServer,
  extra: Partial<AssetsClientOptions> & { timeoutMs?: number; startMs?: number } = {},
): TestClient {
  const sleeps: number[] = [];
  const events: ClientEvent[] = [];
  const { timeoutMs, startMs, ...rest } = extra;
  let skippedMs = 0;
  const now = () => (startMs ?? Date.now()) + skippedMs;
  const skip = (ms: number, signal?: AbortSignal) => {
    skippedMs += ms;
    return defaultSleep(0, signal);
  };
  const transport = createFetchTransport({
    siteUrl: server.url,
    assetsApiBase: server.url,
    workspaceId: WORKSPACE,
    auth: { type: 'basic', email: EMAIL, apiToken: API_TOKEN },
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  const client = createAssetsClient({
    transport,
    pacer: createTokenBucketPacer({
      ratePerMinute: Object.fromEntries(ENDPOINT_BUCKETS.map((b) => [b, 6_000_000])),
      now,
      sleep: skip,
    }),
    now,
    sleep: (ms, signal) => {
      sleeps.push(ms);
      return skip(ms, signal);
    },
    random: () => 0.5,
    onEvent: (e) => events.push(e),
    ...rest,
  });
  return { client, sleeps, events };
}

/** Entities in the canonical wire form (assets-cloud-api.md §4). */
export const ts = '2024-05-02T09:14:07.311Z';
export const icon = { id: '57', name: 'Laptop', url16: 'https://x/16.png', url48: 'https://x/48.png' };
export const objectType = (id: string, extra: Record<string, unknown> = {}) => ({
  workspaceId: WORKSPACE,
  globalId: `${WORKSPACE}:${id}`,
  id,
  name: `Type ${id}`,
  icon,
  position: 0,
  created: ts,
  updated: ts,
  objectCount: 0,
  objectSchemaId: '4',
  inherited: false,
  abstractObjectType: false,
  parentObjectTypeInherited: false,
  ...extra,
});
export const assetObject = (id: string, extra: Record<string, unknown> = {}) => ({
  workspaceId: WORKSPACE,
  globalId: `${WORKSPACE}:${id}`,
  id,
  label: `obj-${id}`,
  objectKey: `ITI-${id}`,
  avatar: { workspaceId: WORKSPACE, url16: 'a', url48: 'a', url72: 'a', url144: 'a', url288: 'a', objectId: id },
  objectType: objectType('31'),
  created: ts,
  updated: ts,
  hasAvatar: false,
  timestamp: 1714641247311,
  _links: { self: `https://x/object/${id}` },
  ...extra,
});
export const attribute = (id: string, extra: Record<string, unknown> = {}) => ({
  workspaceId: WORKSPACE,
  globalId: `${WORKSPACE}:${id}`,
  id,
  name: `Attr ${id}`,
  label: false,
  type: 0,
  defaultType: { id: 0, name: 'Text' },
  indexed: true,
  position: 4,
  ...extra,
});
export const schema = (id: string, extra: Record<string, unknown> = {}) => ({
  workspaceId: WORKSPACE,
  globalId: `${WORKSPACE}:${id}`,
  id,
  name: `Schema ${id}`,
  objectSchemaKey: `S${id}`,
  status: 'Ok',
  created: ts,
  updated: ts,
  objectCount: 1,
  objectTypeCount: 1,
  ...extra,
});
