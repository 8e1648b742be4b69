import type { Executor } from '../../db/types.js';

export interface AuditEventInput {
  /** An e-mail, `forge:<accountId>` or `system`. */
  actor: string;
  /** Dotted, e.g. `trusted_user.invited`. */
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditEvent {
  id: string;
  siteId: string | null;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  createdAt: Date;
}

/** `siteId` null only for events that name no tenant (e.g. a login for an unknown site). */
export async function insertAuditEvent(db: Executor, siteId: string | null, event: AuditEventInput): Promise<void> {
  await db
    .insertInto('audit_event')
    .values({
      site_id: siteId,
      actor: event.actor,
      action: event.action,
      target: event.target ?? null,
      details: JSON.stringify(event.details ?? {}),
    })
    .execute();
}

/** One site's events, newest first. */
export async function listAuditEvents(
  db: Executor,
  siteId: string,
  options: { limit?: number; action?: string } = {},
): Promise<AuditEvent[]> {
  let query = db
    .selectFrom('audit_event')
    .select(['id', 'site_id', 'actor', 'action', 'target', 'details', 'created_at'])
    .where('site_id', '=', siteId);
  if (options.action !== undefined) query = query.where('action', '=', options.action);
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(options.limit ?? 100)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    siteId: r.site_id,
    actor: r.actor,
    action: r.action,
    target: r.target,
    details: r.details,
    createdAt: r.created_at,
  }));
}
