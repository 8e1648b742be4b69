import { readFileSync } from 'node:fs';
import { Webhook, WebhookVerificationError as LibraryVerificationError } from 'standardwebhooks';
import {
  InvalidWebhookSecretError,
  WebhookVerificationError,
  generateWebhookSecret,
  isValidWebhookSecret,
  signWebhook,
  verifyWebhook,
} from '../src/webhooks/index.js';
import type { WebhookVerificationReason } from '../src/webhooks/index.js';

interface Vector {
  secret: string;
  id: string;
  timestamp: number;
  body: string;
  expectedSignature: string;
  binary: { id: string; bodyBase64: string; expectedSignature: string };
}
const vector = JSON.parse(readFileSync(new URL('./fixtures/webhook-vector.json', import.meta.url), 'utf8')) as Vector;

const NOW = 1_764_064_800;
const secret = generateWebhookSecret();
const body = JSON.stringify({
  type: 'trusted_user.invited',
  cloudId: 'c-1',
  siteUrl: 'https://acme.atlassian.net',
  data: { email: 'ana@example.com' },
});

function reasonOf(fn: () => unknown): WebhookVerificationReason {
  try {
    fn();
  } catch (err) {
    if (err instanceof WebhookVerificationError) return err.reason;
    throw err;
  }
  throw new Error('expected verification to fail');
}

function signed(overrides: Partial<Record<string, string>> = {}) {
  return { ...signWebhook({ secrets: secret, id: 'msg_1', timestampSec: NOW, body }), ...overrides };
}

