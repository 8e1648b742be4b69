/**
 * The vault's own page (sign-in, then the site's backed-up schemas). Three static files read once at
 * start; everything dynamic comes from the JSON API, so the page holds no data and no rules.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'web');

const ASSETS = [
  { url: '/', file: 'index.html', type: 'text/html; charset=utf-8' },
  { url: '/app.js', file: 'app.js', type: 'text/javascript; charset=utf-8' },
  { url: '/app.css', file: 'app.css', type: 'text/css; charset=utf-8' },
] as const;

// Scripts and styles only from the vault itself; no framing (clickjacking of the sign-out button).
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; frame-ancestors 'none'; form-action 'self' https: http:; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-cache',
};

export async function webRoutes(app: FastifyInstance): Promise<void> {
  for (const asset of ASSETS) {
    const body = readFileSync(path.join(webDir, asset.file));
    app.get(asset.url, { schema: { hide: true } }, async (_request, reply) =>
      reply.headers(SECURITY_HEADERS).type(asset.type).send(body),
    );
  }
}
