/**
 * What users are told when a call to a restore destination fails: three stable codes, fixed messages
 * (network details stay in the logs, like the outbound guard's `assets_unreachable`).
 * - `check`: the connection was typed in just now (saving a target, a new target in a restore form):
 *   the input is at fault, so 4xx — 400 for an address the rules refuse, 422 for a site that cannot
 *   be reached or refuses the token (never 401: the web UI would take that for an expired session).
 * - `use`: a stored connection failed while listing or restoring: 502, the upstream's failure.
 */
import { AssetsApiError, AssetsResponseError, NoWorkspaceError } from '@assets-vault/shared/assets-client';
import { AppError } from '@assets-vault/shared/errors';
import { describeOutboundFailure, OUTBOUND_URL_REFUSED } from '../../outbound/index.js';

export type TargetFailureCode = 'target_unreachable' | 'target_unauthorized' | typeof OUTBOUND_URL_REFUSED;

const REFUSED_MESSAGE =
  "The target's address is not allowed: it must be the https:// address of an Atlassian site (port 443)";
const UNREACHABLE_MESSAGE =
  'The target site could not be reached (network failure, timeout or refused address); the vault logs have the details';

function failure(code: TargetFailureCode, message: string, context: 'check' | 'use'): AppError {
  const status = context === 'use' ? 502 : code === OUTBOUND_URL_REFUSED ? 400 : 422;
  return new AppError(code, message, status, { expose: true });
}

/** `err` as the answer for a failed call to a destination, or `err` itself when it is no such failure. */
export function asTargetFailure(err: unknown, context: 'check' | 'use'): unknown {
  const outbound = describeOutboundFailure(err);
  if (outbound?.code === 'site_address_refused') return failure(OUTBOUND_URL_REFUSED, REFUSED_MESSAGE, context);
  if (outbound) return failure('target_unreachable', UNREACHABLE_MESSAGE, context);
  if (err instanceof NoWorkspaceError)
    return failure(
      'target_unreachable',
      'The target site has no Assets workspace (Jira Service Management with Assets is not enabled there)',
      context,
    );
  if (err instanceof AssetsApiError) {
    if (err.status === 401 || err.status === 403)
      return failure(
        'target_unauthorized',
        `The target site refused the e-mail and API token (HTTP ${err.status})`,
        context,
      );
    return failure('target_unreachable', `The target site answered HTTP ${err.status}`, context);
  }
  if (err instanceof AssetsResponseError)
    return failure('target_unreachable', 'The target site did not answer like the Assets API', context);
  return err;
}
