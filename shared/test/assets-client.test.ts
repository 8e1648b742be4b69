/**
 * Assets client against a scripted raw HTTP server: URLs and headers on the wire, paging rules,
 * lenient parsing, retry timing, error typing and the create-never-twice rule.
 */
import {
  AmbiguousCreateError,
  AssetsApiError,
  AssetsNotFoundError,
  AssetsResponseError,
  AssetsTransportError,
  NoWorkspaceError,
  createAssetsClient,
  createFetchTransport,
  createRequestJiraTransport,
  createTokenBucketPacer,
} from '../src/assets-client/index.js';
import { ValidationError } from '../src/errors.js';
import {
  API_TOKEN,
  EMAIL,
  WORKSPACE,
  assetObject,
  attribute,
  hang,
  json,
  objectType,
  reset,
  schema,
  startScriptedServer,
  testClient,
  text,
  ts,
  type ScriptedServer,
} from './assets-client.helpers.js';

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await server.close();
});

const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

const aqlPage = (
  ids: string[],
  startAt: number,
  maxResults: number,
  isLast: unknown,
  extra: Record<string, unknown> = {},
) => ({
  startAt,
  maxResults,
  isLast,
  last: isLast,
  values: ids.map((id) => assetObject(id)),
  objectTypeAttributes: [],
  ...extra,
});

describe('transports', () => {
  it('sends basic auth, JSON headers and the Assets base path with query and body', async () => {
    const { client } = testClient(server);
    server.script.push(json(200, aqlPage(['1'], 0, 50, true)));
    await collect(client.aqlObjects('objectSchemaId = 4', { pageSize: 50 }));
    const [req] = server.requests;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe(`/jsm/assets/workspace/${WORKSPACE}/v1/object/aql`);
    expect(Object.fromEntries(req?.query ?? [])).toEqual({ startAt: '0', maxResults: '50', includeAttributes: 'true' });
    expect(JSON.parse(req?.body ?? '')).toEqual({ qlQuery: 'objectSchemaId = 4' });
    expect(req?.headers.authorization).toBe(`Basic ${Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64')}`);
    expect(req?.headers.accept).toBe('application/json');
    expect(req?.headers['content-type']).toBe('application/json');
  });

  it('uses the cloud-scoped gateway with bearer auth, for Assets and for site calls', async () => {
    const transport = createFetchTransport({
      siteUrl: 'https://acme.atlassian.net',
      assetsApiBase: server.url,
      cloudId: 'cloud-1',
      workspaceId: WORKSPACE,
      auth: { type: 'bearer', token: 'oauth-token' },
    });
    const client = createAssetsClient({ transport, pacer: createTokenBucketPacer() });
    server.script.push(json(200, [icon()]), json(200, []));
    await client.listGlobalIcons();
    await client.listJiraFields();
    expect(server.requests.map((r) => r.path)).toEqual([
      `/ex/jira/cloud-1/jsm/assets/workspace/${WORKSPACE}/v1/icon/global`,
      '/ex/jira/cloud-1/rest/api/3/field',
    ]);
    expect(server.requests[0]?.headers.authorization).toBe('Bearer oauth-token');
    expect(() =>
      createFetchTransport({ siteUrl: 'https://a.atlassian.net', auth: { type: 'bearer', token: 't' } }),
    ).toThrow(/cloudId/);
  });

  it('requestJira transport: prefixes Assets paths, passes site paths as they are, no auth of its own', async () => {
    const seen: { path: string; headers: Record<string, string> }[] = [];
    // stands in for Forge's requestJira: it turns the path into a URL on the same host
    const requestJira = async (
      path: string,
      init: { method: string; headers: Record<string, string>; body?: string },
    ) => {
      seen.push({ path, headers: init.headers });
      return fetch(`${server.url}${path}`, {
        method: init.method,
        headers: init.headers,
        ...(init.body === undefined ? {} : { body: init.body }),
      });
    };
    const transport = createRequestJiraTransport(requestJira, { siteKey: 'https://acme.atlassian.net' });
    const client = createAssetsClient({ transport, pacer: createTokenBucketPacer() });
    server.script.push(
      json(200, { size: 1, start: 0, limit: 50, isLastPage: true, values: [{ workspaceId: WORKSPACE }] }),
      json(200, objectType('31')),
    );
    const type = await client.getObjectType('31');
    expect(type.id).toBe('31');
    expect(seen.map((s) => s.path)).toEqual([
      '/rest/servicedeskapi/assets/workspace?start=0&limit=50',
      `/jsm/assets/workspace/${WORKSPACE}/v1/objecttype/31`,
    ]);
    expect(seen[0]?.headers).toEqual({ Accept: 'application/json' });
    expect(server.requests[1]?.headers.authorization).toBeUndefined();
  });

  it('refuses ids that are not numeric before anything is sent', async () => {
    const { client } = testClient(server);
    await expect(client.getObject('12/../../admin')).rejects.toBeInstanceOf(ValidationError);
    await expect(client.getIssue('SUP-1?x=1')).rejects.toBeInstanceOf(ValidationError);
    expect(server.requests).toHaveLength(0);
  });

  it('returns icon PNG bytes, asking for image/png', async () => {
    const { client } = testClient(server);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    server.script.push((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(png);
    });
    const bytes = await client.getIconPng('57', 48);
    expect(Buffer.from(bytes).equals(png)).toBe(true);
    expect(server.requests[0]?.headers.accept).toBe('image/png');
    expect(server.requests[0]?.url).toBe(`/jsm/assets/workspace/${WORKSPACE}/v1/icon/57/icon.png?size=48`);
  });
});

