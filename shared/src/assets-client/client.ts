/**
 * The Assets REST client used by the Forge app and the vault, for backup and restore: typed
 * methods per endpoint, paging iterators that hold one page at a time, proactive pacing, bounded
 * retries with server-given or jittered delays, and creates that are never repeated blindly.
 * Wire details: shared/docs/assets-cloud-api.md (section numbers cited below).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ValidationError } from '../errors.js';
import {
  AqlPageSchema,
  AssetObjectSchema,
  ConnectedTicketsSchema,
  GlobalConfigSchema,
  IconSchema,
  JiraFieldSchema,
  JiraIssueSchema,
  JiraSearchResultSchema,
  ObjectHistorySchema,
  ObjectSchemaPageSchema,
  ObjectSchemaSchema,
  ObjectTypeAttributeSchema,
  ObjectTypeSchema,
  ReferenceTypeSchema,
  StatusSchema,
  TotalCountSchema,
  UsageSchema,
  WorkspacePageSchema,
  type AqlPage,
  type AssetObject,
  type ConnectedTickets,
  type GlobalConfig,
  type Icon,
  type JiraField,
  type JiraIssue,
  type JiraIssueUpdate,
  type JiraSearchResult,
  type ObjectHistory,
  type ObjectIn,
  type ObjectSchema,
  type ObjectSchemaCreate,
  type ObjectSchemaUpdate,
  type ObjectType,
  type ObjectTypeAttribute,
  type ObjectTypeAttributeCreate,
  type ObjectTypeAttributeUpdate,
  type ObjectTypeCreate,
  type ObjectTypePosition,
  type ObjectTypeUpdate,
  type ReferenceType,
  type ReferenceTypeIn,
  type Status,
  type StatusTypeIn,
  type Usage,
} from '../model/index.js';
import {
  AmbiguousCreateError,
  AssetsApiError,
  AssetsNotFoundError,
  AssetsResponseError,
  AssetsTransportError,
  NoWorkspaceError,
  parseErrorBody,
} from './errors.js';
import { sitePacer, type EndpointBucket, type Pacer } from './pacer.js';
import { coerce, normaliseAssetsShapes, normalisePageFlags } from './parse.js';
import {
  abortReason,
  decideRetry,
  defaultSleep,
  retryPolicy,
  serverRetryDelayMs,
  type RetryCounters,
  type RetryDecision,
  type RetryPolicy,
  type Sleep,
} from './retry.js';
import type { AssetsTransport, HttpMethod, TransportRequest, TransportResponse } from './transport.js';

/** What the client reports for logs and metrics. Never carries credentials, bodies or AQL/JQL. */
export type ClientEvent =
  | {
      type: 'retry';
      bucket: EndpointBucket;
      method: HttpMethod;
      path: string;
      attempt: number;
      status?: number;
      errorCode?: string;
      delayMs: number;
      delaySource: 'server' | 'backoff';
    }
  | { type: 'throttled'; bucket: EndpointBucket; waitedMs: number }
  | {
      type: 'ambiguous_create';
      bucket: EndpointBucket;
      method: HttpMethod;
      path: string;
      attempt: number;
      found: boolean;
    };

/** Fields of the retry policy to change; the rest stay as in DEFAULT_RETRY_POLICY (retry.ts). */
export type RetryOptions = Partial<RetryPolicy>;

export interface AssetsClientOptions {
  transport: AssetsTransport;
  /** discovered lazily (and cached) when absent */
  workspaceId?: string;
  /** default: the in-process pacer shared by every client of transport.siteKey */
  pacer?: Pacer;
  /** rates for the default shared pacer when this client is the first of its site */
  ratePerMinute?: Partial<Record<EndpointBucket, number>>;
  concurrency?: number;
  retry?: RetryOptions;
  sleep?: Sleep;
  random?: () => number;
  now?: () => number;
  onEvent?: (e: ClientEvent) => void;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/** For creates: how to find the entity when the outcome of a create is unknown. */
export interface CreateOptions<T> extends CallOptions {
  /** called after a timeout/reset/5xx on a create; return the entity if the create happened */
  findExisting?: () => Promise<T | undefined>;
}

export interface PageOptions extends CallOptions {
  /** requested page size (`maxResults`); the server's echoed value wins */
  pageSize?: number;
  startAt?: number;
}

export interface AqlOptions extends PageOptions {
  /** default true */
  includeAttributes?: boolean;
}

export interface JiraSearchOptions extends CallOptions {
  jql: string;
  fields?: string[];
  pageSize?: number;
}

export interface AssetsClient {
  readonly siteKey: string;
  /** The workspace id: the configured one, or discovered once through the JSM API (§1.1). */
  getWorkspaceId(opts?: CallOptions): Promise<string>;

