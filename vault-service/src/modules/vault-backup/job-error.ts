/**
 * What a failed vault-side backup job tells its user: a stable code and a fixed, safe message. The
 * error itself (errno text, upstream bodies, addresses) goes to the logs only: a job's answer must not
 * tell ECONNREFUSED from ECONNRESET, or it becomes a port scanner of whatever the vault can reach.
 */
import { AppError } from '@assets-vault/shared/errors';
import { SnapshotIntegrityError } from '@assets-vault/shared/snapshot';
import type { JobFailure } from '../../jobs/job-core.js';
import { describeOutboundFailure } from '../../outbound/index.js';

export type { JobFailure };

const BY_CODE: Record<string, JobFailure> = {
  assets_unauthorized: {
    code: 'assets_unauthorized',
    message: 'Atlassian refused the stored credentials (HTTP 401): check the e-mail and API token',
  },
  assets_forbidden: {
    code: 'assets_forbidden',
    message: 'The stored account may not read this schema (HTTP 403)',
  },
  assets_not_found: { code: 'assets_not_found', message: 'Atlassian did not find the schema or its workspace' },
  assets_no_workspace: { code: 'assets_no_workspace', message: 'The site has no Assets workspace' },
  assets_rate_limited: {
    code: 'assets_rate_limited',
    message: 'Atlassian kept answering "too many requests" (HTTP 429)',
  },
  assets_server_error: { code: 'assets_server_error', message: 'Atlassian answered with a server error (HTTP 5xx)' },
  assets_response_invalid: {
    code: 'assets_response_invalid',
    message: 'Atlassian answered with data the vault could not read',
  },
  no_credentials: { code: 'no_credentials', message: 'No Assets API credentials are stored for this site' },
  vault_backups_disabled: {
    code: 'vault_backups_disabled',
    message: 'Vault-side backups are switched off for this site',
  },
  credentials_unreadable: {
    code: 'credentials_unreadable',
    message: 'The stored credentials could not be decrypted with the configured keys',
  },
};

export const RUNNER_LOST: JobFailure = {
  code: 'runner_lost',
  message: 'The backup runner stopped responding during each attempt',
};
export const INTERRUPTED: JobFailure = { code: 'interrupted', message: 'Interrupted by a shutdown; it continues' };
const INTEGRITY: JobFailure = {
  code: 'snapshot_integrity',
  message: 'The snapshot failed its integrity check; the next attempt starts afresh',
};
const INTERNAL: JobFailure = { code: 'internal', message: 'The backup failed; the vault logs have the details' };

/** The failure a job records for `err`: the first known code on it or its causes, else `internal`. */
export function describeJobFailure(err: unknown): JobFailure {
  // every network failure reads the same (details in the logs)
  const outbound = describeOutboundFailure(err);
  if (outbound) return outbound;
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof SnapshotIntegrityError) return INTEGRITY;
    const code = (current as { code?: unknown }).code;
    const known = typeof code === 'string' ? BY_CODE[code] : undefined;
    if (known) return known;
    if (current instanceof AppError && current.code.startsWith('assets_')) {
      const status = (current as { status?: unknown }).status;
      return {
        code: current.code,
        message: `Atlassian answered HTTP ${typeof status === 'number' ? status : 'with an error'}`,
      };
    }
    current = current.cause;
  }
  return INTERNAL;
}
