/**
 * Sessions in Postgres. The cookie token is never stored: rows are found by its SHA-256.
 * `findLiveSessionByTokenHash` is the one method without a site filter, because the session is
 * what tells a request its site; it joins the trusted user and accepts only an active one, so a
 * removal is effective on the next request even before the rows are deleted.
 */
import { sql } from 'kysely';
import type { Executor } from '../../db/types.js';
import type { LoginProvider } from '../../db/tables/session.js';

export interface NewSession {
  tokenHash: Buffer;
  trustedUserId: string;
  provider: LoginProvider;
  subject: string;
  email: string;
  now: Date;
  expiresAt: Date;
  idleExpiresAt: Date;
}

/** What a request learns from its session cookie. */
export interface LiveSession {
  sessionId: string;
  siteId: string;
  trustedUserId: string;
  email: string;
  provider: LoginProvider;
  lastSeenAt: Date;
  expiresAt: Date;
  idleExpiresAt: Date;
}

export interface SessionOverview {
  email: string;
  provider: LoginProvider;
  siteUrl: string;
  cloudId: string;
}

export async function insertSession(db: Executor, siteId: string, session: NewSession): Promise<{ id: string }> {
  return db
    .insertInto('session')
    .values({
      token_hash: session.tokenHash,
      site_id: siteId,
      trusted_user_id: session.trustedUserId,
      provider: session.provider,
      subject: session.subject,
      email: session.email,
      created_at: session.now,
      last_seen_at: session.now,
      expires_at: session.expiresAt,
      idle_expires_at: session.idleExpiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/** A session that has not expired (absolute or idle) and whose trusted user is still active. */
export async function findLiveSessionByTokenHash(
  db: Executor,
  tokenHash: Buffer,
  now: Date,
): Promise<LiveSession | undefined> {
  const row = await db
    .selectFrom('session as s')
    .innerJoin('trusted_user as u', (join) =>
      join.onRef('u.id', '=', 's.trusted_user_id').onRef('u.site_id', '=', 's.site_id'),
    )
    .select([
      's.id',
      's.site_id',
      's.trusted_user_id',
      's.email',
      's.provider',
      's.last_seen_at',
      's.expires_at',
      's.idle_expires_at',
    ])
    .where('s.token_hash', '=', tokenHash)
    .where('s.expires_at', '>', now)
    .where('s.idle_expires_at', '>', now)
    .where('u.status', '=', 'active')
    .executeTakeFirst();
  return (
    row && {
      sessionId: row.id,
      siteId: row.site_id,
      trustedUserId: row.trusted_user_id,
      email: row.email,
      provider: row.provider,
      lastSeenAt: row.last_seen_at,
      expiresAt: row.expires_at,
      idleExpiresAt: row.idle_expires_at,
    }
  );
}

/** Records activity: moves the idle expiry forward, never past the absolute expiry. */
export async function touchSession(
  db: Executor,
  siteId: string,
  sessionId: string,
  now: Date,
  idleExpiresAt: Date,
): Promise<void> {
  await db
    .updateTable('session')
    .set({ last_seen_at: now, idle_expires_at: sql<Date>`least(${idleExpiresAt}::timestamptz, expires_at)` })
    .where('site_id', '=', siteId)
    .where('id', '=', sessionId)
    .execute();
}

export async function findSessionOverview(
  db: Executor,
  siteId: string,
  sessionId: string,
): Promise<SessionOverview | undefined> {
  const row = await db
    .selectFrom('session as s')
    .innerJoin('site', 'site.id', 's.site_id')
    .select(['s.email', 's.provider', 'site.site_url', 'site.cloud_id'])
    .where('s.site_id', '=', siteId)
    .where('s.id', '=', sessionId)
    .executeTakeFirst();
  return row && { email: row.email, provider: row.provider, siteUrl: row.site_url, cloudId: row.cloud_id };
}

/** Logout and rotation: deletes the session the cookie names; returns it when it existed. */
export async function deleteSessionByTokenHash(
  db: Executor,
  tokenHash: Buffer,
): Promise<{ id: string; siteId: string; email: string } | undefined> {
  const row = await db
    .deleteFrom('session')
    .where('token_hash', '=', tokenHash)
    .returning(['id', 'site_id', 'email'])
    .executeTakeFirst();
  return row && { id: row.id, siteId: row.site_id, email: row.email };
}

/**
 * Ends every session of a trusted user. The trusted-users module calls it inside the transaction
 * that removes the user, so the next request with an old cookie is 401.
 */
export async function deleteSessionsForTrustedUser(
  db: Executor,
  siteId: string,
  trustedUserId: string,
): Promise<number> {
  const result = await db
    .deleteFrom('session')
    .where('site_id', '=', siteId)
    .where('trusted_user_id', '=', trustedUserId)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Housekeeping across all sites: sessions past their absolute or idle expiry. */
export async function deleteEndedSessions(db: Executor, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('session')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('idle_expires_at', '<=', now)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
