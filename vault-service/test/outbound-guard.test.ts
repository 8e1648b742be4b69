/**
 * The outbound guard (SSRF, issue 14 item 4): URL rules on every request, addresses checked when
 * resolving and once connected, no redirects, the development exception for the emulator on loopback.
 * Real sockets on 127.0.0.1 and on this machine's own non-public interface address. What a job shows
 * its user after such a refusal: vault-backup-errors.test.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { networkInterfaces } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  checkOutboundUrl,
  classifyAddress,
  createOutboundGuard,
  outboundPolicyFromConfig,
  type OutboundPolicy,
} from '../src/outbound/index.js';
import { loadConfig } from '../src/config.js';
import { normaliseSiteUrl } from '../src/modules/sites/site-url.js';

const strict: OutboundPolicy = { allowInsecure: false, allowedHosts: ['.atlassian.net', 'api.atlassian.com'] };
const anyHost: OutboundPolicy = { allowInsecure: false, allowedHosts: ['*'] };
const dev: OutboundPolicy = { allowInsecure: true, allowedHosts: ['.atlassian.net'] };

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'allowed';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
};

/** A resolver that answers what an attacker's DNS (`*.nip.io`, rebinding) would. */
const resolvingTo = (address: string, family = 4, seen: string[] = []) =>
  ((hostname: string, _options: unknown, callback: (err: null, all: LookupAddress[]) => void) => {
    seen.push(hostname);
    callback(null, [{ address, family }]);
  }) as unknown as typeof dnsLookup;

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void, host = '0.0.0.0') {
  const server = createServer(handler);
  const sockets = { count: 0 };
  server.on('connection', () => sockets.count++);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, port: (server.address() as AddressInfo).port, sockets };
}
const closeServer = (server: Server) => new Promise((resolve) => server.close(resolve));

describe('outbound URL and address rules', () => {
  it('pins https, port 443, allowed host names and no IP literals or credentials', () => {
    expect(codeOf(() => checkOutboundUrl('https://acme.atlassian.net/rest/api/3/myself', strict))).toBe('allowed');
    expect(codeOf(() => checkOutboundUrl('https://api.atlassian.com/jsm/assets/workspace/w/v1', strict))).toBe(
      'allowed',
    );
    expect(codeOf(() => checkOutboundUrl('https://acme.atlassian.net:443/', strict))).toBe('allowed');
    for (const url of [
      'http://acme.atlassian.net/',
      'https://acme.atlassian.net:6379/',
      'https://user:pw@acme.atlassian.net/',
      'https://evil.example.com/',
      'https://atlassian.net.evil.example/',
      'ftp://acme.atlassian.net/',
    ])
      expect([url, codeOf(() => checkOutboundUrl(url, strict))]).toEqual([url, 'outbound_url_refused']);
    // ALLOWED_SITE_HOSTS=* accepts any host NAME, never an address or localhost
    for (const url of [
      'https://0.0.0.0/',
      'https://127.0.0.1/',
      'https://[::1]/',
      'https://[::ffff:127.0.0.1]/',
      'https://169.254.169.254/latest/meta-data/',
      'https://10.0.0.7/',
      'https://localhost/',
      'https://localhost./',
      'https://foo.localhost/',
      'https://2130706433/',
    ])
      expect([url, codeOf(() => checkOutboundUrl(url, anyHost))]).toEqual([url, 'outbound_url_refused']);
    // *.nip.io passes the name rules under `*`: the resolved address is what stops it (below)
    expect(codeOf(() => checkOutboundUrl('https://127.0.0.1.nip.io/', anyHost))).toBe('allowed');
  });

  it('lets development reach the emulator on loopback under ALLOW_INSECURE_SITE_URLS, and nothing else private', () => {
    expect(codeOf(() => checkOutboundUrl('http://127.0.0.1:4000/sites/demo', dev))).toBe('allowed');
    expect(codeOf(() => checkOutboundUrl('http://[::1]:4000/', dev))).toBe('allowed');
    for (const url of ['http://169.254.169.254/', 'http://10.1.2.3:8080/', 'http://[::ffff:127.0.0.1]:4000/'])
      expect([url, codeOf(() => checkOutboundUrl(url, dev))]).toEqual([url, 'outbound_url_refused']);
    // the setting itself is refused in production, and so is ALLOWED_SITE_HOSTS=*
    const prod = {
      NODE_ENV: 'production',
      VAULT_PUBLIC_URL: 'https://vault.example.com',
      DATABASE_URL: 'postgres://v@db/v',
      FORGE_WEBHOOK_SECRETS: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      SESSION_SECRET: 'x'.repeat(40),
      OIDC_GOOGLE_CLIENT_ID: 'id',
      OIDC_GOOGLE_CLIENT_SECRET: 'secret',
      SMTP_URL: 'smtp://mail:25',
      MAIL_FROM: 'vault@example.com',
    };
    expect(() => loadConfig(prod)).not.toThrow();
    expect(() => loadConfig({ ...prod, ALLOWED_SITE_HOSTS: '.atlassian.net,*' })).toThrow(/ALLOWED_SITE_HOSTS: `\*`/);
    expect(() => loadConfig({ ...prod, ALLOW_INSECURE_SITE_URLS: 'true' })).toThrow(/ALLOW_INSECURE_SITE_URLS/);
    expect(outboundPolicyFromConfig(loadConfig(prod)).allowedHosts).toEqual(['.atlassian.net', 'api.atlassian.com']);
  });

  it('refuses the same hosts and ports when a signed body names a site URL', () => {
    const policy = { allowInsecureSiteUrls: false, allowedSiteHosts: ['*'] };
    for (const url of [
      'https://0.0.0.0',
      'https://localhost.',
      'https://[::ffff:127.0.0.1]',
      'https://169.254.169.254',
      'https://acme.atlassian.net:6379',
    ])
      expect(() => normaliseSiteUrl(url, policy)).toThrow(/Atlassian site address|port/);
    expect(normaliseSiteUrl('https://acme.atlassian.net:443', policy)).toBe('https://acme.atlassian.net');
  });

  it('classifies loopback, private, link-local, unspecified and IPv4-mapped addresses', () => {
    const table: Record<string, string> = {
      '127.0.0.1': 'loopback',
      '::1': 'loopback',
      '0.0.0.0': 'non_public',
      '::': 'non_public',
      '10.2.3.4': 'non_public',
      '172.20.0.1': 'non_public',
      '192.168.1.1': 'non_public',
      '100.64.0.1': 'non_public',
      '169.254.169.254': 'non_public',
      'fe80::1': 'non_public',
      'fd00::1': 'non_public',
      '::ffff:127.0.0.1': 'non_public',
      '::ffff:8.8.8.8': 'non_public',
      '64:ff9b::7f00:1': 'non_public',
      '2002:7f00:1::': 'non_public',
      '224.0.0.1': 'non_public',
      '8.8.8.8': 'public',
      '104.192.136.1': 'public',
      '2606:4700::1111': 'public',
      'not-an-ip': 'invalid',
    };
    for (const [address, expected] of Object.entries(table))
      expect([address, classifyAddress(address)]).toEqual([address, expected]);
  });
});