const icon = () => ({ id: '1', name: 'Box', url16: 'u16', url48: 'u48' });

describe('workspace discovery', () => {
  const clientWithoutWorkspace = () =>
    createAssetsClient({
      transport: createFetchTransport({
        siteUrl: server.url,
        assetsApiBase: server.url,
        auth: { type: 'basic', email: EMAIL, apiToken: API_TOKEN },
      }),
      pacer: createTokenBucketPacer(),
    });

  it('discovers the workspace once and reuses it', async () => {
    const client = clientWithoutWorkspace();
    server.script.push(
      json(200, { size: 1, start: 0, limit: 50, isLastPage: true, values: [{ workspaceId: WORKSPACE }] }),
      json(200, { totalObjectsCount: 3, perSchemaUsageInfo: [{ schemaId: 4, schemaName: 'IT', objectCount: 3 }] }),
      json(200, {}),
    );
    expect((await client.getUsage()).totalObjectsCount).toBe(3);
    expect(await client.getGlobalConfig()).toEqual({});
    expect(server.requests.map((r) => r.path)).toEqual([
      '/rest/servicedeskapi/assets/workspace',
      `/jsm/assets/workspace/${WORKSPACE}/v1/usage`,
      `/jsm/assets/workspace/${WORKSPACE}/v1/global/config`,
    ]);
  });

  it('an empty workspace list is NoWorkspaceError, not retried', async () => {
    const client = clientWithoutWorkspace();
    server.script.push(json(200, { size: 0, start: 0, limit: 50, isLastPage: true, values: [] }));
    await expect(client.getUsage()).rejects.toBeInstanceOf(NoWorkspaceError);
    expect(server.requests).toHaveLength(1);
  });
});

describe('paging', () => {
  it('advances startAt by what was received when the server caps maxResults, and ignores a wrong total', async () => {
    const { client } = testClient(server);
    // asked for 3, the server gives 2 per page and says so; `total` is wrong on purpose
    server.script.push(
      json(200, aqlPage(['1', '2'], 0, 2, false, { total: 2 })),
      json(200, aqlPage(['3', '4'], 2, 2, 'false', { total: 2 })),
      json(200, aqlPage(['5'], 4, 2, 'true')),
    );
    const ids = (await collect(client.aqlObjects('objectTypeId = 31', { pageSize: 3 }))).map((o) => o.id);
    expect(ids).toEqual(['1', '2', '3', '4', '5']);
    expect(server.requests.map((r) => r.query.get('startAt'))).toEqual(['0', '2', '4']);
    expect(server.requests.map((r) => r.query.get('maxResults'))).toEqual(['3', '3', '3']);
  });

  it('stops on a short page even when isLast is missing, and on an empty page', async () => {
    const { client } = testClient(server);
    const noFlag = (ids: string[], startAt: number) => ({
      startAt,
      maxResults: 2,
      values: ids.map((id) => schema(id)),
    });
    server.script.push(json(200, noFlag(['1', '2'], 0)), json(200, noFlag(['3'], 2)));
    expect((await collect(client.listObjectSchemas({ pageSize: 2 }))).map((s) => s.id)).toEqual(['1', '2', '3']);
    expect(server.requests[0]?.query.get('includeCounts')).toBe('true');

    server.requests.length = 0;
    server.script.push(json(200, noFlag(['1', '2'], 0)), json(200, noFlag([], 2)));
    expect(await collect(client.listObjectSchemas({ pageSize: 2 }))).toHaveLength(2);
    expect(server.requests).toHaveLength(2);
  });

  it('follows nextPageToken on Jira enhanced search until it ends', async () => {
    const { client } = testClient(server);
    const issue = (id: string) => ({ id, key: `SUP-${id}`, fields: { customfield_10191: [] } });
    server.script.push(
      json(200, { issues: [issue('1'), issue('2')], nextPageToken: 'tok-a' }),
      json(200, { issues: [issue('3')], nextPageToken: 'tok-b', isLast: false }),
      json(200, { issues: [issue('4')], isLast: true }),
    );
    const keys = (
      await collect(client.searchIssues({ jql: 'cf[10191] is not EMPTY', fields: ['customfield_10191'], pageSize: 2 }))
    ).map((i) => i.key);
    expect(keys).toEqual(['SUP-1', 'SUP-2', 'SUP-3', 'SUP-4']);
    expect(server.requests.map((r) => (JSON.parse(r.body) as { nextPageToken?: string }).nextPageToken)).toEqual([
      undefined,
      'tok-a',
      'tok-b',
    ]);
    expect(server.requests.every((r) => r.path === '/rest/api/3/search/jql' && r.method === 'POST')).toBe(true);
  });

  it('fails instead of looping when the same nextPageToken comes back', async () => {
    const { client } = testClient(server);
    server.fallback = json(200, { issues: [], nextPageToken: 'same' });
    await expect(collect(client.searchIssues({ jql: 'project = SUP' }))).rejects.toBeInstanceOf(AssetsResponseError);
    expect(server.requests).toHaveLength(2);
  });
});

