/**
 * Runs the local OpenID provider as its own process (tests spawn it; the demo runs one):
 *
 *   node --import tsx dev/idp-cli.ts --port 0 --flavor google|microsoft|both \
 *     --accounts '[{"email":"ana@example.com","email_verified":true}]' \
 *     --redirect-uri http://127.0.0.1:8080/auth/callback/google [--redirect-uri …] \
 *     [--client-id vault] [--client-secret vault-secret] [--host 127.0.0.1] [--auto-login]
 *
 * When it listens it prints exactly one JSON line to stdout: {"issuer":"http://127.0.0.1:<port>"}.
 * It stops on SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { startIdp, type IdpAccount, type IdpFlavor } from './idp.js';

const FLAVORS: readonly IdpFlavor[] = ['google', 'microsoft', 'both'];

function fail(message: string): never {
  process.stderr.write(`idp-cli: ${message}\n`);
  process.exit(2);
}

function parseAccounts(json: string): IdpAccount[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    fail('--accounts must be a JSON array of account objects');
  }
  if (!Array.isArray(value) || value.length === 0) fail('--accounts must be a non-empty JSON array');
  return value.map((entry: unknown, i) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) fail(`--accounts[${i}] must be an object`);
    const a = entry as Record<string, unknown>;
    const account: IdpAccount = {};
    for (const key of ['sub', 'name', 'email', 'tid', 'oid', 'preferred_username'] as const) {
      const v = a[key];
      if (v === undefined) continue;
      if (typeof v !== 'string') fail(`--accounts[${i}].${key} must be a string`);
      account[key] = v;
    }
    for (const key of ['email_verified', 'xms_edov'] as const) {
      const v = a[key];
      if (v === undefined) continue;
      if (typeof v !== 'boolean') fail(`--accounts[${i}].${key} must be a boolean`);
      account[key] = v;
    }
    return account;
  });
}

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    flavor: { type: 'string', default: 'google' },
    accounts: { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    'client-id': { type: 'string', default: 'vault' },
    'client-secret': { type: 'string', default: 'vault-secret' },
    'auto-login': { type: 'boolean', default: false },
  },
  strict: true,
});

const flavor = FLAVORS.find((f) => f === values.flavor) ?? fail(`--flavor must be one of ${FLAVORS.join(', ')}`);
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port must be 0..65535');
if (values.accounts === undefined) fail('--accounts is required');
const redirectUris = values['redirect-uri'] ?? [];
if (redirectUris.length === 0) fail('at least one --redirect-uri is required');

const idp = await startIdp({
  flavor,
  port,
  host: values.host,
  accounts: parseAccounts(values.accounts),
  clients: [{ clientId: values['client-id'], clientSecret: values['client-secret'], redirectUris }],
  autoLogin: values['auto-login'],
});
process.stdout.write(`${JSON.stringify({ issuer: idp.issuer })}\n`);

const stop = () => {
  idp.close().then(
    () => {
      process.exitCode = 0;
    },
    (err: unknown) => {
      process.stderr.write(`idp-cli: close failed: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