  listObjectSchemas(opts?: PageOptions & { includeCounts?: boolean }): AsyncIterable<ObjectSchema>;
  getObjectSchema(id: string, opts?: CallOptions): Promise<ObjectSchema>;
  createObjectSchema(body: ObjectSchemaCreate, opts?: CreateOptions<ObjectSchema>): Promise<ObjectSchema>;
  updateObjectSchema(id: string, body: ObjectSchemaUpdate, opts?: CallOptions): Promise<ObjectSchema>;
  /** true when deleted now, false when it was already gone (404) */
  deleteObjectSchema(id: string, opts?: CallOptions): Promise<boolean>;

  listObjectTypes(
    schemaId: string,
    opts?: CallOptions & { query?: string; exclude?: string; includeObjectCounts?: boolean },
  ): Promise<ObjectType[]>;
  getObjectType(id: string, opts?: CallOptions): Promise<ObjectType>;
  createObjectType(body: ObjectTypeCreate, opts?: CreateOptions<ObjectType>): Promise<ObjectType>;
  updateObjectType(id: string, body: ObjectTypeUpdate, opts?: CallOptions): Promise<ObjectType>;
  deleteObjectType(id: string, opts?: CallOptions): Promise<boolean>;
  setObjectTypePosition(id: string, body: ObjectTypePosition, opts?: CallOptions): Promise<ObjectType>;

  listSchemaAttributes(
    schemaId: string,
    opts?: CallOptions & { onlyValueEditable?: boolean; extended?: boolean; query?: string },
  ): Promise<ObjectTypeAttribute[]>;
  listObjectTypeAttributes(
    objectTypeId: string,
    opts?: CallOptions & {
      onlyValueEditable?: boolean;
      orderByName?: boolean;
      query?: string;
      includeValuesExist?: boolean;
      excludeParentAttributes?: boolean;
      includeChildren?: boolean;
      orderByRequired?: boolean;
    },
  ): Promise<ObjectTypeAttribute[]>;
  createAttribute(
    objectTypeId: string,
    body: ObjectTypeAttributeCreate,
    opts?: CreateOptions<ObjectTypeAttribute>,
  ): Promise<ObjectTypeAttribute>;
  updateAttribute(
    objectTypeId: string,
    attributeId: string,
    body: ObjectTypeAttributeUpdate,
    opts?: CallOptions,
  ): Promise<ObjectTypeAttribute>;
  deleteAttribute(attributeId: string, opts?: CallOptions): Promise<boolean>;

  listStatusTypes(opts?: CallOptions & { objectSchemaId?: string }): Promise<Status[]>;
  createStatusType(body: StatusTypeIn, opts?: CreateOptions<Status>): Promise<Status>;
  listReferenceTypes(opts?: CallOptions & { objectSchemaId?: string; includeAll?: boolean }): Promise<ReferenceType[]>;
  createReferenceType(body: ReferenceTypeIn, opts?: CreateOptions<ReferenceType>): Promise<ReferenceType>;

  listGlobalIcons(opts?: CallOptions): Promise<Icon[]>;
  getIcon(id: string, opts?: CallOptions): Promise<Icon>;
  getIconPng(id: string, size: 16 | 48, opts?: CallOptions): Promise<Uint8Array>;

  createObject(body: ObjectIn, opts?: CreateOptions<AssetObject>): Promise<AssetObject>;
  getObject(id: string, opts?: CallOptions): Promise<AssetObject>;
  updateObject(id: string, body: ObjectIn, opts?: CallOptions): Promise<AssetObject>;
  deleteObject(id: string, opts?: CallOptions): Promise<boolean>;
  /** AQL search, one page at a time (`POST /object/aql`, §3.5). */
  aqlPages(qlQuery: string, opts?: AqlOptions): AsyncIterable<AqlPage>;
  /** AQL search, one object at a time. */
  aqlObjects(qlQuery: string, opts?: AqlOptions): AsyncIterable<AssetObject>;
  aqlTotalCount(qlQuery: string, opts?: CallOptions): Promise<number>;
  getObjectHistory(objectId: string, opts?: CallOptions & { asc?: boolean }): Promise<ObjectHistory[]>;
  getConnectedTickets(objectId: string, opts?: CallOptions): Promise<ConnectedTickets>;

