/**
 * The emulator's HTTP server: one Fastify instance hosting every site under the binding URL layout
 * (architecture brief): `/sites/<name>/…` is the Jira site, `/gateway/…` the api.atlassian.com
 * analogue, `/__emulator/…` the controls. Per request: resolve the site, count, authenticate,
 * apply the traffic knobs (reset / 503 / 500 / 429), add latency, then run the route.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { EmulatorHttpError } from './errors.js';
import { params, sendError, setContext } from './http.js';
import { solidPng } from './png.js';
import { EmulatorSite } from './site.js';
import type { EmulatorKnobs, EndpointBucket } from './types.js';
import { schemaRoutes } from './routes/assets-schema.js';
import { objectRoutes } from './routes/assets-objects.js';
import { configRoutes } from './routes/assets-config.js';
import { jiraRoutes } from './routes/jira.js';
import { adminRoutes } from './routes/admin.js';

const ASSETS_PREFIXES = [
  '/sites/:site/jsm/assets/workspace/:ws/v1',
  '/sites/:site/gateway/api/jsm/assets/workspace/:ws/v1',
  '/gateway/jsm/assets/workspace/:ws/v1',
  '/gateway/ex/jira/:cloudId/jsm/assets/workspace/:ws/v1',
];
const JIRA_PREFIXES = ['/sites/:site/rest', '/gateway/ex/jira/:cloudId/rest'];

/** Maps a route (path below `/v1` or `/rest`) to its rate-limit bucket (§7.2). */
export function bucketFor(method: string, route: string): EndpointBucket {
  const key = `${method} ${route}`;
  switch (key) {
    case 'GET /object/:id':
    case 'GET /object/:id/attributes':
    case 'GET /object/:id/referenceinfo':
      return 'object.get';
    case 'POST /object/create':
      return 'object.create';
    case 'PUT /object/:id':
      return 'object.update';
    case 'DELETE /object/:id':
      return 'object.delete';
    case 'POST /object/aql':
    case 'POST /object/navlist/aql':
      return 'object.aql';
    case 'POST /object/aql/totalcount':
      return 'object.aql.totalcount';
    case 'GET /objecttype/:id/attributes':
      return 'objecttype.attributes';
    case 'GET /object/:id/history':
      return 'object.history';
    case 'GET /objectconnectedtickets/:id/tickets':
      return 'objectconnectedtickets';
    case 'POST /api/3/search/jql':
    case 'GET /api/3/search/jql':
      return 'jira.search';
    case 'GET /api/3/issue/:key':
    case 'GET /api/3/field':
      return 'jira.issue';
    case 'PUT /api/3/issue/:key':
      return 'jira.issue.write';
    default:
      return 'default';
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a),
    y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const INJECTED_ERROR_MESSAGES = {
  401: 'Unauthorized; scope does not match',
  403: 'You do not have permission to access this resource',
  500: 'Internal server error',
} as const;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface EmulatorOptions {
  host?: string;
  port?: number;
  knobs?: EmulatorKnobs;
  /** makes site ids and credentials stable across runs (e.g. the CLI's --seed) */
  seed?: string;
}

export class Emulator {
  readonly app: FastifyInstance;
  url = '';
  private readonly sitesByName = new Map<string, EmulatorSite>();
  private readonly defaultKnobs: EmulatorKnobs;
  private readonly seed: string | undefined;
  private siteCounter = 0;

  constructor(opts: EmulatorOptions = {}) {
    this.defaultKnobs = { ...(opts.knobs ?? {}) };
    this.seed = opts.seed;
    this.app = Fastify({
      logger: false,
      bodyLimit: 50 * 1024 * 1024,
      forceCloseConnections: true,
      keepAliveTimeout: 5000,
    });
    this.configure();
  }

  private configure(): void {
    const app = this.app;
    // Empty JSON bodies are normal on DELETE and some POSTs; bad JSON is a Jira-style 400.
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') return done(null, undefined);
      try {
        done(null, JSON.parse(text));
      } catch {
        done(new EmulatorHttpError(400, { errorMessages: ['Unexpected character in JSON body'] }), undefined);
      }
    });
    app.setErrorHandler((err: unknown, req, reply) => {
      if (err instanceof EmulatorHttpError)
        return sendError(reply, err.statusCode, err.body, this.errorStyle(req, err.statusCode));
      const status =
        typeof (err as { statusCode?: unknown }).statusCode === 'number'
          ? (err as { statusCode: number }).statusCode
          : 500;
      if (status < 500) return sendError(reply, status, { errorMessages: [(err as Error).message], errors: {} });
      return sendError(reply, 500, { errorMessages: ['Internal server error'], errors: {} });
    });
    app.setNotFoundHandler((req, reply) =>
      sendError(reply, 404, { errorMessages: [`No route for ${req.method} ${req.url.split('?')[0]}`], errors: {} }),
    );

    for (const prefix of ASSETS_PREFIXES) {
      void app.register(
        async (scope) => {
          scope.addHook('onRequest', (req, reply) => this.siteGate(req, reply));
          schemaRoutes(scope);
          objectRoutes(scope);
          configRoutes(scope);
        },
        { prefix },
      );
    }
    for (const prefix of JIRA_PREFIXES) {
      void app.register(
        async (scope) => {
          scope.addHook('onRequest', (req, reply) => this.siteGate(req, reply));
          jiraRoutes(scope);
        },
        { prefix },
      );
    }
    app.get('/sites/:site/_edge/tenant_info', async (req) => {
      const site = this.sitesByName.get(params(req).site ?? '');
      if (!site) throw new EmulatorHttpError(404, { errorMessages: ['Site not found'] });
      return { cloudId: site.info.cloudId };
    });
    // OAuth 2.0 (3LO): which sites a bearer token reaches; the cloudId for /ex/jira/{cloudId}/…
    app.get('/gateway/oauth/token/accessible-resources', async (req, reply) => {
      const header = req.headers.authorization ?? '';
      const sites = [...this.sitesByName.values()].filter(
        (s) => header.toLowerCase().startsWith('bearer ') && safeEqual(header.slice(7), s.info.bearerToken),
      );
      if (sites.length === 0) return sendError(reply, 401, { errorMessages: ['Unauthorized'], errors: {} });
      return sites.map((s) => ({
        id: s.info.cloudId,
        url: s.info.siteUrl,
        name: s.info.name,
        scopes: [
          'read:cmdb-object:jira',
          'write:cmdb-object:jira',
          'read:cmdb-schema:jira',
          'read:cmdb-type:jira',
          'read:cmdb-attribute:jira',
          'read:servicedesk-request',
        ],
        avatarUrl: `${s.info.siteUrl}/favicon.png`,
      }));
    });
    app.get('/sites/:site/media/file/:fileId/image', async (req, reply) => {
      // target of mediaClientConfig: enough for a client that follows it to get an image
      const site = this.sitesByName.get(params(req).site ?? '');
      const avatar = site?.data.avatarByFileId(params(req).fileId ?? '');
      if (!avatar) throw new EmulatorHttpError(404, { errorMessages: ['File not found'] });
      return reply.type('image/png').send(solidPng(avatar.colour, 288));
    });
    void app.register(
      adminRoutes({
        sites: () => [...this.sitesByName.values()],
        site: (name) => this.sitesByName.get(name),
        createSite: (o) => this.createSite(o),
        reset: () => this.reset(),
      }),
      { prefix: '/__emulator' },
    );
  }

  private errorStyle(req: FastifyRequest, status: number) {
    if (status === 400) return 'jira';
    const site = this.siteOf(req);
    return site?.knobs().errorBodyStyle ?? 'jira';
  }

  private siteOf(req: FastifyRequest): EmulatorSite | undefined {
    const p = params(req);
    if (p.site !== undefined) return this.sitesByName.get(p.site);
    if (p.cloudId !== undefined) return [...this.sitesByName.values()].find((s) => s.info.cloudId === p.cloudId);
    if (p.ws !== undefined) return [...this.sitesByName.values()].find((s) => s.info.workspaceId === p.ws);
    return undefined;
  }

  /** onRequest gate of every site route. */
  private async siteGate(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const p = params(req);
    const site = this.siteOf(req);
    if (!site || (p.ws !== undefined && p.ws !== site.info.workspaceId)) {
      throw new EmulatorHttpError(404, {
        errorMessages: [p.ws !== undefined ? `Workspace ${p.ws} not found` : 'Site not found'],
      });
    }
    const pattern = req.routeOptions.url ?? '';
    const cut = pattern.search(/\/v1\/|\/rest\//);
    const route = cut >= 0 ? pattern.slice(pattern.indexOf('/', cut + 1)) : pattern;
    const bucket = bucketFor(req.method, route);
    site.traffic.count(bucket, `${req.method} ${route}`);
    const knobs = site.traffic.knobs;
    const style = knobs.errorBodyStyle ?? 'jira';

    if (!this.authenticated(site, req.headers.authorization)) {
      site.traffic.counters.status401++;
      return sendError(
        reply,
        401,
        { errorMessages: ['Client must be authenticated to access this resource.'], errors: {} },
        style,
        { 'www-authenticate': 'Basic realm="emulator"' },
      );
    }
    if (knobs.forceAuthError) {
      const s = knobs.forceAuthError;
      if (s === 401) site.traffic.counters.status401++;
      return sendError(reply, s, { errorMessages: [INJECTED_ERROR_MESSAGES[s]], errors: {} }, style);
    }
    const decision = site.traffic.decide(bucket);
    if (decision.kind === 'reset') {
      reply.hijack();
      req.raw.socket.destroy();
      return reply;
    }
    if (decision.kind === 'status') {
      const msg =
        decision.status === 429
          ? 'Rate limit exceeded'
          : decision.status === 503
            ? 'Service unavailable'
            : 'Internal server error';
      return sendError(reply, decision.status, { errorMessages: [msg], errors: {} }, style, decision.headers);
    }
    const historyError = route === '/object/:id/history' ? knobs.historyErrors?.[p.id ?? ''] : undefined;
    if (historyError !== undefined) {
      if (historyError === 401) site.traffic.counters.status401++;
      if (historyError === 500) site.traffic.counters.status500++;
      return sendError(
        reply,
        historyError,
        { errorMessages: [INJECTED_ERROR_MESSAGES[historyError]], errors: {} },
        style,
      );
    }
    if (knobs.latencyMs && knobs.latencyMs > 0) await sleep(knobs.latencyMs);
    const assetsBase = this.assetsBaseOf(req, site);
    setContext(req, { site, renderer: site.renderer(assetsBase), bucket });
    return undefined;
  }

  private assetsBaseOf(req: FastifyRequest, site: EmulatorSite): string {
    const path = req.url.split('?')[0] ?? '';
    const at = path.indexOf('/v1/');
    if (at < 0) return site.assetsBase;
    return `${this.url}${path.slice(0, at + 3)}`;
  }

  private authenticated(site: EmulatorSite, header: string | undefined): boolean {
    if (!header) return false;
    const [scheme, value] = header.split(' ', 2);
    if (!value) return false;
    if (scheme?.toLowerCase() === 'bearer') return safeEqual(value, site.info.bearerToken);
    if (scheme?.toLowerCase() !== 'basic') return false;
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const email = decoded.slice(0, colon),
      token = decoded.slice(colon + 1);
    return email.toLowerCase() === site.info.email.toLowerCase() && safeEqual(token, site.info.apiToken);
  }

  async listen(host = '127.0.0.1', port = 0): Promise<string> {
    await this.app.listen({ host, port });
    const addr = this.app.server.address();
    if (!addr || typeof addr === 'string') throw new Error('emulator did not bind a TCP port');
    const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    this.url = `http://${shownHost}:${addr.port}`;
    return this.url;
  }

  /** Creates a site; names default to site1, site2, … */
  createSite(opts: { name?: string; knobs?: EmulatorKnobs; seed?: string } = {}): EmulatorSite {
    if (!this.url) throw new Error('start the emulator before creating sites');
    let name = opts.name;
    if (name === undefined) {
      do name = `site${++this.siteCounter}`;
      while (this.sitesByName.has(name));
    }
    if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(name)) throw new Error(`invalid site name ${name}`);
    if (this.sitesByName.has(name)) throw new Error(`site ${name} already exists`);
    const seed = opts.seed ?? this.seed;
    const site = new EmulatorSite(
      name,
      this.url,
      { ...this.defaultKnobs, ...(opts.knobs ?? {}) },
      seed !== undefined ? { seed } : {},
    );
    this.sitesByName.set(name, site);
    return site;
  }

  site(name: string): EmulatorSite {
    const s = this.sitesByName.get(name);
    if (!s) throw new Error(`no emulated site named ${name}`);
    return s;
  }

  sites(): EmulatorSite[] {
    return [...this.sitesByName.values()];
  }

  /** Drops every site (their URLs start answering 404). */
  reset(): void {
    this.sitesByName.clear();
    this.siteCounter = 0;
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}
