/**
 * Applies a verified Forge event. Checks the event first (422, nothing written), then in ONE
 * transaction: claims the webhook id (replay protection), resolves the tenant from the signed
 * cloudId + siteUrl, applies the event, stores the response. Any error rolls all of it back,
 * including the webhook id, so a retry after a fix is applied normally.
 */
import { parseForgeEvent, type ForgeEventResponse } from '@assets-vault/shared/contract';
import { ConflictError } from '@assets-vault/shared/errors';
import type { Transaction } from 'kysely';
import type { Log } from '../../logger.js';
import type { DB } from '../../db/types.js';
import type { Config } from '../../config.js';
import type { VaultDeps } from '../../deps.js';
import { insertAuditEvent } from '../audit/repository.js';
import { updateSiteInstallation } from '../sites/repository.js';
import { resolveForgeSite } from '../sites/service.js';
import { upsertSyncedSchema } from '../synced-schemas/repository.js';
import { normaliseEmail } from '../trusted-users/email-address.js';
import { inviteTrustedUser, removeTrustedUser, type DeleteSessions } from '../trusted-users/service.js';
import { claimWebhookId, findProcessedWebhook, recordWebhookResponse } from './repository.js';

/** Extension points other modules fill in app.ts. */
export interface ForgeEventExtensions {
  /**
   * `backup.deleted`: the admin deleted a backup in the Forge app. Runs inside the event's
   * transaction after the audit entry was written; throw to reject the event (nothing is kept).
   * Without a handler the event is only audited.
   */
  onBackupDeleted?: (
    trx: Transaction<DB>,
    input: { siteId: string; backupId: string; actor: string; log: Log },
  ) => Promise<Record<string, unknown> | void>;
}

export type ForgeEventDeps = Pick<VaultDeps, 'db' | 'log' | 'clock'> & {
  config: Pick<Config, 'allowInsecureSiteUrls' | 'allowedSiteHosts' | 'publicUrl' | 'outbox'>;
  deleteSessions: DeleteSessions;
  extensions: ForgeEventExtensions;
};

export interface ForgeEventOutcome {
  /** true: this webhook id was already applied; `response` is the stored one. */
  duplicate: boolean;
  response: ForgeEventResponse;
  /** An e-mail was queued (the caller may wake the outbox worker). */
  emailQueued: boolean;
}

export async function handleForgeEvent(
  deps: ForgeEventDeps,
  call: { webhookId: string; bodySha256: Buffer; body: unknown },
): Promise<ForgeEventOutcome> {
  const event = parseForgeEvent(call.body);
  // Validate e-mails before the transaction too: a bad address is a 422 with nothing written.
  const email =
    event.type === 'trusted_user.invited' || event.type === 'trusted_user.removed'
      ? normaliseEmail(event.data.email)
      : undefined;
  const now = deps.clock.now();
  // A sender clock ahead of ours must not make an event win over later ones.
  const occurredAt = new Date(Math.min(Date.parse(event.occurredAt), now.getTime()));
  const log = deps.log.child({ webhookId: call.webhookId, eventType: event.type });

  return deps.db.transaction().execute(async (trx) => {
    if (!(await claimWebhookId(trx, call.webhookId, call.bodySha256))) {
      const previous = await findProcessedWebhook(trx, call.webhookId);
      if (previous && previous.bodySha256.equals(call.bodySha256) && previous.response !== null) {
        log.info('duplicate webhook id with the same body: answering the stored response');
        return { duplicate: true, response: previous.response as ForgeEventResponse, emailQueued: false };
      }
      throw new ConflictError('This webhook-id was already used for a different body', { code: 'webhook_id_reused' });
    }

    const { site } = await resolveForgeSite(
      { ...deps, db: trx },
      { cloudId: event.cloudId, siteUrl: event.siteUrl },
      now,
    );
    let result: Record<string, unknown>;
    let emailQueued = false;
    switch (event.type) {
      case 'installation.connected': {
        await updateSiteInstallation(
          trx,
          site.id,
          { workspaceId: event.data.workspaceId, appVersion: event.data.appVersion, state: 'connected' },
          now,
        );
        await insertAuditEvent(trx, site.id, {
          actor: 'system',
          action: 'site.connected',
          target: site.siteUrl,
          details: { workspaceId: event.data.workspaceId, appVersion: event.data.appVersion },
        });
        result = { siteId: site.id };
        break;
      }
      case 'trusted_user.invited': {
        const invited = await inviteTrustedUser(
          { ...deps, db: trx },
          {
            siteId: site.id,
            siteUrl: site.siteUrl,
            email: email ?? '',
            invitedBy: event.data.invitedBy,
            occurredAt,
            now,
          },
        );
        emailQueued = invited.emailId !== undefined;
        result = { trustedUserId: invited.user.id, outcome: invited.outcome, status: invited.user.status };
        break;
      }
      case 'trusted_user.removed': {
        const removed = await removeTrustedUser(
          { ...deps, db: trx },
          {
            siteId: site.id,
            email: email ?? '',
            removedBy: event.data.removedBy,
            occurredAt,
            now,
          },
        );
        result = {
          outcome: removed.outcome,
          ...(removed.user ? { trustedUserId: removed.user.id, status: removed.user.status } : {}),
        };
        break;
      }
      case 'schema.synced': {
        const isSynced = event.data.synced ?? true;
        const stored = await upsertSyncedSchema(
          trx,
          site.id,
          {
            schemaId: event.data.schemaId,
            name: event.data.name,
            key: event.data.key,
            objectCount: event.data.objectCount,
            isSynced,
          },
          occurredAt,
        );
        if (stored) {
          await insertAuditEvent(trx, site.id, {
            actor: 'system',
            action: isSynced ? 'schema.synced' : 'schema.unsynced',
            target: event.data.schemaId,
            details: { name: event.data.name, key: event.data.key },
          });
        }
        result = { schemaId: event.data.schemaId, isSynced, outcome: stored ? 'stored' : 'stale' };
        break;
      }
      case 'backup.deleted': {
        const actor = 'system';
        await insertAuditEvent(trx, site.id, {
          actor,
          action: 'backup.deleted',
          target: event.data.backupId,
          details: { source: 'forge' },
        });
        const extra = deps.extensions.onBackupDeleted
          ? await deps.extensions.onBackupDeleted(trx, { siteId: site.id, backupId: event.data.backupId, actor, log })
          : undefined;
        result = { backupId: event.data.backupId, ...(extra ?? {}) };
        break;
      }
    }

    const response: ForgeEventResponse = { status: 'processed', webhookId: call.webhookId, type: event.type, result };
    await recordWebhookResponse(trx, call.webhookId, site.id, response);
    log.info({ siteId: site.id }, 'forge event applied');
    return { duplicate: false, response, emailQueued };
  });
}
