/** Sites and signed-in trusted users: what most session-API suites start from. */
import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/types.js';
import type { TestApp } from './app.js';
import { createTestSession, csrfHeaders } from './login.js';

export interface TestSite {
  siteId: string;
  trustedUserId: string;
  email: string;
  /** the `cookie` header of the user's session */
  cookie: string;
}

/** Inserts a connected site; returns its id. */
export async function insertSite(db: Kysely<DB>, site: { cloudId: string; siteUrl: string }): Promise<string> {
  const row = await db
    .insertInto('site')
    .values({ cloud_id: site.cloudId, site_url: site.siteUrl, installation_state: 'connected' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Inserts an active trusted user of `siteId` and opens a live session for them. */
export async function createTrustedUserSession(
  db: Kysely<DB>,
  siteId: string,
  email: string,
): Promise<{ trustedUserId: string; cookie: string }> {
  const user = await db
    .insertInto('trusted_user')
    .values({
      site_id: siteId,
      email,
      status: 'active',
      invited_by_account_id: 'acc-admin',
      invited_by_name: 'Admin',
      invited_at: new Date(),
      activated_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const cookie = await createTestSession(db, { siteId, trustedUserId: user.id, email });
  return { trustedUserId: user.id, cookie };
}

/** A connected site with one active trusted user and a live session. */
export async function createSiteWithSession(
  db: Kysely<DB>,
  input: { cloudId: string; siteUrl: string; email: string },
): Promise<TestSite> {
  const siteId = await insertSite(db, input);
  const { trustedUserId, cookie } = await createTrustedUserSession(db, siteId, input.email);
  return { siteId, trustedUserId, email: input.email, cookie };
}

/** Marks `schemaId` as a schema the site backs up (what the Forge app's schema.synced event stores). */
export async function insertSyncedSchema(db: Kysely<DB>, siteId: string, schemaId: string): Promise<void> {
  await db
    .insertInto('synced_schema')
    .values({ site_id: siteId, schema_id: schemaId, name: 'S', key: 'S', object_count: 0, is_synced: true })
    .execute();
}

/**
 * `/api/v1${path}` as the web UI calls it over real HTTP: with the session's cookie, the CSRF headers on
 * anything but GET, and a JSON content type when there is a body.
 */
export function callApi(vault: TestApp, cookie: string, path: string, init: RequestInit = {}): Promise<Response> {
  const write = init.method !== undefined && init.method !== 'GET';
  return fetch(`${vault.baseUrl}/api/v1${path}`, {
    ...init,
    headers: {
      cookie,
      ...(write ? csrfHeaders(vault.config.publicUrl) : {}),
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
  });
}

/** `PUT /api/v1/site-credentials` as the session's user over real HTTP; expects 204. */
export async function saveSiteCredentials(
  vault: TestApp,
  cookie: string,
  credentials: { email: string; apiToken: string; assetsApiBase: string },
  vaultBackupsEnabled = true,
): Promise<void> {
  const res = await callApi(vault, cookie, '/site-credentials', {
    method: 'PUT',
    body: JSON.stringify({
      email: credentials.email,
      apiToken: credentials.apiToken,
      assetsApiBaseUrl: credentials.assetsApiBase,
      vaultBackupsEnabled,
    }),
  });
  expect(res.status).toBe(204);
}
