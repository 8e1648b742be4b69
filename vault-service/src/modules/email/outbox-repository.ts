/**
 * The e-mail outbox. `enqueueEmail` is tenant-scoped and runs inside the caller's transaction, so an
 * e-mail exists exactly when the change that caused it committed. The claim/complete/fail methods
 * belong to the worker, which serves every site; they select by row id and lease owner only.
 */
import { sql } from 'kysely';
import type { Executor } from '../../db/types.js';
import type { EmailStatus } from '../../db/tables/email-outbox.js';

export interface OutboxEmail {
  id: string;
  siteId: string;
  kind: string;
  toAddress: string;
  subject: string;
  textBody: string;
  htmlBody: string;
  status: EmailStatus;
  attempts: number;
  maxAttempts: number;
  runAfter: Date;
  lastError: string | null;
  sentAt: Date | null;
  createdAt: Date;
}

const columns = [
  'id',
  'site_id',
  'kind',
  'to_address',
  'subject',
  'text_body',
  'html_body',
  'status',
  'attempts',
  'max_attempts',
  'run_after',
  'last_error',
  'sent_at',
  'created_at',
] as const;

interface Row {
  id: string;
  site_id: string;
  kind: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  status: EmailStatus;
  attempts: number;
  max_attempts: number;
  run_after: Date;
  last_error: string | null;
  sent_at: Date | null;
  created_at: Date;
}

function toOutboxEmail(r: Row): OutboxEmail {
  return {
    id: r.id,
    siteId: r.site_id,
    kind: r.kind,
    toAddress: r.to_address,
    subject: r.subject,
    textBody: r.text_body,
    htmlBody: r.html_body,
    status: r.status,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    runAfter: r.run_after,
    lastError: r.last_error,
    sentAt: r.sent_at,
    createdAt: r.created_at,
  };
}

export async function enqueueEmail(
  db: Executor,
  siteId: string,
  email: { kind: string; to: string; subject: string; text: string; html: string; maxAttempts: number },
): Promise<string> {
  const row = await db
    .insertInto('email_outbox')
    .values({
      site_id: siteId,
      kind: email.kind,
      to_address: email.to,
      subject: email.subject,
      text_body: email.text,
      html_body: email.html,
      max_attempts: email.maxAttempts,
      run_after: sql<Date>`now()`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function listOutboxEmails(db: Executor, siteId: string): Promise<OutboxEmail[]> {
  const rows = await db
    .selectFrom('email_outbox')
    .select(columns)
    .where('site_id', '=', siteId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toOutboxEmail);
}

/**
 * Claims one due e-mail for `workerId` in one statement. SKIP LOCKED lets several replicas poll the
 * same table without blocking each other or taking the same row; the lease (`locked_until`) frees
 * the row again if this worker dies mid-send. `attempts` counts claims, so a crash counts too.
 */
export async function claimNextEmail(
  db: Executor,
  workerId: string,
  leaseMs: number,
): Promise<OutboxEmail | undefined> {
  const result = await sql<Row>`
    update email_outbox
       set attempts = attempts + 1,
           locked_by = ${workerId},
           locked_until = now() + make_interval(secs => ${leaseMs / 1000})
     where id = (
       select id from email_outbox
        where status = 'pending'
          and run_after <= now()
          and (locked_until is null or locked_until < now())
        order by run_after, id
        for update skip locked
        limit 1)
    returning ${sql.join(columns.map((c) => sql.ref(c)))}`.execute(db);
  const row = result.rows[0];
  return row && toOutboxEmail(row);
}

/** Marks a claimed e-mail sent; only while `workerId` still holds the lease. */
export async function markEmailSent(db: Executor, id: string, workerId: string): Promise<boolean> {
  const result = await db
    .updateTable('email_outbox')
    .set({ status: 'sent', sent_at: sql<Date>`now()`, locked_by: null, locked_until: null, last_error: null })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Records a failed attempt: retry after `retryInMs`, or `failed` for good when the attempts are used
 * up (`retryInMs` null). Only while `workerId` still holds the lease.
 */
export async function markEmailFailed(
  db: Executor,
  id: string,
  workerId: string,
  error: string,
  retryInMs: number | null,
): Promise<void> {
  await db
    .updateTable('email_outbox')
    .set({
      status: retryInMs === null ? 'failed' : 'pending',
      run_after:
        retryInMs === null ? sql<Date>`run_after` : sql<Date>`now() + make_interval(secs => ${retryInMs / 1000})`,
      last_error: error.slice(0, 1000),
      locked_by: null,
      locked_until: null,
    })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .execute();
}
