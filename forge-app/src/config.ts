/**
 * The app's runtime configuration: two Forge environment variables (`forge variables set`,
 * the secret with `--encrypt`). Read at call time, never at import time, so a missing variable is
 * a clear configuration error on the first call instead of a crashed deployment (forge.md §5).
 */
import { AppError } from '@assets-vault/shared/errors';
import { isValidWebhookSecret } from '@assets-vault/shared/webhooks';

export interface VaultConfig {
  /** Origin (and optional base path) of the vault, without a trailing slash. */
  url: string;
  /** `whsec_…` Standard Webhooks secret shared with the vault's FORGE_WEBHOOK_SECRETS. */
  secret: string;
}

export class ConfigurationError extends AppError {
  override name = 'ConfigurationError';
  constructor(message: string) {
    // Shown to the admin in the connection panel: it names variables, never their values.
    super('configuration_error', message, 500, { expose: true });
  }
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Validates VAULT_URL and VAULT_WEBHOOK_SECRET; throws one error naming every problem. */
export function readVaultConfig(env: Record<string, string | undefined>): VaultConfig {
  const problems: string[] = [];
  const rawUrl = env.VAULT_URL?.trim();
  const secret = env.VAULT_WEBHOOK_SECRET?.trim();
  let url = '';
  if (!rawUrl) {
    problems.push('VAULT_URL is not set');
  } else {
    url = normaliseVaultUrl(rawUrl, problems);
  }
  if (!secret) problems.push('VAULT_WEBHOOK_SECRET is not set');
  else if (!isValidWebhookSecret(secret)) problems.push('VAULT_WEBHOOK_SECRET is not a whsec_<base64> secret');
  if (problems.length > 0) {
    throw new ConfigurationError(
      `Vault connection is not configured: ${problems.join('; ')}. Set them with "forge variables set".`,
    );
  }
  return { url, secret: secret as string };
}

/** The vault URL for display, or undefined when it is missing or malformed. */
export function displayVaultUrl(env: Record<string, string | undefined>): string | undefined {
  const raw = env.VAULT_URL?.trim();
  if (!raw) return undefined;
  const problems: string[] = [];
  const url = normaliseVaultUrl(raw, problems);
  return problems.length === 0 ? url : undefined;
}

function normaliseVaultUrl(raw: string, problems: string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    problems.push('VAULT_URL is not an absolute URL');
    return '';
  }
  // Forge egress only reaches https hosts; plain http is accepted for a vault on this machine
  // (the local harness and tests).
  const secure = parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname));
  if (!secure) problems.push('VAULT_URL must use https');
  if (parsed.username || parsed.password) problems.push('VAULT_URL must not carry credentials');
  if (parsed.search || parsed.hash) problems.push('VAULT_URL must not have a query or fragment');
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}