describe('known-answer vectors', () => {
  test('our fixture vector signs and verifies', () => {
    const headers = signWebhook({
      secrets: vector.secret,
      id: vector.id,
      timestampSec: vector.timestamp,
      body: vector.body,
    });
    expect(headers['webhook-signature']).toBe(vector.expectedSignature);
    expect(verifyWebhook({ secrets: vector.secret, headers, body: vector.body, nowSec: vector.timestamp })).toEqual({
      id: vector.id,
      timestampSec: vector.timestamp,
    });
  });

  test('the binary fixture vector is signed over raw bytes', () => {
    const bytes = new Uint8Array(Buffer.from(vector.binary.bodyBase64, 'base64'));
    const headers = signWebhook({
      secrets: vector.secret,
      id: vector.binary.id,
      timestampSec: vector.timestamp,
      body: bytes,
    });
    expect(headers['webhook-signature']).toBe(vector.binary.expectedSignature);
    expect(verifyWebhook({ secrets: vector.secret, headers, body: bytes, nowSec: vector.timestamp }).id).toBe(
      vector.binary.id,
    );
    const altered = bytes.slice();
    altered[altered.length - 1] = (altered[altered.length - 1] ?? 0) ^ 0x01;
    expect(
      reasonOf(() => verifyWebhook({ secrets: vector.secret, headers, body: altered, nowSec: vector.timestamp })),
    ).toBe('bad_signature');
  });

  test('the Standard Webhooks specification vector', () => {
    // Published with the spec's reference libraries (standard-webhooks/standard-webhooks tests).
    const headers = signWebhook({
      secrets: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestampSec: 1614265330,
      body: '{"test": 2432232314}',
    });
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
});

describe('attacks are rejected', () => {
  test('a valid message passes, with Node-style, mixed-case and fetch Headers', () => {
    expect(verifyWebhook({ secrets: secret, headers: signed(), body, nowSec: NOW })).toEqual({
      id: 'msg_1',
      timestampSec: NOW,
    });
    const mixed = Object.fromEntries(Object.entries(signed()).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyWebhook({ secrets: secret, headers: mixed, body, nowSec: NOW }).id).toBe('msg_1');
    expect(verifyWebhook({ secrets: secret, headers: new Headers(signed()), body, nowSec: NOW }).id).toBe('msg_1');
  });

  test.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])('missing %s', (name) => {
    const headers: Record<string, string | undefined> = signed();
    delete headers[name];
    expect(reasonOf(() => verifyWebhook({ secrets: secret, headers, body, nowSec: NOW }))).toBe('missing_headers');
  });

  test('empty header values count as missing', () => {
    expect(
      reasonOf(() =>
        verifyWebhook({ secrets: secret, headers: signed({ 'webhook-signature': '' }), body, nowSec: NOW }),
      ),
    ).toBe('missing_headers');
  });

  test('a header sent twice (array value) is not trusted', () => {
    const headers = { ...signed(), 'webhook-id': ['msg_1', 'msg_2'] };
    expect(reasonOf(() => verifyWebhook({ secrets: secret, headers, body, nowSec: NOW }))).toBe('missing_headers');
  });

  test.each(['abc', '12.5', '-5', '1e9', ' 1764064800', '0x6929'])('non-numeric timestamp %j', (ts) => {
    expect(
      reasonOf(() =>
        verifyWebhook({ secrets: secret, headers: signed({ 'webhook-timestamp': ts }), body, nowSec: NOW }),
      ),
    ).toBe('bad_timestamp');
  });

  test('a timestamp changed after signing fails the signature', () => {
    const headers = signed({ 'webhook-timestamp': String(NOW + 1) });
    expect(reasonOf(() => verifyWebhook({ secrets: secret, headers, body, nowSec: NOW }))).toBe('bad_signature');
  });

  test('too old and too new, with the tolerance edges inclusive', () => {
    const at = (ts: number) => signWebhook({ secrets: secret, id: 'msg_1', timestampSec: ts, body });
    expect(reasonOf(() => verifyWebhook({ secrets: secret, headers: at(NOW - 301), body, nowSec: NOW }))).toBe(
      'timestamp_too_old',
    );
    expect(reasonOf(() => verifyWebhook({ secrets: secret, headers: at(NOW + 301), body, nowSec: NOW }))).toBe(
      'timestamp_too_new',
    );
    expect(verifyWebhook({ secrets: secret, headers: at(NOW - 300), body, nowSec: NOW }).timestampSec).toBe(NOW - 300);
    expect(verifyWebhook({ secrets: secret, headers: at(NOW + 300), body, nowSec: NOW }).timestampSec).toBe(NOW + 300);
    expect(
      reasonOf(() => verifyWebhook({ secrets: secret, headers: at(NOW - 61), body, nowSec: NOW, toleranceSec: 60 })),
    ).toBe('timestamp_too_old');
  });

  test('truncated, padded, re-encoded and unversioned signatures', () => {
    const good = signed()['webhook-signature'];
    const raw = good.slice(3);
    const variants = [
      good.slice(0, -1),
      good.slice(0, -5),
      `${good}A`,
      `v2,${raw}`,
      raw,
      `v1,${Buffer.from(raw, 'base64').toString('hex')}`,
      `v1,${raw.replace(/=+$/, '')}`,
      'v1,',
      `v1 ,${raw}`,
    ];
    for (const sig of variants) {
      expect([
        sig,
        reasonOf(() =>
          verifyWebhook({ secrets: secret, headers: signed({ 'webhook-signature': sig }), body, nowSec: NOW }),
        ),
      ]).toEqual([sig, 'bad_signature']);
    }
  });

  test('wrong secret', () => {
    expect(
      reasonOf(() => verifyWebhook({ secrets: generateWebhookSecret(), headers: signed(), body, nowSec: NOW })),
    ).toBe('bad_signature');
  });

  test('a signature for another id is not reusable', () => {
    const headers = signed({ 'webhook-id': 'msg_2' });
    expect(reasonOf(() => verifyWebhook({ secrets: secret, headers, body, nowSec: NOW }))).toBe('bad_signature');
  });

  test('body altered by one byte, as string and as bytes', () => {
    const headers = signed();
    const bytes = new Uint8Array(Buffer.from(body, 'utf8'));
    expect(verifyWebhook({ secrets: secret, headers, body: bytes, nowSec: NOW }).id).toBe('msg_1');
    for (let i = 0; i < bytes.length; i += 7) {
      const altered = bytes.slice();
      altered[i] = (altered[i] ?? 0) ^ 0x20;
      expect(reasonOf(() => verifyWebhook({ secrets: secret, headers, body: altered, nowSec: NOW }))).toBe(
        'bad_signature',
      );
    }
    expect(
      reasonOf(() => verifyWebhook({ secrets: secret, headers, body: body.replace('ana', 'eve'), nowSec: NOW })),
    ).toBe('bad_signature');
    expect(reasonOf(() => verifyWebhook({ secrets: secret, headers, body: `${body} `, nowSec: NOW }))).toBe(
      'bad_signature',
    );
  });

  test('verification does not parse the body', () => {
    const notJson = 'this is {not json';
    const headers = signWebhook({ secrets: secret, id: 'msg_raw', timestampSec: NOW, body: notJson });
    expect(verifyWebhook({ secrets: secret, headers, body: notJson, nowSec: NOW }).id).toBe('msg_raw');
  });

  test('the error is a 401 AppError with a stable code and no secret in its message', () => {
    let caught: unknown;
    try {
      verifyWebhook({ secrets: secret, headers: signed({ 'webhook-signature': 'v1,AAAA' }), body, nowSec: NOW });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(WebhookVerificationError);
    const err = caught as WebhookVerificationError;
    expect([err.statusCode, err.code, err.reason, err.name]).toEqual([
      401,
      'webhook_verification_failed',
      'bad_signature',
      'WebhookVerificationError',
    ]);
    expect(err.message).not.toContain(secret.slice(6, 20));
  });
});

describe('secret rotation', () => {
  const oldSecret = generateWebhookSecret();
  const newSecret = generateWebhookSecret();

  test('signing with two secrets puts two space-separated signatures in the header', () => {
    const headers = signWebhook({ secrets: [newSecret, oldSecret], id: 'msg_r', timestampSec: NOW, body });
    const parts = headers['webhook-signature'].split(' ');
    expect(parts).toHaveLength(2);
    expect(parts[0]).toBe(
      signWebhook({ secrets: newSecret, id: 'msg_r', timestampSec: NOW, body })['webhook-signature'],
    );
    expect(parts[1]).toBe(
      signWebhook({ secrets: oldSecret, id: 'msg_r', timestampSec: NOW, body })['webhook-signature'],
    );
    // a receiver that knows only one of them accepts
    expect(verifyWebhook({ secrets: [oldSecret], headers, body, nowSec: NOW }).id).toBe('msg_r');
    expect(verifyWebhook({ secrets: [newSecret], headers, body, nowSec: NOW }).id).toBe('msg_r');
  });

  test('a receiver with two secrets accepts a message signed by either', () => {
    for (const s of [oldSecret, newSecret]) {
      const headers = signWebhook({ secrets: s, id: 'msg_r', timestampSec: NOW, body });
      expect(verifyWebhook({ secrets: [newSecret, oldSecret], headers, body, nowSec: NOW }).id).toBe('msg_r');
    }
  });

  test('a removed secret fails', () => {
    const headers = signWebhook({ secrets: oldSecret, id: 'msg_r', timestampSec: NOW, body });
    expect(reasonOf(() => verifyWebhook({ secrets: [newSecret], headers, body, nowSec: NOW }))).toBe('bad_signature');
  });
});

describe('secrets', () => {
  test('generated secrets are whsec_ + 32 random bytes', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(a);
    expect(isValidWebhookSecret(a)).toBe(true);
  });

  test.each(['', 'whsec_', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_not base64!', 'whsec_c2hvcnQ=', 'whsec_abc'])(
    'rejects malformed secret %j',
    (bad) => {
      expect(isValidWebhookSecret(bad)).toBe(false);
      expect(() => signWebhook({ secrets: bad, id: 'm', body: '' })).toThrow(InvalidWebhookSecretError);
      expect(() => verifyWebhook({ secrets: [bad], headers: signed(), body, nowSec: NOW })).toThrow(
        InvalidWebhookSecretError,
      );
    },
  );

  test('an empty secret list is a configuration error, not an open door', () => {
    expect(() => verifyWebhook({ secrets: [], headers: signed(), body, nowSec: NOW })).toThrow(
      InvalidWebhookSecretError,
    );
  });
});

describe('interoperability with the standardwebhooks library', () => {
  const now = () => Math.floor(Date.now() / 1000);

  test('the library verifies what we sign (one secret, and a rotation header)', () => {
    const headers = signWebhook({ secrets: secret, id: 'msg_x', timestampSec: now(), body });
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(new Webhook(secret).verify(Buffer.from(body, 'utf8'), { ...headers })).toEqual(JSON.parse(body));
    const other = generateWebhookSecret();
    const both = signWebhook({ secrets: [other, secret], id: 'msg_x', timestampSec: now(), body });
    expect(new Webhook(secret).verify(body, { ...both })).toEqual(JSON.parse(body));
    expect(new Webhook(other).verify(body, { ...both })).toEqual(JSON.parse(body));
  });

  test('the library rejects what we sign when altered', () => {
    const headers = signWebhook({ secrets: secret, id: 'msg_x', timestampSec: now(), body });
    expect(() => new Webhook(secret).verify(`${body} `, { ...headers })).toThrow(LibraryVerificationError);
    expect(() => new Webhook(generateWebhookSecret()).verify(body, { ...headers })).toThrow(LibraryVerificationError);
  });

  test('we verify what the library signs, byte-identical signatures', () => {
    const ts = now();
    const librarySig = new Webhook(secret).sign('msg_y', new Date(ts * 1000), body);
    const headers = { 'webhook-id': 'msg_y', 'webhook-timestamp': String(ts), 'webhook-signature': librarySig };
    expect(verifyWebhook({ secrets: secret, headers, body })).toEqual({ id: 'msg_y', timestampSec: ts });
    expect(signWebhook({ secrets: secret, id: 'msg_y', timestampSec: ts, body })['webhook-signature']).toBe(librarySig);
    expect(new Webhook(vector.secret).sign(vector.id, new Date(vector.timestamp * 1000), vector.body)).toBe(
      vector.expectedSignature,
    );
  });

  test('we reject what the library signs with another secret', () => {
    const ts = now();
    const librarySig = new Webhook(generateWebhookSecret()).sign('msg_y', new Date(ts * 1000), body);
    const headers = { 'webhook-id': 'msg_y', 'webhook-timestamp': String(ts), 'webhook-signature': librarySig };
    expect(reasonOf(() => verifyWebhook({ secrets: secret, headers, body }))).toBe('bad_signature');
  });
});
