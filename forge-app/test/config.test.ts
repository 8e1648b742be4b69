/** The two Forge variables: every problem named in one error, secrets never echoed. */
import { ConfigurationError, displayVaultUrl, readVaultConfig } from '../src/config';
import { assetsRateFactor } from '../src/assets';

const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

it('accepts an https vault (trailing slash dropped) and a loopback http vault', () => {
  expect(readVaultConfig({ VAULT_URL: 'https://vault.acme.example/', VAULT_WEBHOOK_SECRET: secret })).toEqual({
    url: 'https://vault.acme.example',
    secret,
  });
  expect(readVaultConfig({ VAULT_URL: 'https://acme.example/vault/', VAULT_WEBHOOK_SECRET: secret }).url).toBe(
    'https://acme.example/vault',
  );
  expect(readVaultConfig({ VAULT_URL: 'http://127.0.0.1:8080', VAULT_WEBHOOK_SECRET: secret }).url).toBe(
    'http://127.0.0.1:8080',
  );
});

it('names every problem at once and never the secret value', () => {
  const attempt = () =>
    readVaultConfig({ VAULT_URL: 'http://vault.acme.example', VAULT_WEBHOOK_SECRET: 'not-a-secret-value' });
  expect(attempt).toThrow(ConfigurationError);
  expect(attempt).toThrow('VAULT_URL must use https; VAULT_WEBHOOK_SECRET is not a whsec_<base64> secret');
  try {
    attempt();
  } catch (err) {
    expect((err as Error).message).not.toContain('not-a-secret-value');
  }
  expect(() => readVaultConfig({})).toThrow('VAULT_URL is not set; VAULT_WEBHOOK_SECRET is not set');
  expect(() =>
    readVaultConfig({ VAULT_URL: 'https://user:pw@vault.example?x=1', VAULT_WEBHOOK_SECRET: secret }),
  ).toThrow('VAULT_URL must not carry credentials; VAULT_URL must not have a query or fragment');
});

it('shows the vault URL only when it is valid', () => {
  expect(displayVaultUrl({ VAULT_URL: 'https://vault.acme.example/' })).toBe('https://vault.acme.example');
  expect(displayVaultUrl({ VAULT_URL: 'ftp://vault' })).toBeUndefined();
  expect(displayVaultUrl({})).toBeUndefined();
});

it('reads the optional Assets rate factor', () => {
  expect(assetsRateFactor({})).toBeUndefined();
  expect(assetsRateFactor({ ASSETS_RATE_FACTOR: '0.5' })).toBe(0.5);
  expect(() => assetsRateFactor({ ASSETS_RATE_FACTOR: '0' })).toThrow(ConfigurationError);
  expect(() => assetsRateFactor({ ASSETS_RATE_FACTOR: 'fast' })).toThrow(ConfigurationError);
});