describe('lenient parsing', () => {
  it('coerces numbers, "true" strings, nulls, missing type and numeric parents, then validates', async () => {
    const { client } = testClient(server);
    server.script.push(
      json(200, [
        {
          ...attribute('512'),
          id: 512,
          type: undefined,
          label: 'true',
          indexed: 'false',
          description: null,
          position: '1',
        },
      ]),
    );
    const [attr] = await client.listObjectTypeAttributes('31');
    expect(attr).toMatchObject({ id: '512', type: 0, label: true, indexed: false, position: 1 });
    expect(attr).not.toHaveProperty('description');

    server.script.push(
      json(200, [
        objectType('40', { parentObjectTypeId: 30, objectSchemaId: 4, created: '2024-05-02T09:14:07.311+00:00' }),
      ]),
    );
    const [type] = await client.listObjectTypes('4');
    expect(type).toMatchObject({ parentObjectTypeId: '30', objectSchemaId: '4', created: ts });
  });

  it('a body that does not fit the model is AssetsResponseError naming the path, not the value', async () => {
    const { client } = testClient(server);
    server.script.push(json(200, { ...assetObject('7'), objectKey: undefined, label: { secret: 'customer data' } }));
    const err = await client.getObject('7').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AssetsResponseError);
    const problems = (err as AssetsResponseError).problems.map((p) => p.path);
    expect(problems).toEqual(expect.arrayContaining(['/label', '/objectKey']));
    expect((err as Error).message).not.toContain('customer data');

    server.script.push(text(200, '<html>proxy login</html>', { 'content-type': 'text/html' }));
    await expect(client.getObject('7')).rejects.toBeInstanceOf(AssetsResponseError);
  });
});

