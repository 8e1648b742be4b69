/**
 * Webhook security of POST /api/v1/forge/events (security.md 1–6): every attack is rejected with
 * nothing written in any table; a valid retry is applied once. Real Postgres, real HTTP, real signing.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret } from '@assets-vault/shared/webhooks';
import { countAllRows, createTestDatabase, type TestDatabase } from './helpers/db.js';
import { startTestApp, testConfig, TEST_WEBHOOK_SECRET, type TestApp } from './helpers/app.js';
import { forgeEvent, postSigned, sendEvent, signEvent } from './helpers/forge.js';

const site = { cloudId: 'cloud-sec-1', siteUrl: 'https://acme.atlassian.net' };
const invitedBy = { accountId: 'acc-admin-1', displayName: 'Ada Admin' };

function invite(email: string, at = new Date()) {
  return forgeEvent('trusted_user.invited', { email, invitedBy }, site, at);
}

describe('POST /api/v1/forge/events security', () => {
  let testDb: TestDatabase;
  let vault: TestApp;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    vault = await startTestApp({ db: testDb.db, config: testConfig({ VAULT_WORKERS: 'false' }) });
  });
  afterAll(async () => {
    await vault?.close();
    await testDb?.drop();
  });

  /** Runs `attack` and asserts it was refused with `status` and that no table gained or lost a row. */
  async function expectRejectedWithoutWrites(
    status: number,
    attack: () => Promise<{ status: number; body: Record<string, unknown> }>,
  ) {
    const before = await countAllRows(testDb.url);
    const res = await attack();
    expect(res.status).toBe(status);
    expect(typeof res.body.error).toBe('string');
    expect(await countAllRows(testDb.url)).toEqual(before);
    return res;
  }

  it('accepts an event signed with the standardwebhooks library (not our signer)', async () => {
    const body = JSON.stringify(invite('lib.signed@example.com'));
    const id = `msg_${randomUUID()}`;
    const signature = new Webhook(TEST_WEBHOOK_SECRET).sign(id, new Date(), body);
    const res = await postSigned(vault.baseUrl, {
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': signature,
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'processed', webhookId: id, type: 'trusted_user.invited' });
    const user = await testDb.db
      .selectFrom('trusted_user')
      .select(['email', 'status'])
      .where('email', '=', 'lib.signed@example.com')
      .executeTakeFirst();
    expect(user).toEqual({ email: 'lib.signed@example.com', status: 'invited' });
  });

  it('rejects a forged signature', async () => {
    await expectRejectedWithoutWrites(401, () => {
      const signed = signEvent(invite('forged@example.com'));
      signed.headers['webhook-signature'] = `v1,${randomBytes(32).toString('base64')}`;
      return postSigned(vault.baseUrl, signed);
    });
  });

  it('rejects a signature made with another secret', async () => {
    await expectRejectedWithoutWrites(401, () =>
      sendEvent(vault.baseUrl, invite('wrong.secret@example.com'), { secret: generateWebhookSecret() }),
    );
  });

  it('rejects a body altered by one byte after signing', async () => {
    const res = await expectRejectedWithoutWrites(401, () => {
      const signed = signEvent(invite('tamper@example.com'));
      // "tamper@" → "tamper!" : same length, one byte different.
      const altered = signed.body.replace('tamper@', 'tamper!');
      expect(Buffer.byteLength(altered)).toBe(Buffer.byteLength(signed.body));
      expect(altered).not.toBe(signed.body);
      return postSigned(vault.baseUrl, { ...signed, body: altered });
    });
    expect(res.body.error).toBe('webhook_verification_failed');
  });

  it('rejects a timestamp older than 5 minutes', async () => {
    await expectRejectedWithoutWrites(401, () =>
      sendEvent(vault.baseUrl, invite('stale@example.com'), { timestampSec: Math.floor(Date.now() / 1000) - 6 * 60 }),
    );
  });

  it('rejects a timestamp more than 5 minutes in the future', async () => {
    await expectRejectedWithoutWrites(401, () =>
      sendEvent(vault.baseUrl, invite('future@example.com'), { timestampSec: Math.floor(Date.now() / 1000) + 6 * 60 }),
    );
  });

  it('rejects a request without signature headers', async () => {
    await expectRejectedWithoutWrites(401, async () => {
      const res = await fetch(`${vault.baseUrl}/api/v1/forge/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(invite('unsigned@example.com')),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    });
  });

  it('rejects a replayed webhook-id carrying a different body', async () => {
    const id = `msg_${randomUUID()}`;
    const first = await sendEvent(vault.baseUrl, invite('first.body@example.com'), { id });
    expect(first.status).toBe(200);
    const res = await expectRejectedWithoutWrites(409, () =>
      sendEvent(vault.baseUrl, invite('second.body@example.com'), { id }),
    );
    expect(res.body.error).toBe('webhook_id_reused');
    const second = await testDb.db
      .selectFrom('trusted_user')
      .select('id')
      .where('email', '=', 'second.body@example.com')
      .executeTakeFirst();
    expect(second).toBeUndefined();
  });

  it('applies a valid retry (same id, same body) exactly once and answers the stored response', async () => {
    const signed = signEvent(invite('retry@example.com'));
    const first = await postSigned(vault.baseUrl, signed);
    expect(first.status).toBe(200);
    expect(first.headers.get('webhook-duplicate')).toBeNull();
    const before = await countAllRows(testDb.url);
    // A retry is re-signed with a fresh timestamp, as a sender's retry would be.
    const retry = await postSigned(
      vault.baseUrl,
      signEvent(undefined, { id: signed.headers['webhook-id'], body: signed.body }),
    );
    expect(retry.status).toBe(200);
    expect(retry.headers.get('webhook-duplicate')).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await countAllRows(testDb.url)).toEqual(before);
    const emails = await testDb.db
      .selectFrom('email_outbox')
      .select('id')
      .where('to_address', '=', 'retry@example.com')
      .execute();
    expect(emails).toHaveLength(1);
  });

  it('applies concurrent deliveries of the same message once', async () => {
    const signed = signEvent(invite('concurrent@example.com'));
    const results = await Promise.all([1, 2, 3, 4].map(() => postSigned(vault.baseUrl, signed)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(results.filter((r) => r.headers.get('webhook-duplicate') === 'true')).toHaveLength(3);
    const audits = await testDb.db
      .selectFrom('audit_event')
      .select('id')
      .where('action', '=', 'trusted_user.invited')
      .where('target', '=', 'concurrent@example.com')
      .execute();
    expect(audits).toHaveLength(1);
  });

  it('refuses an unknown event type with 422 and writes nothing', async () => {
    const res = await expectRejectedWithoutWrites(422, () =>
      sendEvent(vault.baseUrl, forgeEvent('site.exploded', {}, site)),
    );
    expect(res.body.error).toBe('unknown_event_type');
  });

  it('refuses invalid event data with 422 and writes nothing', async () => {
    await expectRejectedWithoutWrites(422, () =>
      sendEvent(vault.baseUrl, forgeEvent('trusted_user.invited', { email: 'no-inviter@example.com' }, site)),
    );
    await expectRejectedWithoutWrites(422, () => sendEvent(vault.baseUrl, invite('not an email')));
    await expectRejectedWithoutWrites(422, () =>
      sendEvent(
        vault.baseUrl,
        forgeEvent('schema.synced', { schemaId: '7', name: 'IT', key: 'IT', objectCount: -1 }, site),
      ),
    );
    const noCloud = { ...invite('x@example.com'), cloudId: undefined };
    await expectRejectedWithoutWrites(422, () => sendEvent(vault.baseUrl, noCloud));
  });

  it('refuses signed bytes that are not JSON with 422', async () => {
    const res = await expectRejectedWithoutWrites(422, () =>
      sendEvent(vault.baseUrl, undefined, { body: '{"type": "trusted_user.invited", ' }),
    );
    expect(res.body.error).toBe('invalid_json');
  });

  it('refuses an http:// or non-Atlassian site URL unless insecure site URLs are allowed', async () => {
    const httpSite = { cloudId: 'cloud-http', siteUrl: 'http://127.0.0.1:9999' };
    const res = await expectRejectedWithoutWrites(422, () =>
      sendEvent(
        vault.baseUrl,
        forgeEvent('installation.connected', { workspaceId: 'ws', appVersion: '1.0.0' }, httpSite),
      ),
    );
    expect(res.body.error).toBe('invalid_site_url');
    await expectRejectedWithoutWrites(422, () =>
      sendEvent(
        vault.baseUrl,
        forgeEvent(
          'installation.connected',
          { workspaceId: 'ws', appVersion: '1.0.0' },
          { cloudId: 'cloud-evil', siteUrl: 'https://evil.example.com' },
        ),
      ),
    );
  });

  it('refuses a body over 64 KiB with 413 and writes nothing', async () => {
    const big = invite('big@example.com');
    big.data.padding = 'x'.repeat(70 * 1024);
    const res = await expectRejectedWithoutWrites(413, () => sendEvent(vault.baseUrl, big));
    expect(res.body.error).toBe('payload_too_large');
  });

  it('refuses a URL that is already registered to another cloudId with 409', async () => {
    const ok = await sendEvent(
      vault.baseUrl,
      forgeEvent('installation.connected', { workspaceId: 'ws-1', appVersion: '1.0.0' }, site),
    );
    expect(ok.status).toBe(200);
    const res = await expectRejectedWithoutWrites(409, () =>
      sendEvent(
        vault.baseUrl,
        forgeEvent(
          'installation.connected',
          { workspaceId: 'ws-2', appVersion: '1.0.0' },
          { cloudId: 'another-cloud', siteUrl: site.siteUrl },
        ),
      ),
    );
    expect(res.body.error).toBe('site_url_conflict');
  });
});

describe('secret rotation and rate limiting', () => {
  const oldSecret = generateWebhookSecret();
  const newSecret = generateWebhookSecret();
  let testDb: TestDatabase;
  let vault: TestApp;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    vault = await startTestApp({
      db: testDb.db,
      config: testConfig({
        VAULT_WORKERS: 'false',
        FORGE_WEBHOOK_SECRETS: `${oldSecret},${newSecret}`,
        FORGE_EVENTS_RATE_LIMIT: '6',
      }),
    });
  });
  afterAll(async () => {
    await vault?.close();
    await testDb?.drop();
  });

  it('accepts either active secret, and a header carrying several signatures', async () => {
    const connected = forgeEvent('installation.connected', { workspaceId: 'ws', appVersion: '2.0.0' }, site);
    expect((await sendEvent(vault.baseUrl, connected, { secret: oldSecret })).status).toBe(200);
    expect((await sendEvent(vault.baseUrl, connected, { secret: newSecret })).status).toBe(200);
    expect((await sendEvent(vault.baseUrl, connected, { secret: [generateWebhookSecret(), newSecret] })).status).toBe(
      200,
    );
    // A secret that is no longer configured fails.
    expect((await sendEvent(vault.baseUrl, connected, { secret: TEST_WEBHOOK_SECRET })).status).toBe(401);
  });

  it('answers 429 once the per-minute limit is used up', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (
          await sendEvent(
            vault.baseUrl,
            forgeEvent('installation.connected', { workspaceId: 'ws', appVersion: '2.0.0' }, site),
            { secret: newSecret },
          )
        ).status,
      );
    }
    // 4 requests above + 4 in the previous test = 8 > 6 within the same minute.
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses.slice(2)).toEqual([429, 429]);
    const res = await sendEvent(
      vault.baseUrl,
      forgeEvent('installation.connected', { workspaceId: 'ws', appVersion: '2.0.0' }, site),
      { secret: newSecret },
    );
    expect(res.status).toBe(429);
    expect(res.body.error).toBe('rate_limited');
    expect(res.headers.get('retry-after')).not.toBeNull();
  });
});
