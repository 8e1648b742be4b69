/**
 * Prints the vault's OpenAPI document (what `/docs/json` serves) on stdout, without a database or a port:
 * the app is built with a database URL it never connects to (no migrations, no workers) and asked in
 * memory. The web UI's client is generated from and checked against this output.
 */
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

const app = await buildApp(
  loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused',
    VAULT_MIGRATE_ON_START: 'false',
    VAULT_WORKERS: 'false',
    API_DOCS: 'public',
  }),
);
try {
  const res = await app.inject({ method: 'GET', url: '/docs/json' });
  if (res.statusCode !== 200) throw new Error(`/docs/json answered ${res.statusCode}`);
  process.stdout.write(`${JSON.stringify(JSON.parse(res.body), null, 2)}\n`);
} finally {
  await app.close();
}
