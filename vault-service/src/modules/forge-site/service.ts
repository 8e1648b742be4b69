/**
 * The signed Forge site API (`/api/v1/forge/site/…`): what every call does around the session API's own service
 * functions. The tenant comes from the signed body only; each `webhook-id` is claimed once (replay protection,
 * as for events): a write retried with the same id and body answers its stored response, any other reuse is a
 * 409. The claim is its own short transaction, because the work runs in the services' transactions and may call
 * Atlassian (a restore checks its target live) — never inside an open transaction.
 */
import { ConflictError } from '@assets-vault/shared/errors';
import type { Config } from '../../config.js';
import type { VaultDeps } from '../../deps.js';
import {
  claimWebhookId,
  findProcessedWebhook,
  recordWebhookResponse,
  releaseWebhookId,
} from '../forge-events/repository.js';
import type { Site } from '../sites/repository.js';
import { resolveForgeSite } from '../sites/service.js';

export type ForgeSiteDeps = Pick<VaultDeps, 'db' | 'log' | 'clock'> & {
  config: Pick<Config, 'allowInsecureSiteUrls' | 'allowedSiteHosts'>;
};

export interface ForgeSiteCall {
  webhookId: string;
  bodySha256: Buffer;
  tenant: { cloudId: string; siteUrl: string };
  /** a write's answer is kept for its retries; a read is answered once */
  kind: 'read' | 'write';
}

/** The `actor` of audit entries and restores made from the Jira page, as for trusted-user events. */
export function forgeActor(actor: { accountId: string }): string {
  return `forge:${actor.accountId}`;
}

/**
 * Claims the call's id, finds its site, then runs `work` for that site. Returns `duplicate: true` with the
 * stored answer for a retried write. A failed call releases its id, so nothing of it is kept.
 */
export async function runForgeSiteCall<T>(
  deps: ForgeSiteDeps,
  call: ForgeSiteCall,
  work: (site: Site) => Promise<T>,
): Promise<{ duplicate: boolean; response: T }> {
  const claimed = await deps.db.transaction().execute(async (trx): Promise<{ stored: T } | { site: Site }> => {
    if (!(await claimWebhookId(trx, call.webhookId, call.bodySha256))) {
      const previous = await findProcessedWebhook(trx, call.webhookId);
      if (
        call.kind === 'write' &&
        previous?.response !== null &&
        previous?.response !== undefined &&
        previous.bodySha256.equals(call.bodySha256)
      )
        return { stored: previous.response as T };
      throw new ConflictError('This webhook-id was already used', { code: 'webhook_id_reused' });
    }
    const { site } = await resolveForgeSite({ ...deps, db: trx }, call.tenant, deps.clock.now());
    return { site };
  });
  if ('stored' in claimed) return { duplicate: true, response: claimed.stored };
  let response: T;
  try {
    response = await work(claimed.site);
  } catch (err) {
    await releaseWebhookId(deps.db, call.webhookId);
    throw err;
  }
  if (call.kind === 'write') await recordWebhookResponse(deps.db, call.webhookId, claimed.site.id, response ?? {});
  return { duplicate: false, response };
}
