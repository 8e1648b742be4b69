/**
 * Trusted users of a site. Every method takes the site: a user of another site is simply not found.
 * The identity module uses `findTrustedUserForLogin` and `recordTrustedUserLogin`.
 */
import type { Executor } from '../../db/types.js';
import type { TrustedUserStatus } from '../../db/tables/trusted-user.js';

export interface TrustedUser {
  id: string;
  siteId: string;
  email: string;
  status: TrustedUserStatus;
  invitedByAccountId: string;
  invitedByName: string;
  invitedAt: Date;
  activatedAt: Date | null;
  removedAt: Date | null;
  removedByName: string | null;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const columns = [
  'id',
  'site_id',
  'email',
  'status',
  'invited_by_account_id',
  'invited_by_name',
  'invited_at',
  'activated_at',
  'removed_at',
  'removed_by_name',
  'last_login_at',
  'created_at',
  'updated_at',
] as const;

interface Row {
  id: string;
  site_id: string;
  email: string;
  status: TrustedUserStatus;
  invited_by_account_id: string;
  invited_by_name: string;
  invited_at: Date;
  activated_at: Date | null;
  removed_at: Date | null;
  removed_by_name: string | null;
  last_login_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

function toTrustedUser(r: Row): TrustedUser {
  return {
    id: r.id,
    siteId: r.site_id,
    email: r.email,
    status: r.status,
    invitedByAccountId: r.invited_by_account_id,
    invitedByName: r.invited_by_name,
    invitedAt: r.invited_at,
    activatedAt: r.activated_at,
    removedAt: r.removed_at,
    removedByName: r.removed_by_name,
    lastLoginAt: r.last_login_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function findTrustedUserById(db: Executor, siteId: string, id: string): Promise<TrustedUser | undefined> {
  // A malformed id cannot exist; answering "not found" keeps Postgres from raising a cast error.
  if (!UUID.test(id)) return undefined;
  const row = await db
    .selectFrom('trusted_user')
    .select(columns)
    .where('site_id', '=', siteId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toTrustedUser(row);
}

/** `email` must already be normalised. `forUpdate` locks the row for a read-modify-write. */
export async function findTrustedUserByEmail(
  db: Executor,
  siteId: string,
  email: string,
  options: { forUpdate?: boolean } = {},
): Promise<TrustedUser | undefined> {
  let query = db.selectFrom('trusted_user').select(columns).where('site_id', '=', siteId).where('email', '=', email);
  if (options.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && toTrustedUser(row);
}

/** The user who may log in to this site with this (normalised) e-mail: invited or active, never removed. */
export async function findTrustedUserForLogin(
  db: Executor,
  siteId: string,
  email: string,
): Promise<TrustedUser | undefined> {
  const row = await db
    .selectFrom('trusted_user')
    .select(columns)
    .where('site_id', '=', siteId)
    .where('email', '=', email)
    .where('status', 'in', ['invited', 'active'])
    .executeTakeFirst();
  return row && toTrustedUser(row);
}

export async function listTrustedUsers(
  db: Executor,
  siteId: string,
  options: { status?: TrustedUserStatus } = {},
): Promise<TrustedUser[]> {
  let query = db.selectFrom('trusted_user').select(columns).where('site_id', '=', siteId);
  if (options.status !== undefined) query = query.where('status', '=', options.status);
  const rows = await query.orderBy('email').execute();
  return rows.map(toTrustedUser);
}

export async function insertInvitedUser(
  db: Executor,
  siteId: string,
  user: { email: string; invitedByAccountId: string; invitedByName: string; invitedAt: Date },
): Promise<TrustedUser> {
  const row = await db
    .insertInto('trusted_user')
    .values({
      site_id: siteId,
      email: user.email,
      status: 'invited',
      invited_by_account_id: user.invitedByAccountId,
      invited_by_name: user.invitedByName,
      invited_at: user.invitedAt,
    })
    .returning(columns)
    .executeTakeFirstOrThrow();
  return toTrustedUser(row);
}

/** A new invitation for an existing row: a removed user becomes invited again, an active one stays active. */
export async function reinviteTrustedUser(
  db: Executor,
  siteId: string,
  id: string,
  invite: { status: 'invited' | 'active'; invitedByAccountId: string; invitedByName: string; invitedAt: Date },
  now: Date,
): Promise<TrustedUser> {
  const row = await db
    .updateTable('trusted_user')
    .set({
      status: invite.status,
      invited_by_account_id: invite.invitedByAccountId,
      invited_by_name: invite.invitedByName,
      invited_at: invite.invitedAt,
      removed_at: null,
      removed_by_name: null,
      updated_at: now,
    })
    .where('site_id', '=', siteId)
    .where('id', '=', id)
    .returning(columns)
    .executeTakeFirstOrThrow();
  return toTrustedUser(row);
}

export async function markTrustedUserRemoved(
  db: Executor,
  siteId: string,
  id: string,
  removal: { removedByName: string; removedAt: Date },
  now: Date,
): Promise<TrustedUser | undefined> {
  const row = await db
    .updateTable('trusted_user')
    .set({ status: 'removed', removed_at: removal.removedAt, removed_by_name: removal.removedByName, updated_at: now })
    .where('site_id', '=', siteId)
    .where('id', '=', id)
    .where('status', '!=', 'removed')
    .returning(columns)
    .executeTakeFirst();
  return row && toTrustedUser(row);
}

/**
 * A successful login: an invited user becomes active (first login), `last_login_at` moves.
 * Returns undefined when the user is removed or belongs to another site, so a login racing a
 * removal cannot resurrect access.
 */
export async function recordTrustedUserLogin(
  db: Executor,
  siteId: string,
  id: string,
  at: Date,
): Promise<TrustedUser | undefined> {
  if (!UUID.test(id)) return undefined;
  const row = await db
    .updateTable('trusted_user')
    .set((eb) => ({
      status: 'active',
      activated_at: eb.fn.coalesce('activated_at', eb.val(at)),
      last_login_at: at,
      updated_at: at,
    }))
    .where('site_id', '=', siteId)
    .where('id', '=', id)
    .where('status', 'in', ['invited', 'active'])
    .returning(columns)
    .executeTakeFirst();
  return row && toTrustedUser(row);
}
