/**
 * What users are told when an outbound call fails on the way (not an HTTP answer of Atlassian): one
 * fixed message for every network failure, timeout, refused address or redirect, so an answer never
 * tells "connection refused" from "reset" or "timed out" (a port scanner of the vault's network).
 * A URL refused by the rules says so: that is the site's configuration, not the network.
 */
import { AppError } from '@assets-vault/shared/errors';
import { OUTBOUND_ADDRESS_REFUSED, OUTBOUND_REDIRECT_REFUSED, OUTBOUND_URL_REFUSED } from './policy.js';

export interface OutboundFailure {
  code: 'assets_unreachable' | 'site_address_refused';
  message: string;
}

const UNREACHABLE: OutboundFailure = {
  code: 'assets_unreachable',
  message:
    'Atlassian could not be reached (network failure, timeout or refused address); the vault logs have the details',
};
const URL_REFUSED: OutboundFailure = {
  code: 'site_address_refused',
  message: "The site's address is not an allowed Atlassian address (https on port 443)",
};
const NETWORK_CODES = new Set([
  'assets_network_error',
  'assets_timeout',
  OUTBOUND_ADDRESS_REFUSED,
  OUTBOUND_REDIRECT_REFUSED,
]);

/** The user-facing failure when `err` (or one of its causes) is an outbound network failure or refusal. */
export function describeOutboundFailure(err: unknown): OutboundFailure | undefined {
  let found: OutboundFailure | undefined;
  let current: unknown = err;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (code === OUTBOUND_URL_REFUSED) return URL_REFUSED;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) found = UNREACHABLE;
    current = current.cause;
  }
  return found;
}

/** `err` as the error a route answers with: the fixed outbound failure (502, shown), else `err` itself. */
export function asOutboundAnswer(err: unknown): unknown {
  const failure = describeOutboundFailure(err);
  return failure ? new AppError(failure.code, failure.message, 502, { expose: true, cause: err }) : err;
}
