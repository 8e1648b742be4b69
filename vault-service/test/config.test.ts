/** Config rules (security.md 21): production is strict, problems are listed together, secrets never echoed. */
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../src/config.js';

const secret = 'whsec_' + randomBytes(32).toString('base64');
const key = `k1:${randomBytes(32).toString('base64')}`;

const production = {
  NODE_ENV: 'production',
  VAULT_PUBLIC_URL: 'https://vault.example.com',
  DATABASE_URL: 'postgres://vault:pw@db:5432/vault',
  FORGE_WEBHOOK_SECRETS: secret,
  ENCRYPTION_KEYS: key,
  SESSION_SECRET: 'x'.repeat(40),
  OIDC_GOOGLE_CLIENT_ID: 'google-client',
  OIDC_GOOGLE_CLIENT_SECRET: 'google-secret',
  SMTP_URL: 'smtp://mail:25',
  MAIL_FROM: 'Vault <vault@example.com>',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('loadConfig', () => {
  it('accepts a complete production environment and freezes the result', () => {
    const config = loadConfig(production);
    expect(config.isProduction).toBe(true);
    expect(config.publicUrl).toBe('https://vault.example.com');
    expect(config.forgeWebhookSecrets).toEqual([secret]);
    expect(config.encryptionKeys.map((k) => [k.id, k.key.length])).toEqual([['k1', 32]]);
    expect(config.oidc.google?.issuer).toBe('https://accounts.google.com');
    expect(config.allowInsecureSiteUrls).toBe(false);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.outbox)).toBe(true);
  });

  it('takes the plan object allowance a restore checks against, unchecked when unset', () => {
    expect(loadConfig({}).restore.objectAllowance).toBeUndefined();
    expect(loadConfig({ ...production, ASSETS_OBJECT_ALLOWANCE: '50000' }).restore.objectAllowance).toBe(50_000);
    expect(problemsOf({ ASSETS_OBJECT_ALLOWANCE: '50k' }).join('\n')).toMatch(/ASSETS_OBJECT_ALLOWANCE/);
  });

  it('has working development defaults without any variable', () => {
    const config = loadConfig({});
    expect(config.nodeEnv).toBe('development');
    expect(config.port).toBe(8080);
    expect(config.host).toBe('127.0.0.1');
    expect(config.publicUrl).toBe('http://127.0.0.1:8080');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe('./.vault-data');
    expect(config.embeddedPgPort).toBe(54329);
    expect(config.sessionSecret.length).toBeGreaterThanOrEqual(32);
    expect(config.warnings.join('\n')).toMatch(/FORGE_WEBHOOK_SECRETS not set/);
  });

  it('requires an https VAULT_PUBLIC_URL in production', () => {
    expect(problemsOf({ ...production, VAULT_PUBLIC_URL: 'http://vault.example.com' })).toEqual([
      'VAULT_PUBLIC_URL: must use https in production',
    ]);
    expect(problemsOf({ ...production, VAULT_PUBLIC_URL: undefined })).toEqual([
      expect.stringMatching(/^VAULT_PUBLIC_URL: required in production/),
    ]);
    expect(problemsOf({ ...production, VAULT_PUBLIC_URL: 'https://vault.example.com/?x=1' })).toEqual([
      expect.stringMatching(/^VAULT_PUBLIC_URL: must not contain/),
    ]);
  });

  it('requires every secret in production and lists all missing ones in one error', () => {
    const problems = problemsOf({
      ...production,
      FORGE_WEBHOOK_SECRETS: undefined,
      ENCRYPTION_KEYS: '',
      SESSION_SECRET: undefined,
      OIDC_GOOGLE_CLIENT_ID: undefined,
      OIDC_GOOGLE_CLIENT_SECRET: undefined,
      SMTP_URL: undefined,
      MAIL_FROM: undefined,
      DATABASE_URL: undefined,
    });
    const names = problems.map((p) => p.split(':')[0]);
    expect(names).toEqual(
      expect.arrayContaining([
        'FORGE_WEBHOOK_SECRETS',
        'ENCRYPTION_KEYS',
        'SESSION_SECRET',
        'OIDC_GOOGLE_CLIENT_ID / OIDC_MICROSOFT_CLIENT_ID',
        'SMTP_URL',
        'MAIL_FROM',
        'DATABASE_URL',
      ]),
    );
    expect(problems.length).toBeGreaterThanOrEqual(7);
  });

  it('refuses ALLOW_INSECURE_SITE_URLS in production but allows it in development', () => {
    expect(problemsOf({ ...production, ALLOW_INSECURE_SITE_URLS: 'true' })).toEqual([
      expect.stringMatching(/^ALLOW_INSECURE_SITE_URLS: refused in production/),
    ]);
    expect(loadConfig({ ALLOW_INSECURE_SITE_URLS: 'true' }).allowInsecureSiteUrls).toBe(true);
    expect(loadConfig({}).allowInsecureSiteUrls).toBe(false);
  });

  it('validates secrets and keys without echoing their values', () => {
    const leaked = 'whsec_not*base64';
    const problems = problemsOf({
      FORGE_WEBHOOK_SECRETS: `${secret},${leaked}`,
      ENCRYPTION_KEYS: 'k1:c2hvcnQ=',
      SESSION_SECRET: 'short-but-secret',
    });
    expect(problems).toEqual([
      'FORGE_WEBHOOK_SECRETS: entry 2 is not a whsec_<base64> secret of at least 16 bytes',
      expect.stringMatching(/^ENCRYPTION_KEYS: entry 1 must be keyId:base64\(32 bytes\)/),
      'SESSION_SECRET: must have at least 32 characters',
    ]);
    const message = (() => {
      try {
        loadConfig({
          FORGE_WEBHOOK_SECRETS: leaked,
          SESSION_SECRET: 'short-but-secret',
          DATABASE_URL: 'mysql://user:hunter2@x',
        });
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    expect(message).toContain('DATABASE_URL');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('short-but-secret');
    expect(message).not.toContain('not*base64');
  });

  it('reports malformed values by variable name', () => {
    const problems = problemsOf({ PORT: 'eighty', NODE_ENV: 'staging', OIDC_MICROSOFT_CLIENT_ID: 'ms-client' });
    expect(problems.map((p) => p.split(':')[0])).toEqual(expect.arrayContaining(['PORT', 'NODE_ENV']));
    // Cross-field rules run once the values themselves parse.
    expect(problemsOf({ OIDC_MICROSOFT_CLIENT_ID: 'ms-client' })).toEqual([
      'OIDC_MICROSOFT_CLIENT_SECRET: required when OIDC_MICROSOFT_CLIENT_ID is set',
    ]);
  });

  it('parses TRUST_PROXY as a list of proxy addresses or CIDRs, never "trust any proxy"', () => {
    expect(loadConfig({}).trustProxy).toEqual([]);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toEqual([]);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1, fd00::/8' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      'fd00::/8',
    ]);
    // `true` let any client pick its own rate-limit key through X-Forwarded-For
    expect(problemsOf({ TRUST_PROXY: 'true' })).toEqual([expect.stringMatching(/^TRUST_PROXY: `true` is no longer/)]);
    for (const bad of ['everyone', '10.0.0.0/33', '10.0.0.300', '::1/129', '10.0.0.0/8/1'])
      expect(problemsOf({ TRUST_PROXY: bad }).map((p) => p.split(':')[0])).toEqual(['TRUST_PROXY']);
  });

  it('accepts several webhook secrets for rotation', () => {
    const second = 'whsec_' + randomBytes(24).toString('base64');
    expect(loadConfig({ FORGE_WEBHOOK_SECRETS: ` ${secret} , ${second} ` }).forgeWebhookSecrets).toEqual([
      secret,
      second,
    ]);
  });
});
