import type { ColumnType } from 'kysely';
import type { CreatedAt } from './site.js';

/**
 * Replay protection for signed Forge calls: one row per applied `webhook-id`. A retry with the same
 * body hash answers the stored response; the same id with another body is refused.
 */
export interface ProcessedWebhookTable {
  webhook_id: string;
  /** SHA-256 of the raw body bytes. */
  body_sha256: Buffer;
  site_id: string | null;
  response: ColumnType<unknown, string | null | undefined, string | null>;
  processed_at: CreatedAt;
}

export interface ProcessedWebhookTables {
  processed_webhook: ProcessedWebhookTable;
}