  getGlobalConfig(opts?: CallOptions): Promise<GlobalConfig>;
  getSchemaConfig(schemaId: string, opts?: CallOptions): Promise<GlobalConfig>;
  setSchemaConfig(schemaId: string, body: GlobalConfig, opts?: CallOptions): Promise<void>;
  getUsage(opts?: CallOptions): Promise<Usage>;

  listJiraFields(opts?: CallOptions): Promise<JiraField[]>;
  getIssue(issueIdOrKey: string, opts?: CallOptions & { fields?: string[] }): Promise<JiraIssue>;
  /** Enhanced JQL search (`POST /rest/api/3/search/jql`), following nextPageToken. */
  searchIssuePages(opts: JiraSearchOptions): AsyncIterable<JiraSearchResult>;
  searchIssues(opts: JiraSearchOptions): AsyncIterable<JiraIssue>;
  updateIssue(
    issueIdOrKey: string,
    body: JiraIssueUpdate,
    opts?: CallOptions & { notifyUsers?: boolean },
  ): Promise<void>;
}

// ---------------------------------------------------------------------------------------------

const ObjectTypeList = Type.Array(ObjectTypeSchema);
const AttributeList = Type.Array(ObjectTypeAttributeSchema);
const StatusList = Type.Array(StatusSchema);
const ReferenceTypeList = Type.Array(ReferenceTypeSchema);
const IconList = Type.Array(IconSchema);
const HistoryList = Type.Array(ObjectHistorySchema);
const JiraFieldList = Type.Array(JiraFieldSchema);

/** Validates an id before it goes into a path: Assets ids are decimal integers (§2.1). */
function idSegment(id: string | number, what: string): string {
  const s = String(id);
  if (!/^[0-9]+$/.test(s)) throw new ValidationError(`${what} must be a numeric id`, { code: 'invalid_id' });
  return s;
}

function issueSegment(idOrKey: string): string {
  if (!/^(?:[0-9]+|[A-Za-z][A-Za-z0-9_]*-[0-9]+)$/.test(idOrKey))
    throw new ValidationError('issue must be an issue id or key', { code: 'invalid_issue_key' });
  return idOrKey;
}

type Mode = 'read' | 'write' | 'create';

interface Call {
  method: HttpMethod;
  api: 'assets' | 'site';
  path: string;
  query?: TransportRequest['query'];
  body?: unknown;
  accept?: string;
  bucket: EndpointBucket;
  /** read and write are idempotent and retried freely; create never blindly */
  mode: Mode;
  signal?: AbortSignal | undefined;
}

/** The raw success answer: status and the body, read as text or bytes. */
interface RawSuccess {
  status: number;
  text: string;
  bytes: Uint8Array | undefined;
}

/** Creates a client; see AssetsClientOptions for pacing and retry settings. */
export function createAssetsClient(opts: AssetsClientOptions): AssetsClient {
  const { transport } = opts;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  const pacer: Pacer =
    opts.pacer ??
    sitePacer(transport.siteKey, {
      ...(opts.ratePerMinute === undefined ? {} : { ratePerMinute: opts.ratePerMinute }),
      ...(opts.concurrency === undefined ? {} : { concurrency: opts.concurrency }),
      now,
      sleep,
    });
  const policy = retryPolicy(opts.retry);

  const emit = (e: ClientEvent) => {
    if (opts.onEvent === undefined) return;
    try {
      opts.onEvent(e);
    } catch {
      /* a broken log sink must not break a backup */
    }
  };

  // -------------------------------------------------------------------------------------------
  // workspace

  let workspacePromise: Promise<string> | undefined =
    (opts.workspaceId ?? transport.workspaceId) === undefined
      ? undefined
      : Promise.resolve(opts.workspaceId ?? transport.workspaceId ?? '');

  async function discoverWorkspace(signal: AbortSignal | undefined): Promise<string> {
    const path = '/rest/servicedeskapi/assets/workspace';
    let raw: RawSuccess;
    try {
      raw = await send({
        method: 'GET',
        api: 'site',
        path,
        query: { start: 0, limit: 50 },
        bucket: 'default',
        mode: 'read',
        signal,
      });
    } catch (err) {
      if (err instanceof AssetsNotFoundError) throw new NoWorkspaceError(undefined, { cause: err });
      throw err;
    }
    const page = parseJson(raw, WorkspacePageSchema, 'GET', path);
    const first = page.values[0]?.workspaceId;
    if (first === undefined || first === '') throw new NoWorkspaceError();
    return first;
  }

  function getWorkspaceId(callOpts?: CallOptions): Promise<string> {
    if (workspacePromise === undefined) {
      const p = discoverWorkspace(callOpts?.signal);
      workspacePromise = p;
      p.catch(() => {
        if (workspacePromise === p) workspacePromise = undefined;
      });
    }
    return workspacePromise;
  }

  // -------------------------------------------------------------------------------------------
  // one request with pacing and retries

  function apiError(
    call: Call,
    res: TransportResponse,
    text: string,
    attempts: number,
    retryAfterMs: number | undefined,
  ): AssetsApiError {
    const init = {
      method: call.method,
      path: call.path,
      status: res.status,
      attempts,
      body: parseErrorBody(text, res.headers.get('content-type')),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
    return res.status === 404 ? new AssetsNotFoundError(init) : new AssetsApiError(init);
  }

  /** One attempt: waits for the pacer, sends, and reads the whole body (so the connection is reused). */
  async function attempt(
    call: Call,
    workspaceId: string | undefined,
  ): Promise<
    { res: TransportResponse; text: string; bytes: Uint8Array | undefined } | { failure: AssetsTransportError }
  > {
    const { signal } = call;
    const waitStart = now();
    const permit = await pacer.acquire(call.bucket, signal);
    const waitedMs = now() - waitStart;
    if (waitedMs > 0) emit({ type: 'throttled', bucket: call.bucket, waitedMs });
    try {
      const res = await transport.request({
        method: call.method,
        api: call.api,
        path: call.path,
        ...(call.query === undefined ? {} : { query: call.query }),
        ...(call.body === undefined ? {} : { body: call.body }),
        ...(call.accept === undefined ? {} : { accept: call.accept }),
        ...(signal === undefined ? {} : { signal }),
        ...(workspaceId === undefined ? {} : { workspaceId }),
      });
      const wantBytes = res.status >= 200 && res.status < 300 && call.accept?.startsWith('image/') === true;
      return wantBytes
        ? { res, text: '', bytes: new Uint8Array(await res.arrayBuffer()) }
        : { res, text: await res.text(), bytes: undefined };
    } catch (err) {
      if (signal?.aborted) throw abortReason(signal);
      if (!(err instanceof AssetsTransportError)) throw err;
      return { failure: err };
    } finally {
      permit.release();
    }
  }

  /**
   * Sends `call` until it succeeds or the retry policy says to stop. For a create whose outcome is
   * unknown (timeout, reset, 5xx after sending) it asks `findExisting`: a found entity is returned
   * as `{ found }` and the create is not sent again; nothing found means it did not happen, so resend.
   */
  async function execute<T>(
    call: Call,
    findExisting?: () => Promise<T | undefined>,
  ): Promise<{ raw: RawSuccess } | { found: T }> {
    const { signal } = call;
    const workspaceId =
      call.api === 'assets' ? await getWorkspaceId(signal === undefined ? undefined : { signal }) : undefined;
    const counters: RetryCounters = { failures: 0, throttles: 0, conflicts: 0 };
    let sent = 0;
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      sent++;
      const outcome = await attempt(call, workspaceId);
      let failure: Error;
      let decision: RetryDecision;
      if ('failure' in outcome) {
        failure = outcome.failure;
        decision = decideRetry(
          policy,
          counters,
          call.mode,
          { kind: 'transport', mayHaveReachedServer: outcome.failure.mayHaveReachedServer },
          random,
        );
      } else {
        const { res, text, bytes } = outcome;
        if (res.status >= 200 && res.status < 300) return { raw: { status: res.status, text, bytes } };
        const serverDelayMs = serverRetryDelayMs(res.headers, now());
        if (serverDelayMs !== undefined && policy.penalizeStatuses.includes(res.status))
          pacer.penalize?.(call.bucket, serverDelayMs);
        failure = apiError(call, res, text, sent, serverDelayMs);
        decision = decideRetry(
          policy,
          counters,
          call.mode,
          { kind: 'status', status: res.status, serverDelayMs },
          random,
        );
      }

      if (decision.action === 'fail') throw failure;
      if (decision.action === 'retry') {
        emit({
          type: 'retry',
          bucket: call.bucket,
          method: call.method,
          path: call.path,
          attempt: decision.attempt,
          ...('res' in outcome
            ? { status: outcome.res.status }
            : outcome.failure.errorCode === undefined
              ? {}
              : { errorCode: outcome.failure.errorCode }),
          delayMs: decision.delayMs,
          delaySource: decision.delaySource,
        });
        await sleep(decision.delayMs, signal);
        continue;
      }
      if (findExisting === undefined) throw new AmbiguousCreateError(call.method, call.path, failure);
      await sleep(decision.delayMs, signal);
      const found = await findExisting();
      emit({
        type: 'ambiguous_create',
        bucket: call.bucket,
        method: call.method,
        path: call.path,
        attempt: decision.attempt,
        found: found !== undefined,
      });
      if (found !== undefined) return { found };
      if (decision.lastAttempt) throw failure;
    }
  }

  /** Runs a call that is not a create and returns its success body. */
  async function send(call: Call): Promise<RawSuccess> {
    const result = await execute<never>(call);
    if ('raw' in result) return result.raw;
    throw new Error('unreachable: only creates resolve through findExisting');
  }

  function parseJson<S extends TSchema>(
    raw: RawSuccess,
    schema: S,
    method: HttpMethod,
    path: string,
    prepare?: (v: unknown) => void,
  ): Static<S> {
    let value: unknown;
    try {
      value = JSON.parse(raw.text);
    } catch (err) {
      throw new AssetsResponseError(
        method,
        path,
        [{ path: '', message: `body is not JSON (status ${raw.status}, ${raw.text.length} chars)` }],
        err,
      );
    }
    prepare?.(value);
    return coerce(schema, value, { method, path });
  }

  /** GET/PUT/POST returning one JSON body of `schema`. */
  async function json<S extends TSchema>(
    call: Call,
    schema: S,
    prepare: ((v: unknown) => void) | undefined = normaliseAssetsShapes,
  ): Promise<Static<S>> {
    const raw = await send(call);
    return parseJson(raw, schema, call.method, call.path, prepare);
  }

  /** A create: never resent blindly (see execute). */
  async function create<S extends TSchema>(
    call: Call,
    schema: S,
    createOpts: CreateOptions<Static<S>> | undefined,
  ): Promise<Static<S>> {
    const result = await execute<Static<S>>(call, createOpts?.findExisting);
    if ('found' in result) return result.found;
    return parseJson(result.raw, schema, call.method, call.path, normaliseAssetsShapes);
  }

  /** A call whose answer body does not matter (DELETE, config writes, issue updates). */
  async function empty(call: Call): Promise<void> {
    await send(call);
  }

  /** DELETE: 404 means already gone, which is what the caller wanted. */
  async function del(call: Call): Promise<boolean> {
    try {
      await send(call);
      return true;
    } catch (err) {
      if (err instanceof AssetsNotFoundError) return false;
      throw err;
    }
  }

  const sig = (o: CallOptions | undefined) => o?.signal;

  // -------------------------------------------------------------------------------------------
  // paging (§2.2): advance by what was received, stop on isLast or a short page, never on `total`

  async function* assetsPages<P extends { values: unknown[]; maxResults: number; isLast: boolean }>(
    makeCall: (startAt: number, maxResults: number) => Call,
    schema: TSchema,
    pageOpts: PageOptions | undefined,
  ): AsyncGenerator<P> {
    const pageSize = pageOpts?.pageSize ?? 100;
    if (!Number.isInteger(pageSize) || pageSize < 1) throw new ValidationError('pageSize must be a positive integer');
    let startAt = pageOpts?.startAt ?? 0;
    for (;;) {
      const call = makeCall(startAt, pageSize);
      const page = (await json(call, schema, (v) => {
        normalisePageFlags(v);
        normaliseAssetsShapes(v);
      })) as P;
      const received = page.values.length;
      yield page;
      const echoed = page.maxResults > 0 ? page.maxResults : pageSize;
      if (page.isLast || received === 0 || received < echoed) return;
      startAt += received;
    }
  }

  // -------------------------------------------------------------------------------------------

  const client: AssetsClient = {
    siteKey: transport.siteKey,
    getWorkspaceId,

    async *listObjectSchemas(o) {
      const pages = assetsPages<Static<typeof ObjectSchemaPageSchema>>(
        (startAt, maxResults) => ({
          method: 'GET',
          api: 'assets',
          path: '/objectschema/list',
          bucket: 'default',
          mode: 'read',
          signal: sig(o),
          query: { startAt, maxResults, includeCounts: o?.includeCounts ?? true },
        }),
        ObjectSchemaPageSchema,
        o,
      );
      for await (const page of pages) yield* page.values;
    },
    getObjectSchema: async (id, o) =>
      json(
        {
          method: 'GET',
          api: 'assets',
          path: `/objectschema/${idSegment(id, 'schema id')}`,
          bucket: 'default',
          mode: 'read',
          signal: sig(o),
        },
        ObjectSchemaSchema,
      ),
    createObjectSchema: async (body, o) =>
      create(
        {
          method: 'POST',
          api: 'assets',
          path: '/objectschema/create',
          body,
          bucket: 'default',
          mode: 'create',
          signal: sig(o),
        },
        ObjectSchemaSchema,
        o,
      ),
    updateObjectSchema: async (id, body, o) =>
      json(
        {
          method: 'PUT',
          api: 'assets',
          path: `/objectschema/${idSegment(id, 'schema id')}`,
          body,
          bucket: 'default',
          mode: 'write',
          signal: sig(o),
        },
        ObjectSchemaSchema,
      ),
    deleteObjectSchema: async (id, o) =>
      del({
        method: 'DELETE',
        api: 'assets',
        path: `/objectschema/${idSegment(id, 'schema id')}`,
        bucket: 'default',
        mode: 'write',
        signal: sig(o),
      }),

    listObjectTypes: async (schemaId, o) =>
      json(
        {
          method: 'GET',
          api: 'assets',
          path: `/objectschema/${idSegment(schemaId, 'schema id')}/objecttypes/flat`,
          bucket: 'default',
          mode: 'read',
          signal: sig(o),
          query: { query: o?.query, exclude: o?.exclude, includeObjectCounts: o?.includeObjectCounts },
        },
        ObjectTypeList,
      ),
    getObjectType: async (id, o) =>
      json(
        {
          method: 'GET',
          api: 'assets',
          path: `/objecttype/${idSegment(id, 'object type id')}`,
          bucket: 'default',
          mode: 'read',
          signal: sig(o),
        },
        ObjectTypeSchema,
      ),
    createObjectType: async (body, o) =>
      create(
        {
          method: 'POST',
          api: 'assets',
          path: '/objecttype/create',
          body,
          bucket: 'default',
          mode: 'create',
          signal: sig(o),
        },
        ObjectTypeSchema,
        o,
      ),
    updateObjectType: async (id, body, o) =>
      json(
        {
          method: 'PUT',
          api: 'assets',
          path: `/objecttype/${idSegment(id, 'object type id')}`,
          body,
          bucket: 'default',
          mode: 'write',
          signal: sig(o),
        },
        ObjectTypeSchema,
      ),
    deleteObjectType: async (id, o) =>
      del({
        method: 'DELETE',
        api: 'assets',
        path: `/objecttype/${idSegment(id, 'object type id')}`,
        bucket: 'default',
        mode: 'write',
        signal: sig(o),
      }),
    setObjectTypePosition: async (id, body, o) =>
      json(
        {
          method: 'POST',
          api: 'assets',
          path: `/objecttype/${idSegment(id, 'object type id')}/position`,
          body,
          bucket: 'default',
          mode: 'write',
          signal: sig(o),
        },
        ObjectTypeSchema,
      ),

    listSchemaAttributes: async (schemaId, o) =>
      json(
        {
          method: 'GET',
          api: 'assets',
          path: `/objectschema/${idSegment(schemaId, 'schema id')}/attributes`,
          bucket: 'default',
          mode: 'read',
          signal: sig(o),
          query: { onlyValueEditable: o?.onlyValueEditable, extended: o?.extended, query: o?.query },
        },
        AttributeList,
      ),
    listObjectTypeAttributes: async (objectTypeId, o) =>
      json(
        {
          method: 'GET',
          api: 'assets',
          path: `/objecttype/${idSegment(objectTypeId, 'object type id')}/attributes`,
          bucket: 'objecttype.attributes',
          mode: 'read',
          signal: sig(o),
          query: {
            onlyValueEditable: o?.onlyValueEditable,
            orderByName: o?.orderByName,
            query: o?.query,
            includeValuesExist: o?.includeValuesExist,
            excludeParentAttributes: o?.excludeParentAttributes,
            includeChildren: o?.includeChildren,
            orderByRequired: o?.orderByRequired,
          },
        },
        AttributeList,
      ),
    createAttribute: async (objectTypeId, body, o) =>
      create(
        {
          method: 'POST',
          api: 'assets',
          path: `/objecttypeattribute/${idSegment(objectTypeId, 'object type id')}`,
          body,
          bucket: 'default',
          mode: 'create',
          signal: sig(o),
        },
        ObjectTypeAttributeSchema,
        o,
      ),
    updateAttribute: async (objectTypeId, attributeId, body, o) =>
      json(
        {
          method: 'PUT',
          api: 'assets',
          path: `/objecttypeattribute/${idSegment(objectTypeId, 'object type id')}/${idSegment(attributeId, 'attribute id')}`,
          body,
          bucket: 'default',
          mode: 'write',
          signal: sig(o),
        },
        ObjectTypeAttributeSchema,
      ),
    deleteAttribute: async (attributeId, o) =>
      del({
        method: 'DELETE',
        api: 'assets',
        path: `/objecttypeattribute/${idSegment(attributeId, 'attribute id')}`,
        bucket: 'default',
        mode: 'write',
        signal: sig(o),
      }),

    listStatusTypes: async (o) =>
      json(
        {
          method: 'GET',
          api: 'assets',
          path: '/config/statustype',
          bucket: 'default',
          mode: 'read',
          signal: sig(o),
          query: {
            objectSchemaId: o?.objectSchemaId === undefined ? undefined : idSegment(o.objectSchemaId, 'schema id'),
          },
        },
        StatusList,
      ),
    createStatusType: async (body, o) =>
      create(
        {
          method: 'POST',
          api: 'assets',
          path: '/config/statustype',
          body,
          bucket: 'default',
          mode: 'create',
          signal: sig(o),
        },
        StatusSchema,
        o,
      ),
    listReferenceTypes: async (o) =>
      json(
        {
          method: 'GET',
          api: 'assets',
          path: '/config/referencetype',
          bucket: 'default',
          mode: 'read',
          signal: sig(o),
          query: {
            objectSchemaId: o?.objectSchemaId === undefined ? undefined : idSegment(o.objectSchemaId, 'schema id'),
            includeAll: o?.includeAll,
          },
        },
        ReferenceTypeList,
      ),
    createReferenceType: async (body, o) =>
      create(
        {
          method: 'POST',
          api: 'assets',
          path: '/config/referencetype',
          body,
          bucket: 'default',
          mode: 'create',
          signal: sig(o),
        },
        ReferenceTypeSchema,
        o,
      ),

    listGlobalIcons: async (o) =>
      json(
        { method: 'GET', api: 'assets', path: '/icon/global', bucket: 'default', mode: 'read', signal: sig(o) },
        IconList,
      ),
    getIcon: async (id, o) =>
      json(
        {
          method: 'GET',
          api: 'assets',
          path: `/icon/${idSegment(id, 'icon id')}`,
          bucket: 'default',
          mode: 'read',
          signal: sig(o),
        },
        IconSchema,
      ),
    async getIconPng(id, size, o) {
      const raw = await send({
        method: 'GET',
        api: 'assets',
        path: `/icon/${idSegment(id, 'icon id')}/icon.png`,
        query: { size },
        accept: 'image/png',
        bucket: 'default',
        mode: 'read',
        signal: sig(o),
      });
      return raw.bytes ?? new Uint8Array();
    },

    createObject: async (body, o) =>
      create(
        {
          method: 'POST',
          api: 'assets',
          path: '/object/create',
          body,
          bucket: 'object.create',
          mode: 'create',
          signal: sig(o),
        },
        AssetObjectSchema,
        o,
      ),
    getObject: async (id, o) =>
      json(
        {
          method: 'GET',
          api: 'assets',
          path: `/object/${idSegment(id, 'object id')}`,
          bucket: 'object.get',
          mode: 'read',
          signal: sig(o),
        },
        AssetObjectSchema,
      ),
    updateObject: async (id, body, o) =>
      json(
        {
          method: 'PUT',
          api: 'assets',
          path: `/object/${idSegment(id, 'object id')}`,
          body,
          bucket: 'object.update',
          mode: 'write',
          signal: sig(o),
        },
        AssetObjectSchema,
      ),
    deleteObject: async (id, o) =>
      del({
        method: 'DELETE',
        api: 'assets',
        path: `/object/${idSegment(id, 'object id')}`,
        bucket: 'object.delete',
        mode: 'write',
        signal: sig(o),
      }),

    async *aqlPages(qlQuery, o) {
      yield* assetsPages<AqlPage>(
        (startAt, maxResults) => ({
          method: 'POST',
          api: 'assets',
          path: '/object/aql',
          body: { qlQuery },
          bucket: 'object.aql',
          mode: 'read',
          signal: sig(o),
          query: { startAt, maxResults, includeAttributes: o?.includeAttributes ?? true },
        }),
        AqlPageSchema,
        o,
      );
    },
    async *aqlObjects(qlQuery, o) {
      for await (const page of client.aqlPages(qlQuery, o)) yield* page.values;
    },
    async aqlTotalCount(qlQuery, o) {
      const res = await json(
        {
          method: 'POST',
          api: 'assets',
          path: '/object/aql/totalcount',
          body: { qlQuery },
          bucket: 'object.aql.totalcount',
          mode: 'read',
          signal: sig(o),
        },
        TotalCountSchema,
      );
      return res.totalCount;
    },
    getObjectHistory: async (objectId, o) =>
      json(
        {
          method: 'GET',
          api: 'assets',
          path: `/object/${idSegment(objectId, 'object id')}/history`,
          bucket: 'object.history',
          mode: 'read',
          signal: sig(o),
          query: { asc: o?.asc },
        },
        HistoryList,
      ),
    getConnectedTickets: async (objectId, o) =>
      json(
        {
          method: 'GET',
          api: 'assets',
          path: `/objectconnectedtickets/${idSegment(objectId, 'object id')}/tickets`,
          bucket: 'objectconnectedtickets',
          mode: 'read',
          signal: sig(o),
        },
        ConnectedTicketsSchema,
      ),

    getGlobalConfig: async (o) =>
      json(
        { method: 'GET', api: 'assets', path: '/global/config', bucket: 'default', mode: 'read', signal: sig(o) },
        GlobalConfigSchema,
      ),
    getSchemaConfig: async (schemaId, o) =>
      json(
        {
          method: 'GET',
          api: 'assets',
          path: `/global/config/objectschema/${idSegment(schemaId, 'schema id')}`,
          bucket: 'default',
          mode: 'read',
          signal: sig(o),
        },
        GlobalConfigSchema,
      ),
    setSchemaConfig: async (schemaId, body, o) =>
      empty({
        method: 'POST',
        api: 'assets',
        path: `/global/config/objectschema/${idSegment(schemaId, 'schema id')}/property`,
        body,
        bucket: 'default',
        mode: 'write',
        signal: sig(o),
      }),
    getUsage: async (o) =>
      json(
        { method: 'GET', api: 'assets', path: '/usage', bucket: 'default', mode: 'read', signal: sig(o) },
        UsageSchema,
      ),

    listJiraFields: async (o) =>
      json(
        { method: 'GET', api: 'site', path: '/rest/api/3/field', bucket: 'default', mode: 'read', signal: sig(o) },
        JiraFieldList,
        undefined,
      ),
    getIssue: async (key, o) =>
      json(
        {
          method: 'GET',
          api: 'site',
          path: `/rest/api/3/issue/${issueSegment(key)}`,
          bucket: 'jira.issue',
          mode: 'read',
          signal: sig(o),
          query: { fields: o?.fields?.join(',') },
        },
        JiraIssueSchema,
        undefined,
      ),
    async *searchIssuePages(o) {
      let token: string | undefined;
      for (;;) {
        const body = {
          jql: o.jql,
          ...(o.fields === undefined ? {} : { fields: o.fields }),
          maxResults: o.pageSize ?? 100,
          ...(token === undefined ? {} : { nextPageToken: token }),
        };
        const page = await json(
          {
            method: 'POST',
            api: 'site',
            path: '/rest/api/3/search/jql',
            body,
            bucket: 'jira.search',
            mode: 'read',
            signal: o.signal,
          },
          JiraSearchResultSchema,
          undefined,
        );
        yield page;
        const next = page.nextPageToken;
        if (page.isLast === true || next === undefined || next === '') return;
        // the same token again would loop forever
        if (next === token)
          throw new AssetsResponseError('POST', '/rest/api/3/search/jql', [
            { path: '/nextPageToken', message: 'did not advance' },
          ]);
        token = next;
      }
    },
    async *searchIssues(o) {
      for await (const page of client.searchIssuePages(o)) yield* page.issues;
    },
    updateIssue: async (key, body, o) =>
      empty({
        method: 'PUT',
        api: 'site',
        path: `/rest/api/3/issue/${issueSegment(key)}`,
        body,
        bucket: 'jira.issue.write',
        mode: 'write',
        signal: sig(o),
        query: { notifyUsers: o?.notifyUsers },
      }),
  };
  return client;
}
