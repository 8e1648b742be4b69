import { sql } from 'kysely';
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

const auditColumns = ['id', 'site_id', 'actor', 'action', 'target', 'details', 'created_at'] as const;

interface AuditRow {
  id: string;
  site_id: string | null;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  created_at: Date;
}

const toAuditEvent = (r: AuditRow): AuditEvent => ({
  id: r.id,
  siteId: r.site_id,
  actor: r.actor,
  action: r.action,
  target: r.target,
  details: r.details,
  createdAt: r.created_at,
});

/** One site's events, newest first. */
export async function listAuditEvents(
  db: Executor,
  siteId: string,
  options: { limit?: number; action?: string } = {},
): Promise<AuditEvent[]> {
  let query = db.selectFrom('audit_event').select(auditColumns).where('site_id', '=', siteId);
  if (options.action !== undefined) query = query.where('action', '=', options.action);
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(options.limit ?? 100)
    .execute();
  return rows.map(toAuditEvent);
}

/** Position after which a page of the audit log continues: the last row's exact time (as Postgres prints it) and id. */
export interface AuditPosition {
  createdAtText: string;
  id: string;
}

/** A site's events newest first, strictly after `after` (keyset on created_at, id), each with its position. */
export async function pageAuditEvents(
  db: Executor,
  siteId: string,
  options: { limit: number; after?: AuditPosition },
): Promise<{ event: AuditEvent; position: AuditPosition }[]> {
  let query = db
    .selectFrom('audit_event')
    .select(auditColumns)
    // microseconds count: a JS Date would round them away and the keyset would skip or repeat rows
    .select(sql<string>`created_at::text`.as('created_at_text'))
    .where('site_id', '=', siteId);
  if (options.after) {
    const { createdAtText, id } = options.after;
    query = query.where(sql<boolean>`(created_at, id) < (${createdAtText}::timestamptz, ${id}::uuid)`);
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
  return rows.map((r) => ({ event: toAuditEvent(r), position: { createdAtText: r.created_at_text, id: r.id } }));
}
