/**
 * Sends queued e-mails over SMTP (nodemailer). At-least-once: an e-mail is marked sent after the SMTP
 * server accepted it; a crash between those two steps may send it again after the lease expires.
 * Retry delays double from `retryBaseMs` up to `retryMaxMs` (defaults: 30 s, 1, 2, 4, 8, 16, 32 min,
 * then hourly; 10 attempts ≈ 3.5 h), with ±20 % jitter so replicas do not retry in lockstep.
 */
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Kysely } from 'kysely';
import type { Log } from '../logger.js';
import type { Config } from '../config.js';
import type { DB } from '../db/types.js';
import { claimNextEmail, markEmailFailed, markEmailSent } from '../modules/email/outbox-repository.js';
import { createPoller } from './poller.js';

export interface EmailOutboxWorker {
  readonly workerId: string;
  start(): void;
  wake(): void;
  stop(): Promise<void>;
  /** Claims and sends at most one e-mail; true when one was attempted. */
  runOnce(): Promise<boolean>;
}

export function retryDelayMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), maxMs);
  return Math.round(exponential * (0.8 + 0.4 * random()));
}

export function createEmailOutboxWorker(options: {
  db: Kysely<DB>;
  config: Pick<Config, 'outbox' | 'mailFrom'>;
  smtpUrl: string;
  log: Log;
}): EmailOutboxWorker {
  const { db, config, log } = options;
  const workerId = `outbox-${randomUUID()}`;
  const transport = nodemailer.createTransport(options.smtpUrl, {
    from: config.mailFrom,
  });
  // nodemailer's defaults wait minutes on a dead server; a stuck send would hold the lease.
  Object.assign(transport.options, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });

  async function runOnce(): Promise<boolean> {
    const email = await claimNextEmail(db, workerId, config.outbox.leaseMs);
    if (!email) return false;
    const emailLog = log.child({ emailId: email.id, siteId: email.siteId, kind: email.kind });
    const started = Date.now();
    try {
      await transport.sendMail({
        from: config.mailFrom,
        to: email.toAddress,
        subject: email.subject,
        text: email.textBody,
        html: email.htmlBody,
      });
    } catch (err) {
      const finalAttempt = email.attempts >= email.maxAttempts;
      const retryInMs = finalAttempt
        ? null
        : retryDelayMs(email.attempts, config.outbox.retryBaseMs, config.outbox.retryMaxMs);
      const message = err instanceof Error ? err.message : String(err);
      await markEmailFailed(db, email.id, workerId, message, retryInMs);
      if (finalAttempt)
        emailLog.error({ err, attempt: email.attempts, maxAttempts: email.maxAttempts }, 'e-mail failed for good');
      else
        emailLog.warn(
          { err, attempt: email.attempts, maxAttempts: email.maxAttempts, retryInMs },
          'e-mail send failed, will retry',
        );
      return true;
    }
    const recorded = await markEmailSent(db, email.id, workerId);
    emailLog.info({ attempt: email.attempts, durationMs: Date.now() - started, recorded }, 'e-mail sent');
    return true;
  }

  const poller = createPoller({ intervalMs: config.outbox.pollIntervalMs, log, tick: runOnce });
  return {
    workerId,
    start: () => poller.start(),
    wake: () => poller.wake(),
    async stop() {
      await poller.stop();
      transport.close();
    },
    runOnce,
  };
}
