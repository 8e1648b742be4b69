/**
 * Invitations end to end: a signed `trusted_user.invited` event → an e-mail received by a real SMTP
 * server; re-invites send again; removals send nothing and revoke access; an SMTP outage is retried
 * and the e-mail is delivered exactly once when the server comes back.
 */
import { countAllRows, createTestDatabase, type TestDatabase } from './helpers/db.js';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { forgeEvent, sendEvent } from './helpers/forge.js';
import { freePort, startSmtpSink, type SmtpSink } from './helpers/smtp.js';
import { createTestSession } from './helpers/login.js';
import { waitFor } from './helpers/wait.js';

const site = { cloudId: 'cloud-inv-1', siteUrl: 'https://acme.atlassian.net' };
const admin = { accountId: 'acc-admin-7', displayName: 'Grace <Hopper> & "Co"' };

describe('invitation e-mails', () => {
  let testDb: TestDatabase;
  let smtp: SmtpSink;
  let vault: TestApp;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    smtp = await startSmtpSink();
    vault = await startTestApp({
      db: testDb.db,
      config: testConfig({
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Vault <vault@example.test>',
        OUTBOX_POLL_INTERVAL_MS: '50',
      }),
    });
  });
  afterAll(async () => {
    await vault?.close();
    await smtp?.close();
    await testDb?.drop();
  });

  it('sends the invitation to the invited address with the site, the inviter and the vault link', async () => {
    const res = await sendEvent(
      vault.baseUrl,
      forgeEvent('trusted_user.invited', { email: '  Ana.Silva@Example.com ', invitedBy: admin }, site),
    );
    expect(res.status).toBe(200);
    const [received] = await smtp.waitForMail(1);
    expect(received?.to).toEqual(['ana.silva@example.com']);
    expect(received?.from).toBe('vault@example.test');
    const mail = received!.mail;
    expect(mail.subject).toBe('You have been invited to the Assets Backup Vault of acme.atlassian.net');
    expect(mail.text).toContain('Grace <Hopper> & "Co" invited you (ana.silva@example.com)');
    expect(mail.text).toContain('Open https://vault.example.test');
    expect(mail.text).toContain('https://acme.atlassian.net');
    expect(mail.text).toContain('Choose "Google" or "Microsoft"');
    // The HTML part links the vault and escapes the inviter's name.
    const html = String(mail.html);
    expect(html).toContain('<a href="https://vault.example.test">');
    expect(html).toContain('Grace &lt;Hopper&gt; &amp; &quot;Co&quot;');
    expect(html).not.toContain('<Hopper>');

    const user = await testDb.db
      .selectFrom('trusted_user')
      .select(['status', 'invited_by_name'])
      .where('email', '=', 'ana.silva@example.com')
      .executeTakeFirstOrThrow();
    expect(user).toEqual({ status: 'invited', invited_by_name: admin.displayName });
    const outbox = await waitFor('outbox row sent', async () => {
      const row = await testDb.db
        .selectFrom('email_outbox')
        .select(['status', 'attempts'])
        .where('to_address', '=', 'ana.silva@example.com')
        .executeTakeFirstOrThrow();
      return row.status === 'sent' ? row : undefined;
    });
    expect(outbox.attempts).toBe(1);
  });

  it('re-sends on a re-invite and keeps an active user active', async () => {
    smtp.inbox.length = 0;
    const email = 'bob@example.com';
    expect(
      (await sendEvent(vault.baseUrl, forgeEvent('trusted_user.invited', { email, invitedBy: admin }, site))).status,
    ).toBe(200);
    await smtp.waitForMail(1);
    // Bob logged in meanwhile (the identity module does this on first login).
    await testDb.db
      .updateTable('trusted_user')
      .set({ status: 'active', activated_at: new Date() })
      .where('email', '=', email)
      .execute();

    const again = await sendEvent(
      vault.baseUrl,
      forgeEvent(
        'trusted_user.invited',
        { email, invitedBy: { accountId: 'acc-2', displayName: 'Other Admin' } },
        site,
      ),
    );
    expect(again.status).toBe(200);
    expect(again.body.result).toMatchObject({ outcome: 'reinvited', status: 'active' });
    const inbox = await smtp.waitForMail(2);
    expect(inbox.map((m) => m.to[0])).toEqual([email, email]);
    expect(inbox[1]?.mail.text).toContain('Other Admin invited you');
    const user = await testDb.db
      .selectFrom('trusted_user')
      .select(['status', 'invited_by_name'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    expect(user).toEqual({ status: 'active', invited_by_name: 'Other Admin' });
  });

  it('removal sends nothing and revokes the user; a later re-invite makes them invited again', async () => {
    const email = 'carol@example.com';
    const t0 = Date.now();
    expect(
      (
        await sendEvent(
          vault.baseUrl,
          forgeEvent('trusted_user.invited', { email, invitedBy: admin }, site, new Date(t0 - 3000)),
        )
      ).status,
    ).toBe(200);
    await waitFor('invitation sent', async () => (smtp.inbox.some((m) => m.to[0] === email) ? true : undefined));
    const mailsBefore = smtp.inbox.length;

    const removed = await sendEvent(
      vault.baseUrl,
      forgeEvent('trusted_user.removed', { email, removedBy: admin }, site, new Date(t0 - 2000)),
    );
    expect(removed.status).toBe(200);
    expect(removed.body.result).toMatchObject({ outcome: 'removed', status: 'removed' });
    const user = await testDb.db
      .selectFrom('trusted_user')
      .select(['status', 'removed_by_name', 'removed_at'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    expect(user.status).toBe('removed');
    expect(user.removed_by_name).toBe(admin.displayName);
    const pending = await testDb.db.selectFrom('email_outbox').select('id').where('to_address', '=', email).execute();
    expect(pending).toHaveLength(1); // only the invitation

    // A delayed retry of the original invitation (older than the removal) must not restore access.
    const stale = await sendEvent(
      vault.baseUrl,
      forgeEvent('trusted_user.invited', { email, invitedBy: admin }, site, new Date(t0 - 2500)),
    );
    expect(stale.status).toBe(200);
    expect(stale.body.result).toMatchObject({ outcome: 'stale', status: 'removed' });

    const reinvited = await sendEvent(
      vault.baseUrl,
      forgeEvent('trusted_user.invited', { email, invitedBy: admin }, site, new Date(t0 - 1000)),
    );
    expect(reinvited.body.result).toMatchObject({ outcome: 'reinvited', status: 'invited' });
    await smtp.waitForMail(mailsBefore + 1);
    expect(smtp.inbox.filter((m) => m.to[0] === email)).toHaveLength(2);
  });

  it('removal ends a live session of the user: the next request is 401', async () => {
    const email = 'erin@example.com';
    expect(
      (await sendEvent(vault.baseUrl, forgeEvent('trusted_user.invited', { email, invitedBy: admin }, site))).status,
    ).toBe(200);
    const user = await testDb.db
      .selectFrom('trusted_user')
      .select(['id', 'site_id'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    await testDb.db
      .updateTable('trusted_user')
      .set({ status: 'active', activated_at: new Date() })
      .where('id', '=', user.id)
      .execute();
    const cookie = await createTestSession(testDb.db, { siteId: user.site_id, trustedUserId: user.id, email });
    expect((await fetch(`${vault.baseUrl}/api/v1/trusted-users`, { headers: { cookie } })).status).toBe(200);

    const removed = await sendEvent(
      vault.baseUrl,
      forgeEvent('trusted_user.removed', { email, removedBy: admin }, site),
    );
    expect(removed.status).toBe(200);
    const sessions = await testDb.db
      .selectFrom('session')
      .select('id')
      .where('trusted_user_id', '=', user.id)
      .execute();
    expect(sessions).toEqual([]);
    const after = await fetch(`${vault.baseUrl}/api/v1/trusted-users`, { headers: { cookie } });
    expect(after.status).toBe(401);
    const audit = await testDb.db
      .selectFrom('audit_event')
      .select('details')
      .where('action', '=', 'trusted_user.removed')
      .where('target', '=', email)
      .executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ sessionsDeleted: 1, previousStatus: 'active' });
  });

  it('records who invited and removed whom in the audit log', async () => {
    const rows = await testDb.db
      .selectFrom('audit_event')
      .select(['actor', 'action', 'target'])
      .where('target', '=', 'carol@example.com')
      .orderBy('created_at')
      .execute();
    expect(rows.map((r) => r.action)).toEqual(['trusted_user.invited', 'trusted_user.removed', 'trusted_user.invited']);
    expect(rows.every((r) => r.actor === 'forge:acc-admin-7')).toBe(true);
  });
});

describe('invitation e-mail while SMTP is down', () => {
  let testDb: TestDatabase;
  let vault: TestApp;
  let smtp: SmtpSink | undefined;

  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await vault?.close();
    await smtp?.close();
    await testDb?.drop();
  });

  it('retries with backoff and delivers exactly once after the server comes back', async () => {
    const port = await freePort();
    vault = await startTestApp({
      db: testDb.db,
      // Short delays keep the test fast; many attempts keep a slow machine from running out of them.
      config: testConfig({
        SMTP_URL: `smtp://127.0.0.1:${port}`,
        OUTBOX_POLL_INTERVAL_MS: '20',
        OUTBOX_RETRY_BASE_MS: '50',
        OUTBOX_RETRY_MAX_MS: '200',
        OUTBOX_MAX_ATTEMPTS: '500',
      }),
    });
    const email = 'dora@example.com';
    expect(
      (await sendEvent(vault.baseUrl, forgeEvent('trusted_user.invited', { email, invitedBy: admin }, site))).status,
    ).toBe(200);

    // Nothing listens on the port: attempts fail and are rescheduled, the row stays pending.
    const failing = await waitFor('two failed attempts', async () => {
      const row = await testDb.db
        .selectFrom('email_outbox')
        .select(['status', 'attempts', 'last_error', 'run_after'])
        .where('to_address', '=', email)
        .executeTakeFirstOrThrow();
      return row.attempts >= 2 ? row : undefined;
    });
    expect(failing.status).toBe('pending');
    expect(failing.last_error).toMatch(/ECONNREFUSED|connect/i);

    smtp = await startSmtpSink({ port });
    await smtp.waitForMail(1);
    const sent = await waitFor('row marked sent', async () => {
      const row = await testDb.db
        .selectFrom('email_outbox')
        .select(['status', 'attempts', 'sent_at', 'last_error'])
        .where('to_address', '=', email)
        .executeTakeFirstOrThrow();
      return row.status === 'sent' ? row : undefined;
    });
    expect(sent.attempts).toBeGreaterThanOrEqual(3);
    expect(sent.last_error).toBeNull();
    // A sent e-mail is never claimed again: an extra poll finds nothing to do.
    expect(await vault.app.workers.emailOutbox?.runOnce()).toBe(false);
    expect(smtp.inbox).toHaveLength(1);
    expect(smtp.inbox[0]?.to).toEqual([email]);
    const counts = await countAllRows(testDb.url);
    expect(counts.email_outbox).toBe(1);
  });
});
