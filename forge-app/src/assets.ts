/**
 * The shared Assets client on top of Forge's `requestJira` (as the app, so it also works in queue
 * consumers and scheduled triggers, which have no user).
 */
import api, { assumeTrustedRoute } from '@forge/api';
import {
  createAssetsClient,
  createRequestJiraTransport,
  defaultRatesPerMinute,
  type AssetsClient,
  type RequestJiraInit,
  type RequestJiraResponse,
} from '@assets-vault/shared/assets-client';
import { AppError } from '@assets-vault/shared/errors';
import { ConfigurationError } from './config';
import type { SchemaMeta, Tenant } from './store';

// The client validates ids before they enter a path; this is the second fence before
// `assumeTrustedRoute` skips the `route` tag's own checks: only the two API families the client
// calls, no traversal, no fragment, and a query string that is already encoded.
const ALLOWED_PATH =
  /^\/(jsm\/assets\/workspace\/[A-Za-z0-9-]+\/v1\/|rest\/servicedeskapi\/assets\/workspace|rest\/api\/3\/)[A-Za-z0-9/_.~-]*(\?[A-Za-z0-9%&=_.~+*,:-]*)?$/;
const MAX_REDIRECTS = 3;

export class UnsafeRouteError extends AppError {
  override name = 'UnsafeRouteError';
  constructor() {
    super('unsafe_route', 'Refused to call Jira with an unexpected path', 500);
  }
}

function checkedRoute(path: string) {
  if (!ALLOWED_PATH.test(path) || path.includes('..')) throw new UnsafeRouteError();
  return assumeTrustedRoute(path);
}

/**
 * `requestJira` for the shared transport. Assets answers some calls with redirects that Forge does
 * not follow correctly (forge.md §3.2), so redirects are followed here, same host only.
 */
async function requestJiraAsApp(path: string, init: RequestJiraInit): Promise<RequestJiraResponse> {
  let current = path;
  for (let hop = 0; ; hop++) {
    const response = await api.asApp().requestJira(checkedRoute(current), {
      method: init.method,
      headers: init.headers,
      ...(init.body === undefined ? {} : { body: init.body }),
      ...(init.signal === undefined ? {} : { signal: init.signal }),
      redirect: 'manual',
    });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location || hop >= MAX_REDIRECTS) return response;
    const target = new URL(location, 'https://site.invalid');
    current = `${target.pathname}${target.search}`;
  }
}

/**
 * Optional Forge variable ASSETS_RATE_FACTOR: the share of Atlassian's documented per-minute
 * limits the client paces itself to (default 0.85, the shared client's default). Values above 1
 * only make sense against the local emulator, which enforces no limits.
 */
export function assetsRateFactor(env: Record<string, string | undefined>): number | undefined {
  const raw = env.ASSETS_RATE_FACTOR?.trim();
  if (!raw) return undefined;
  const factor = Number(raw);
  if (!Number.isFinite(factor) || factor <= 0 || factor > 1000)
    throw new ConfigurationError('ASSETS_RATE_FACTOR must be a number above 0 and at most 1000');
  return factor;
}

/** An Assets client for this installation; the workspace id is discovered once and cached by the caller. */
export function createForgeAssetsClient(tenant: Tenant, workspaceId?: string): AssetsClient {
  const transport = createRequestJiraTransport(requestJiraAsApp, {
    siteKey: tenant.siteUrl,
    ...(workspaceId ? { workspaceId } : {}),
  });
  const factor = assetsRateFactor(process.env);
  return createAssetsClient({
    transport,
    ...(workspaceId ? { workspaceId } : {}),
    ...(factor === undefined ? {} : { ratePerMinute: defaultRatesPerMinute(factor) }),
  });
}

/** Every Assets schema of the site (paged through), as the UI and the vault events need them. */
export async function listAssetsSchemas(client: AssetsClient): Promise<SchemaMeta[]> {
  const schemas: SchemaMeta[] = [];
  for await (const schema of client.listObjectSchemas({ includeCounts: true })) {
    schemas.push({ id: schema.id, name: schema.name, key: schema.objectSchemaKey, objectCount: schema.objectCount });
  }
  return schemas;
}
