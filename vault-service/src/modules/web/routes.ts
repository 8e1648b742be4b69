/**
 * The web UI (ADR 0012): the static files that `vault-web` builds into `vault-web/dist`, read once at start.
 *
 * - `/assets/*` have content hashes in their names: cached for a year (`immutable`).
 * - `index.html` answers `/` and the UI's own screens (`UI_SCREENS`, e.g. `/schemas/2`), with `no-cache` so a
 *   new build is picked up at once.
 * - Gzip is computed once at start and sent to browsers that accept it.
 * - Scripts, styles, images and fonts only from the vault itself (no inline code, no CDN); no framing.
 * Without a build (a fresh checkout where nobody ran `pnpm --filter @assets-vault/vault-web build`), those
 * URLs answer a small page that says so, and the API keeps working.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `vault-web` writes its build (the repository layout; the container image keeps it). */
export const WEB_DIST_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  '..',
  'vault-web',
  'dist',
);

export interface WebRoutesOptions {
  /** the built UI; defaults to WEB_DIST_DIR */
  distDir?: string;
}

// Scripts and styles only from the vault itself; no framing (clickjacking of the sign-out button).
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; frame-ancestors 'none'; form-action 'self' https: http:; base-uri 'none'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

/** Paths the UI never owns: unknown ones there stay JSON 404s. */
/** Address prefixes of the UI's screens (vault-web/src/App.tsx ROUTES); a new screen adds its prefix here. */
const UI_SCREENS = ['/schemas/*', '/settings', '/settings/*'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

interface StaticFile {
  type: string;
  body: Buffer;
  /** only when it is smaller than the body */
  gzip: Buffer | undefined;
}

function loadFile(file: string): StaticFile {
  const body = fs.readFileSync(file);
  const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  const compressible = /^(text\/|image\/svg|application\/json)/.test(type);
  const gzip = compressible ? gzipSync(body, { level: 9 }) : undefined;
  return { type, body, gzip: gzip && gzip.length < body.length ? gzip : undefined };
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Assets Backup Vault</title></head>
<body><h1>Assets Backup Vault</h1>
<p>The vault is running, but its web interface has not been built on this machine.</p>
<p>Build it with <code>pnpm --filter @assets-vault/vault-web build</code> (the demo, <code>pnpm start</code>, does
this for itself) and restart the vault. The API answers meanwhile (see <a href="/docs">/docs</a>).</p></body></html>`;

export async function webRoutes(app: FastifyInstance, options: WebRoutesOptions): Promise<void> {
  const distDir = options.distDir ?? WEB_DIST_DIR;
  const indexFile = path.join(distDir, 'index.html');
  const built = fs.existsSync(indexFile);
  const index = built ? loadFile(indexFile) : undefined;
  const assets = new Map<string, StaticFile>();
  const assetsDir = path.join(distDir, 'assets');
  if (built && fs.existsSync(assetsDir))
    for (const name of fs.readdirSync(assetsDir)) assets.set(name, loadFile(path.join(assetsDir, name)));
  if (!built) app.log.warn({ distDir }, 'web UI not built: / answers a page saying how to build it');

  const send = (request: FastifyRequest, reply: FastifyReply, file: StaticFile, cacheControl: string) => {
    reply
      .headers(SECURITY_HEADERS)
      .header('cache-control', cacheControl)
      .header('vary', 'accept-encoding')
      .type(file.type);
    if (file.gzip && /\bgzip\b/.test(request.headers['accept-encoding'] ?? ''))
      return reply.header('content-encoding', 'gzip').send(file.gzip);
    return reply.send(file.body);
  };

  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!index)
      return reply
        .code(503)
        .headers(SECURITY_HEADERS)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(NOT_BUILT_PAGE);
    return send(request, reply, index, 'no-cache');
  };

  app.get('/', { schema: { hide: true } }, page);

  app.get<{ Params: { name: string } }>('/assets/:name', { schema: { hide: true } }, async (request, reply) => {
    const file = assets.get(request.params.name);
    if (!file) return reply.callNotFound();
    return send(request, reply, file, 'public, max-age=31536000, immutable');
  });

  // The UI's screens (history API routes), listed: a root catch-all would also match unknown addresses of
  // the /api/v1 trees and answer them instead of those trees' own (session-guarded) not-found handlers.
  for (const url of UI_SCREENS) {
    app.get(url, { schema: { hide: true } }, async (request, reply) => {
      const pathname = request.url.split('?')[0] ?? '/';
      if (pathname.slice(pathname.lastIndexOf('/') + 1).includes('.')) return reply.callNotFound();
      return page(request, reply);
    });
  }
}
