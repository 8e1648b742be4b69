/**
 * The Assets transport of every outbound client of the vault: both URLs checked by the guard when it
 * is built (and again by the guard's fetch on every request), and the guard's fetch underneath.
 */
import {
  createFetchTransport,
  type AssetsTransport,
  type FetchTransportOptions,
} from '@assets-vault/shared/assets-client';
import type { OutboundGuard } from './guard.js';

/** `createFetchTransport` through the guard; throws `OutboundRefusedError` for a URL the rules refuse. */
export function createGuardedTransport(
  guard: OutboundGuard,
  options: Omit<FetchTransportOptions, 'fetch' | 'assetsApiBase'> & { assetsApiBase?: string | undefined },
): AssetsTransport {
  const { assetsApiBase, ...rest } = options;
  guard.checkUrl(options.siteUrl);
  if (assetsApiBase !== undefined) guard.checkUrl(assetsApiBase);
  return createFetchTransport({
    ...rest,
    ...(assetsApiBase !== undefined ? { assetsApiBase } : {}),
    fetch: guard.fetch,
  });
}