describe('retries', () => {
  it('waits the Retry-After seconds of a 503, then succeeds', async () => {
    const { client, sleeps, events } = testClient(server);
    server.script.push(text(503, '', { 'retry-after': '2' }), json(200, objectType('31')));
    await client.getObjectType('31');
    expect(sleeps).toEqual([2000]);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'retry', status: 503, delayMs: 2000, delaySource: 'server' }),
    );
  });

  it('reads Retry-After as an HTTP date and X-RateLimit-Reset as an ISO date, against the injected clock', async () => {
    const startMs = Date.parse('2026-11-25T10:00:00Z');
    const { client, sleeps } = testClient(server, { startMs });
    server.script.push(
      text(429, '', { 'retry-after': new Date(startMs + 7000).toUTCString() }),
      // the clock has moved by the 7 s waited
      text(429, '', { 'x-ratelimit-reset': '2026-11-25T10:00:10.500Z' }),
      json(200, objectType('31')),
    );
    await client.getObjectType('31');
    // After a 429 the pacer restarts from an empty bucket and waits for one token (1 ms at this
    // rate) before the retry goes out, so the second reset is 3,499 ms away on the injected clock.
    expect(sleeps).toEqual([7000, 3499]);
  });

  it('without server hints, backs off exponentially with full jitter up to the cap, then gives up', async () => {
    const { client, sleeps } = testClient(server, {
      random: () => 0.5,
      retry: { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 5000 },
    });
    server.fallback = text(502, 'Bad Gateway', { 'content-type': 'text/plain' });
    const err = await client.getObjectType('31').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AssetsApiError);
    expect(err).toMatchObject({ status: 502, kind: 'server_error', attempts: 5, errorMessages: ['Bad Gateway'] });
    expect(server.requests).toHaveLength(5);
    expect(sleeps).toEqual([500, 1000, 2000, 2500]); // 0.5 × min(5000, 1000 × 2^(n-1))
  });

  it('a 429 storm gets its own, larger retry budget', async () => {
    const { client } = testClient(server, { retry: { maxAttempts: 2, maxThrottledAttempts: 10 } });
    for (let i = 0; i < 8; i++) server.script.push(text(429, ''));
    server.script.push(json(200, objectType('31')));
    await expect(client.getObjectType('31')).resolves.toMatchObject({ id: '31' });
    expect(server.requests).toHaveLength(9);
  });

  it('a server asking for a wait beyond maxServerDelayMs fails with retryAfterMs', async () => {
    const { client } = testClient(server, { retry: { maxServerDelayMs: 60_000 } });
    server.script.push(text(429, '', { 'retry-after': '3600' }));
    await expect(client.getObjectType('31')).rejects.toMatchObject({ status: 429, retryAfterMs: 3_600_000 });
  });

  it('does not retry 401, 403 or 400; 404 is AssetsNotFoundError and a delete of a missing object is false', async () => {
    const { client } = testClient(server);
    server.script.push(json(401, { code: 401, message: 'Unauthorized; scope does not match' }));
    await expect(client.getObjectType('31')).rejects.toMatchObject({
      status: 401,
      kind: 'unauthorized',
      errorMessages: ['Unauthorized; scope does not match'],
    });
    server.script.push(text(403, ''));
    await expect(client.getObjectType('31')).rejects.toMatchObject({
      status: 403,
      kind: 'forbidden',
      errorMessages: [],
    });
    server.script.push(text(404, ''));
    await expect(client.getObject('9')).rejects.toBeInstanceOf(AssetsNotFoundError);
    server.script.push(text(404, ''), text(204, ''));
    expect(await client.deleteObject('9')).toBe(false);
    expect(await client.deleteObject('10')).toBe(true);
    expect(server.requests).toHaveLength(5);
  });

  it('retries GETs after a connection reset and after a timeout', async () => {
    const { client, events } = testClient(server, { timeoutMs: 300 });
    server.script.push(reset, hang, json(200, objectType('31')));
    await expect(client.getObjectType('31')).resolves.toMatchObject({ id: '31' });
    expect(server.requests).toHaveLength(3);
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(2);
  });

  it('an abort during a backoff wait rejects at once with the abort reason', async () => {
    const controller = new AbortController();
    const { client } = testClient(server, {
      sleep: (_ms, signal) =>
        new Promise((_resolve, reject) => {
          signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
          controller.abort(new Error('job cancelled'));
        }),
    });
    server.fallback = text(503, '');
    await expect(client.getObjectType('31', { signal: controller.signal })).rejects.toThrow('job cancelled');
    expect(server.requests).toHaveLength(1);
  });
});

