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

  it('redacts secrets by key name at any depth, in bindings and inside errors', () => {
    const capture = captureLogs('info');
    const v = (name: string) => `secret-${name}-91c4`;
    const child = capture.logger.child({ module: 'credentials', apiToken: v('binding') });
    child.info(
      {
        apiToken: v('top'),
        site: { credentials: { auth: { api_token: v('depth3'), password: v('depth3-password') } } },
        list: [{ deeper: [{ refreshToken: v('in-array') }] }],
        'Set-Cookie': v('set-cookie'),
        harmless: 'visible-value',
      },
      'deep',
    );
    const cause = Object.assign(new Error('upstream refused'), { token: v('cause') });
    const err = Object.assign(new Error('request failed', { cause }), {
      request: { headers: { Authorization: v('error-header') } },
      apiToken: v('error-field'),
    });
    child.error({ err }, 'with error');
    child.warn({ detail: { failure: cause } }, 'nested error');
    const circular: Record<string, unknown> = { secret: v('circular') };
    circular.self = circular;
    child.info({ circular }, 'circular');

    const text = capture.text();
    const entries = capture.entries();
    expect(entries.map((e) => e.msg)).toEqual(['deep', 'with error', 'nested error', 'circular']);
    expect(text).not.toContain('-91c4');
    expect(text).toContain('visible-value');
    expect(text).toContain('upstream refused');
    const [deep, withError] = entries as [Record<string, unknown>, Record<string, unknown>];
    expect(deep.apiToken).toBe('[Redacted]');
    expect(deep.site).toEqual({ credentials: { auth: { api_token: '[Redacted]', password: '[Redacted]' } } });
    expect((withError.err as { message: string }).message).toBe('request failed: upstream refused');
  });

  it('strips credential query parameters from logged URLs', () => {
    expect(redactUrl('/auth/callback/google?code=abc&state=def&scope=openid')).toBe(
      '/auth/callback/google?code=%5BRedacted%5D&state=%5BRedacted%5D&scope=openid',
    );
    expect(redactUrl('/api/v1/schemas')).toBe('/api/v1/schemas');
  });
});
