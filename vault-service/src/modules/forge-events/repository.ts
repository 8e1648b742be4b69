/**
 * Replay protection for signed Forge calls. `webhook-id` is globally unique (the signature binds it
 * to the body, and the body names the tenant), so these lookups go by id rather than by site.
 */
import type { Executor } from '../../db/types.js';

export interface ProcessedWebhook {
  webhookId: string;
  bodySha256: Buffer;
  siteId: string | null;
  response: unknown;
  processedAt: Date;
}

/**
 * Claims a webhook id inside the caller's transaction. Returns true when this call is the first
 * with that id. A concurrent call with the same id waits here on the primary key until the first
 * transaction ends, then sees its row (commit) or claims the id itself (rollback).
 */
export async function claimWebhookId(db: Executor, webhookId: string, bodySha256: Buffer): Promise<boolean> {
  const row = await db
    .insertInto('processed_webhook')
    .values({ webhook_id: webhookId, body_sha256: bodySha256 })
    .onConflict((oc) => oc.column('webhook_id').doNothing())
    .returning('webhook_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function findProcessedWebhook(db: Executor, webhookId: string): Promise<ProcessedWebhook | undefined> {
  const row = await db
    .selectFrom('processed_webhook')
    .select(['webhook_id', 'body_sha256', 'site_id', 'response', 'processed_at'])
    .where('webhook_id', '=', webhookId)
    .executeTakeFirst();
  return (
    row && {
      webhookId: row.webhook_id,
      bodySha256: row.body_sha256,
      siteId: row.site_id,
      response: row.response,
      processedAt: row.processed_at,
    }
  );
}

export async function recordWebhookResponse(
  db: Executor,
  webhookId: string,
  siteId: string | null,
  response: unknown,
): Promise<void> {
  await db
    .updateTable('processed_webhook')
    .set({ site_id: siteId, response: JSON.stringify(response) })
    .where('webhook_id', '=', webhookId)
    .execute();
}

/** Forgets ids older than `before`; their timestamps are outside the tolerance, so replays fail anyway. */
export async function pruneProcessedWebhooks(db: Executor, before: Date): Promise<number> {
  const result = await db.deleteFrom('processed_webhook').where('processed_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Gives up a claim whose call failed (nothing else of it was kept), so a corrected retry with the same id is
 * applied normally. Only a claim without a stored response is released.
 */
export async function releaseWebhookId(db: Executor, webhookId: string): Promise<void> {
  await db.deleteFrom('processed_webhook').where('webhook_id', '=', webhookId).where('response', 'is', null).execute();
}
