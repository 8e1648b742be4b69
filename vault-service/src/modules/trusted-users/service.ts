/**
 * Trusted-user rules. Invitations and removals arrive as signed Forge events and run inside the
 * event's transaction (`trx`), so the user row, the audit entry and the invitation e-mail commit
 * together or not at all.
 *
 * Decisions:
 * - Re-inviting an active user keeps them active (they keep their access) and sends the e-mail again.
 * - Re-inviting a removed user makes them `invited` again.
 * - Removal sends nothing, sets `removed` and deletes the user's sessions in the same transaction.
 * - Events carry `occurredAt`: an invitation older than the latest removal (or a removal older than
 *   the latest invitation) is a delayed retry and is ignored, so retries never undo a newer change.
 */
import { NotFoundError } from '@assets-vault/shared/errors';
import type { Transaction } from 'kysely';
import type { Config } from '../../config.js';
import type { DB, Executor } from '../../db/types.js';
import type { VaultDeps } from '../../deps.js';
import { insertAuditEvent } from '../audit/repository.js';
import { enqueueEmail } from '../email/outbox-repository.js';
import { renderInvitationEmail } from './invitation-email.js';
import {
  findTrustedUserByEmail,
  findTrustedUserById,
  insertInvitedUser,
  listTrustedUsers as listTrustedUserRows,
  markTrustedUserRemoved,
  reinviteTrustedUser,
  type TrustedUser,
} from './repository.js';

export interface ForgeActor {
  accountId: string;
  displayName: string;
}

export type InvitationOutcome = 'invited' | 'reinvited' | 'stale';
export type RemovalOutcome = 'removed' | 'not_found' | 'already_removed' | 'stale';

/** Deletes a trusted user's sessions; provided by the identity module. */
export type DeleteSessions = (trx: Executor, siteId: string, trustedUserId: string) => Promise<number>;

/** Inside the caller's transaction (`deps.db`); `now` is the event's processing time. */
export async function inviteTrustedUser(
  deps: { db: Transaction<DB>; config: Pick<Config, 'publicUrl' | 'outbox'> },
  input: { siteId: string; siteUrl: string; email: string; invitedBy: ForgeActor; occurredAt: Date; now: Date },
): Promise<{ outcome: InvitationOutcome; user: TrustedUser; emailId?: string }> {
  const trx = deps.db;
  const existing = await findTrustedUserByEmail(trx, input.siteId, input.email, { forUpdate: true });
  const invitedBy = {
    invitedByAccountId: input.invitedBy.accountId,
    invitedByName: input.invitedBy.displayName,
    invitedAt: input.occurredAt,
  };
  let user: TrustedUser;
  let outcome: InvitationOutcome;
  if (!existing) {
    user = await insertInvitedUser(trx, input.siteId, { email: input.email, ...invitedBy });
    outcome = 'invited';
  } else if (existing.removedAt !== null && existing.status === 'removed' && existing.removedAt > input.occurredAt) {
    return { outcome: 'stale', user: existing };
  } else {
    user = await reinviteTrustedUser(
      trx,
      input.siteId,
      existing.id,
      { status: existing.status === 'active' ? 'active' : 'invited', ...invitedBy },
      input.now,
    );
    outcome = 'reinvited';
  }

  const rendered = renderInvitationEmail({
    to: user.email,
    siteUrl: input.siteUrl,
    inviterName: input.invitedBy.displayName,
    vaultUrl: deps.config.publicUrl,
  });
  const emailId = await enqueueEmail(trx, input.siteId, {
    kind: 'trusted_user.invitation',
    to: user.email,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    maxAttempts: deps.config.outbox.maxAttempts,
  });
  await insertAuditEvent(trx, input.siteId, {
    actor: `forge:${input.invitedBy.accountId}`,
    action: 'trusted_user.invited',
    target: user.email,
    details: {
      trustedUserId: user.id,
      outcome,
      previousStatus: existing?.status ?? null,
      status: user.status,
      invitedByName: input.invitedBy.displayName,
    },
  });
  return { outcome, user, emailId };
}

/** Inside the caller's transaction (`deps.db`); `now` is the event's processing time. */
export async function removeTrustedUser(
  deps: { db: Transaction<DB>; deleteSessions: DeleteSessions },
  input: { siteId: string; email: string; removedBy: ForgeActor; occurredAt: Date; now: Date },
): Promise<{ outcome: RemovalOutcome; sessionsDeleted: number; user?: TrustedUser }> {
  const trx = deps.db;
  const existing = await findTrustedUserByEmail(trx, input.siteId, input.email, { forUpdate: true });
  if (!existing) return { outcome: 'not_found', sessionsDeleted: 0 };
  if (existing.status === 'removed') return { outcome: 'already_removed', sessionsDeleted: 0, user: existing };
  if (existing.invitedAt > input.occurredAt) return { outcome: 'stale', sessionsDeleted: 0, user: existing };

  const user = await markTrustedUserRemoved(
    trx,
    input.siteId,
    existing.id,
    { removedByName: input.removedBy.displayName, removedAt: input.occurredAt },
    input.now,
  );
  const sessionsDeleted = await deps.deleteSessions(trx, input.siteId, existing.id);
  await insertAuditEvent(trx, input.siteId, {
    actor: `forge:${input.removedBy.accountId}`,
    action: 'trusted_user.removed',
    target: existing.email,
    details: {
      trustedUserId: existing.id,
      previousStatus: existing.status,
      sessionsDeleted,
      removedByName: input.removedBy.displayName,
    },
  });
  return { outcome: 'removed', sessionsDeleted, ...(user ? { user } : {}) };
}

export async function listTrustedUsers(deps: Pick<VaultDeps, 'db'>, siteId: string): Promise<TrustedUser[]> {
  return listTrustedUserRows(deps.db, siteId);
}

/** Another site's user id answers 404 like an unknown one. */
export async function getTrustedUser(deps: Pick<VaultDeps, 'db'>, siteId: string, id: string): Promise<TrustedUser> {
  const user = await findTrustedUserById(deps.db, siteId, id);
  if (!user) throw new NotFoundError('Trusted user not found');
  return user;
}
