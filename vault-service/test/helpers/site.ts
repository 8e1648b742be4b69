/** A site with one active trusted user and a live session: what most session-API suites start from. */
import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/types.js';
import { createTestSession } from './login.js';

export interface TestSite {
  siteId: string;
  trustedUserId: string;
  email: string;
  /** the `cookie` header of the user's session */
  cookie: string;
}

export async function createSiteWithSession(
  db: Kysely<DB>,
  input: { cloudId: string; siteUrl: string; email: string },
): Promise<TestSite> {
  const site = await db
    .insertInto('site')
    .values({ cloud_id: input.cloudId, site_url: input.siteUrl, installation_state: 'connected' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const user = await db
    .insertInto('trusted_user')
    .values({
      site_id: site.id,
      email: input.email,
      status: 'active',
      invited_by_account_id: 'acc-admin',
      invited_by_name: 'Admin',
      invited_at: new Date(),
      activated_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const cookie = await createTestSession(db, { siteId: site.id, trustedUserId: user.id, email: input.email });
  return { siteId: site.id, trustedUserId: user.id, email: input.email, cookie };
}
