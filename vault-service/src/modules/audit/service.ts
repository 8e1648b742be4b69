/** The site's audit log as the web UI pages through it. */
import { ValidationError } from '@assets-vault/shared/errors';
import type { Executor } from '../../db/types.js';
import { pageAuditEvents, type AuditEvent, type AuditPosition } from './repository.js';

export const DEFAULT_AUDIT_PAGE = 50;
export const MAX_AUDIT_PAGE = 200;

// The cursor carries Postgres' own text of the row's time; only that exact shape is accepted back.
const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const encodeCursor = (p: AuditPosition) => Buffer.from(`${p.createdAtText}|${p.id}`).toString('base64url');

function decodeCursor(cursor: string): AuditPosition {
  const [createdAtText = '', id = ''] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!TIMESTAMP_TEXT.test(createdAtText) || !UUID.test(id))
    throw new ValidationError('Invalid cursor', { code: 'invalid_cursor' });
  return { createdAtText, id };
}

export async function listSiteAudit(
  db: Executor,
  siteId: string,
  query: { limit?: number; cursor?: string },
): Promise<{ items: AuditEvent[]; nextCursor: string | null }> {
  const limit = query.limit ?? DEFAULT_AUDIT_PAGE;
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  // one row more than the page tells whether another page exists
  const rows = await pageAuditEvents(db, siteId, { limit: limit + 1, ...(after ? { after } : {}) });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => r.event),
    nextCursor: rows.length > limit && last ? encodeCursor(last.position) : null,
  };
}
