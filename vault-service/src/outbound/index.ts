/**
 * Outbound calls to Atlassian (SSRF guard). Every Assets client of the vault gets its `fetch` from an
 * `OutboundGuard` (`deps.outbound`), and checks its URLs with `guard.checkUrl` when it is built.
 * README.md beside this file says how a new caller uses it.
 */
export { classifyAddress, type AddressClass } from './address.js';
export { createOutboundGuard, type OutboundGuard, type OutboundGuardOptions } from './guard.js';
export { asOutboundAnswer, describeOutboundFailure, type OutboundFailure } from './failure.js';
export {
  ASSETS_GATEWAY_HOST,
  checkOutboundUrl,
  isAllowedAddress,
  isAllowedHostName,
  OUTBOUND_ADDRESS_REFUSED,
  OUTBOUND_REDIRECT_REFUSED,
  OUTBOUND_URL_REFUSED,
  OutboundRefusedError,
  outboundPolicyFromConfig,
  type OutboundPolicy,
  type OutboundRefusal,
} from './policy.js';
export { createGuardedTransport } from './transport.js';
