/**
 * The API client over real HTTP (a local server standing in for the vault): CSRF header on writes and not on
 * reads, JSON bodies, the vault's error messages, 401 → the sign-in handler, and a deadline instead of a hang.
 * Runs on Node's fetch (happy-dom's ignores an abort while it waits for the answer's headers); the page's
 * origin is what a browser resolves the client's relative URLs against.
 */
// @vitest-environment node
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiError, call, setUnauthorizedHandler } from '../src/api/http.js';
import { exportUrl, loginUrl, vault } from '../src/api/vault.js';

interface Seen {
  method: string;
  url: string;
  csrf: string | undefined;
  contentType: string | undefined;
  body: string;
}

const seen: Seen[] = [];
let server: http.Server;
const nodeFetch = globalThis.fetch;

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => resolve(body));
  });

beforeAll(async () => {
  server = http.createServer(async (req, res) => {
    const body = await read(req);
    const headerValue = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h);
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      csrf: headerValue(req.headers['x-vault-csrf']),
      contentType: headerValue(req.headers['content-type']),
      body,
    });
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.url === '/api/v1/schemas') return json(200, { items: [] });
    if (req.url?.startsWith('/api/v1/retention')) return json(200, { policy: JSON.parse(body), deleted: ['b1'] });
    if (req.url?.startsWith('/api/v1/backups/gone'))
      return json(404, { error: 'not_found', message: 'Backup not found' });
    if (req.url === '/api/v1/me') return json(401, { error: 'unauthorized', message: 'Sign in' });
    if (req.url?.startsWith('/api/v1/backup-jobs/slow')) return; // never answers
    if (req.url?.startsWith('/api/v1/backup-jobs/html')) {
      res.writeHead(502, { 'content-type': 'text/html' });
      return res.end('<h1>Bad gateway</h1>');
    }
    json(500, { error: 'internal', message: 'Internal error' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  globalThis.fetch = (input, init) => nodeFetch(new URL(String(input), origin), init);
});

afterAll(async () => {
  globalThis.fetch = nodeFetch;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the API client', () => {
  it('reads without and writes with the CSRF header, sending JSON', async () => {
    expect(await vault.listSchemas()).toEqual({ items: [] });
    const saved = await vault.saveRetention({ keepManual: 3, keepScheduled: null, maxAgeDays: 30 });
    expect(saved.deleted).toEqual(['b1']);
    expect(seen.map((s) => [s.method, s.url, s.csrf])).toEqual([
      ['GET', '/api/v1/schemas', undefined],
      ['PUT', '/api/v1/retention', '1'],
    ]);
    expect(seen[1]?.contentType).toBe('application/json');
    expect(JSON.parse(seen[1]?.body ?? '')).toEqual({ keepManual: 3, keepScheduled: null, maxAgeDays: 30 });
  });

  it("throws the vault's error code and message", async () => {
    const error = await vault.deleteBackup('gone').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 404, code: 'not_found', message: 'Backup not found' });
    const html = await vault.getBackupJob('html').catch((e: unknown) => e);
    expect(html).toMatchObject({ status: 502, code: 'http_502' });
    expect((html as ApiError).message).toMatch(/^The vault answered 502/);
  });

  it('tells the app when the session has ended', async () => {
    const onUnauthorized = vi.fn();
    setUnauthorizedHandler(onUnauthorized);
    await expect(vault.me()).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    setUnauthorizedHandler(undefined);
  });

  it('gives up at the deadline with a message, and stays quiet when the caller aborted', async () => {
    const started = Date.now();
    const error = await call('getBackupJob', { params: { jobId: 'slow' }, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'timeout', message: 'The vault did not answer within 0 seconds.' });
    expect(Date.now() - started).toBeLessThan(5_000);
    const controller = new AbortController();
    const pending = vault.getBackupJob('slow', { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.not.toBeInstanceOf(ApiError);
  });

  it('builds login and export URLs with encoded parameters', () => {
    expect(loginUrl('https://acme.atlassian.net', 'microsoft')).toBe(
      '/auth/login?site=https%3A%2F%2Facme.atlassian.net&provider=microsoft',
    );
    expect(exportUrl('b 1', 'xlsx')).toBe('/api/v1/backups/b%201/export?format=xlsx');
    expect(exportUrl('b1', 'csv', '42')).toBe('/api/v1/backups/b1/export?format=csv&objectTypeId=42');
  });
});