describe('outbound guard at connect time', () => {
  let target: Awaited<ReturnType<typeof listen>>;
  const requests: string[] = [];

  beforeAll(async () => {
    target = await listen((req: IncomingMessage, res: ServerResponse) => {
      requests.push(req.url ?? '');
      if (req.url === '/redirect') {
        res.writeHead(302, { location: `http://127.0.0.1:${target.port}/landed` }).end();
      } else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  afterAll(() => closeServer(target.server));

  it('refuses a permitted name that resolves to a loopback or private address, before connecting', async () => {
    for (const address of ['127.0.0.1', '10.0.0.8', '169.254.169.254', '::ffff:127.0.0.1', '0.0.0.0']) {
      const seen: string[] = [];
      const guard = createOutboundGuard(anyHost, { lookup: resolvingTo(address, address.includes(':') ? 6 : 4, seen) });
      try {
        const err = await guard.fetch('https://127.0.0.1.nip.io/rest/api/3/myself').catch((e: unknown) => e);
        expect([address, (err as { code?: string }).code]).toEqual([address, 'outbound_address_refused']);
        expect(seen).toEqual(['127.0.0.1.nip.io']);
      } finally {
        await guard.close();
      }
    }
  });

  it('reaches the emulator on loopback in development, and re-checks the URL on every request', async () => {
    const guard = createOutboundGuard(dev);
    try {
      const res = await guard.fetch(`http://127.0.0.1:${target.port}/ok`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true });
      const refused = await guard.fetch(`http://[::ffff:127.0.0.1]:${target.port}/ok`).catch((e: unknown) => e);
      expect((refused as { code?: string }).code).toBe('outbound_url_refused');
    } finally {
      await guard.close();
    }
  });

  it('never follows a redirect: a 3xx is an error and its Location is not requested', async () => {
    const guard = createOutboundGuard(dev);
    try {
      requests.length = 0;
      const err = await guard.fetch(`http://127.0.0.1:${target.port}/redirect`).catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe('outbound_redirect_refused');
      expect(requests).toEqual(['/redirect']);
    } finally {
      await guard.close();
    }
  });

  const ownAddress = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal && classifyAddress(i.address) === 'non_public')?.address;

  (ownAddress ? it : it.skip)(
    'checks the address actually connected to: a socket to a non-public address is closed before the request is sent',
    async () => {
      // the URL rules refuse the address literal; the connection check behind them refuses it too,
      // as it would refuse whatever a lying resolver or a future caller handed to the pool
      const guard = createOutboundGuard(dev);
      try {
        requests.length = 0;
        const before = target.sockets.count;
        const err = await guard.fetch(`http://${ownAddress}:${target.port}/private`).catch((e: unknown) => e);
        expect((err as { code?: string }).code).toBe('outbound_url_refused');
        const direct = await guard.dispatcher
          .request({ origin: `http://${ownAddress}:${target.port}`, path: '/private', method: 'GET' })
          .catch((e: unknown) => e);
        expect((direct as { code?: string }).code).toBe('outbound_address_refused');
        // the TCP connection was made and closed at once: the server never saw a request
        expect(target.sockets.count).toBeGreaterThan(before);
        expect(requests).toEqual([]);
      } finally {
        await guard.close();
      }
    },
  );
});
