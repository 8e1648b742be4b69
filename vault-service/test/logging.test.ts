/** Secrets never reach the logs (style.md §11, security.md 14): captured pino output of real requests. */
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { captureLogs, startTestApp, testConfig, TEST_WEBHOOK_SECRET, type TestApp } from './helpers/app.js';
import { forgeEvent, postSigned, signEvent } from './helpers/forge.js';
import { redactPaths, redactUrl } from '../src/logger.js';

const site = { cloudId: 'cloud-log-1', siteUrl: 'https://logs.atlassian.net' };

describe('log redaction', () => {
  let testDb: TestDatabase;
  let vault: TestApp;
  const logs = captureLogs('trace');

  beforeAll(async () => {
    testDb = await createTestDatabase();
    vault = await startTestApp({
      db: testDb.db,
      config: testConfig({ VAULT_WORKERS: 'false' }),
      deps: { logger: logs.logger },
    });
  });
  afterAll(async () => {
    await vault?.close();
    await testDb?.drop();
  });

  it('a webhook request logs no secret, signature, cookie, authorization or body value', async () => {
    const email = 'private.person@example.com';
    const signed = signEvent(
      forgeEvent(
        'trusted_user.invited',
        { email, invitedBy: { accountId: 'acc-9', displayName: 'Secret Admin Name' } },
        site,
      ),
    );
    const extra = { cookie: '__Host-vault_session=cookie-value-123', authorization: 'Bearer auth-token-456' };
    const ok = await postSigned(vault.baseUrl, { body: signed.body, headers: { ...signed.headers, ...extra } });
    expect(ok.status).toBe(200);
    // A rejected one too: failures must not log what they rejected either.
    const bad = await postSigned(vault.baseUrl, {
      body: signed.body.replace('private', 'PRIVATE'),
      headers: { ...signed.headers, ...extra, 'webhook-id': 'msg_other' },
    });
    expect(bad.status).toBe(401);

    const text = logs.text();
    const entries = logs.entries();
    // The capture really saw these requests (a silent logger would pass every check below).
    expect(entries.some((e) => e.msg === 'forge event applied')).toBe(true);
    expect(entries.filter((e) => e.msg === 'incoming request').length).toBeGreaterThanOrEqual(2);

    const signature = String(signed.headers['webhook-signature']).slice(3);
    expect(signature.length).toBeGreaterThan(40);
    for (const forbidden of [
      TEST_WEBHOOK_SECRET,
      TEST_WEBHOOK_SECRET.slice(6),
      signature,
      'cookie-value-123',
      'auth-token-456',
      email,
      'Secret Admin Name',
    ]) {
      expect(text).not.toContain(forbidden);
    }
  });

  it('redacts every configured path when code logs such objects', () => {
    const capture = captureLogs('info');
    const v = (name: string) => `value-of-${name}-7f3a`;
    capture.logger.info(
      {
        req: {
          headers: {
            authorization: v('authorization'),
            cookie: v('cookie'),
            'webhook-signature': v('signature'),
            'x-vault-csrf': v('csrf'),
          },
        },
        res: { headers: { 'set-cookie': v('set-cookie') } },
        credentials: {
          apiToken: v('apiToken'),
          password: v('password'),
          secret: v('secret'),
          clientSecret: v('clientSecret'),
          token: v('token'),
        },
        config: {
          smtpUrl: v('smtpUrl'),
          databaseUrl: v('databaseUrl'),
          forgeWebhookSecrets: [v('webhookSecret')],
          sessionSecret: v('sessionSecret'),
        },
      },
      'check',
    );
    const text = capture.text();
    expect(text).toContain('"msg":"check"');
    expect(text).not.toContain('value-of-');
    // The request serializer drops headers altogether; the ten other values are censored in place.
    expect(text.match(/\[Redacted\]/g)?.length).toBe(10);
    const entry = capture.entries()[0] as {
      credentials: Record<string, string>;
      res: { headers: Record<string, string> };
    };
    expect(entry.credentials.apiToken).toBe('[Redacted]');
    expect(entry.res.headers['set-cookie']).toBe('[Redacted]');
    expect(redactPaths).toContain('req.headers["webhook-signature"]');
  });

  it('strips credential query parameters from logged URLs', () => {
    expect(redactUrl('/auth/callback/google?code=abc&state=def&scope=openid')).toBe(
      '/auth/callback/google?code=%5BRedacted%5D&state=%5BRedacted%5D&scope=openid',
    );
    expect(redactUrl('/api/v1/schemas')).toBe('/api/v1/schemas');
  });
});