describe('error bodies', () => {
  it('maps rlabs-insight-attribute-<id> keys to attributeErrors and keeps the message on the error', async () => {
    const { client } = testClient(server);
    server.script.push(
      json(400, {
        errorMessages: ['Could not create object'],
        errors: { 'rlabs-insight-attribute-521': 'Invalid due to restrictions', objectTypeId: 'bad type' },
      }),
    );
    const err = await client.createObject({ objectTypeId: '31', attributes: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AssetsApiError);
    expect(err).toMatchObject({
      status: 400,
      kind: 'bad_request',
      errorMessages: ['Could not create object'],
      attributeErrors: { 521: 'Invalid due to restrictions' },
      fieldErrors: { objectTypeId: 'bad type' },
    });
    expect((err as Error).message).toContain('attribute 521: Invalid due to restrictions');
    expect(server.requests).toHaveLength(1);
  });

  it('never puts the credentials in errors or events', async () => {
    const { client, events } = testClient(server, { retry: { maxAttempts: 2 } });
    server.fallback = text(500, 'Internal error');
    const err = await client.getObjectType('31').catch((e: unknown) => e);
    const basic = Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64');
    const dump = JSON.stringify({ err, message: (err as Error).message, stack: (err as Error).stack, events });
    expect(dump).not.toContain(API_TOKEN);
    expect(dump).not.toContain(basic);
  });
});

describe('creates are never repeated blindly', () => {
  const body = {
    objectTypeId: '31',
    attributes: [{ objectTypeAttributeId: '513', objectAttributeValues: [{ value: 'lap-1' }] }],
  };

  it('a reset after sending, without findExisting, is AmbiguousCreateError after exactly one request', async () => {
    const { client } = testClient(server);
    server.script.push(reset);
    await expect(client.createObject(body)).rejects.toBeInstanceOf(AmbiguousCreateError);
    expect(server.requests).toHaveLength(1);
  });

  it('a 5xx with findExisting finding the object returns it without sending the create again', async () => {
    const { client, events } = testClient(server);
    server.script.push(text(504, 'Gateway Timeout'));
    let lookups = 0;
    const created = await client.createObject(body, {
      findExisting: async () => {
        lookups++;
        return assetObject('77');
      },
    });
    expect(created.id).toBe('77');
    expect(lookups).toBe(1);
    expect(server.requests.filter((r) => r.path.endsWith('/object/create'))).toHaveLength(1);
    expect(events).toContainEqual(expect.objectContaining({ type: 'ambiguous_create', found: true }));
  });

  it('a timeout with findExisting finding nothing sends the create again', async () => {
    const { client } = testClient(server, { timeoutMs: 300 });
    server.script.push(hang, json(201, assetObject('78')));
    const created = await client.createObject(body, { findExisting: async () => undefined });
    expect(created.id).toBe('78');
    expect(server.requests).toHaveLength(2);
  });

  it('a 429 on a create is retried without asking: the request was provably rejected', async () => {
    const { client } = testClient(server);
    server.script.push(text(429, '', { 'retry-after': '1' }), json(201, assetObject('79')));
    await expect(client.createObject(body)).resolves.toMatchObject({ id: '79' });
    expect(server.requests).toHaveLength(2);
  });

  it('a connection that was refused (never sent) is retried without asking', async () => {
    let calls = 0;
    const refusedOnce: typeof fetch = async (input, init) => {
      calls++;
      if (calls === 1)
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
        });
      return fetch(input, init);
    };
    const transport = createFetchTransport({
      siteUrl: server.url,
      assetsApiBase: server.url,
      workspaceId: WORKSPACE,
      auth: { type: 'basic', email: EMAIL, apiToken: API_TOKEN },
      fetch: refusedOnce,
    });
    const refusing = createAssetsClient({ transport, pacer: createTokenBucketPacer(), sleep: async () => undefined });
    server.script.push(json(201, assetObject('80')));
    await expect(refusing.createObject(body)).resolves.toMatchObject({ id: '80' });
    expect(server.requests).toHaveLength(1);
    expect(calls).toBe(2);
  });

  it('other creates follow the same rule (schema, type, attribute, status, reference type)', async () => {
    const { client } = testClient(server);
    server.fallback = reset;
    await expect(client.createObjectSchema({ name: 'IT', objectSchemaKey: 'IT' })).rejects.toBeInstanceOf(
      AmbiguousCreateError,
    );
    await expect(client.createObjectType({ name: 'Laptop', objectSchemaId: '4', iconId: '1' })).rejects.toBeInstanceOf(
      AmbiguousCreateError,
    );
    await expect(client.createAttribute('31', { name: 'Serial', type: 0, defaultTypeId: 0 })).rejects.toBeInstanceOf(
      AmbiguousCreateError,
    );
    await expect(client.createStatusType({ name: 'Active', category: 1 })).rejects.toBeInstanceOf(AmbiguousCreateError);
    await expect(client.createReferenceType({ name: 'Owns' })).rejects.toBeInstanceOf(AmbiguousCreateError);
    expect(server.requests).toHaveLength(5);
  });

  it('an update (idempotent) is retried after a reset', async () => {
    const { client } = testClient(server);
    server.script.push(reset, json(200, assetObject('81')));
    await expect(client.updateObject('81', body)).resolves.toMatchObject({ id: '81' });
    expect(server.requests.map((r) => r.method)).toEqual(['PUT', 'PUT']);
  });

  it('transport errors surface as AssetsTransportError once the budget is spent', async () => {
    const { client } = testClient(server, { retry: { maxAttempts: 2 } });
    server.fallback = reset;
    const err = await client.getObject('5').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AssetsTransportError);
    expect(err).toMatchObject({ reason: 'network', mayHaveReachedServer: true });
  });
});
