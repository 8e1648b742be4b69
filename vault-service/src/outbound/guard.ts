/**
 * The one way the vault calls out to an Atlassian site (SSRF guard, issue 14): a `fetch` that
 * 1. checks the URL of every request against the policy (scheme, port 443, host list, no IP literals),
 * 2. resolves the host itself and refuses to connect when any address it resolves to is not public
 *    (loopback only in development), so a name such as `127.0.0.1.nip.io` or a DNS answer that changes
 *    between check and use (rebinding) cannot reach the vault's own network,
 * 3. checks the address the socket actually connected to before a byte of the request is sent,
 * 4. never follows a redirect (the Authorization header would go along): a 3xx answer is an error.
 * One guard (one connection pool) per process; `close()` ends its sockets.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, buildConnector, fetch as undiciFetch, type Dispatcher } from 'undici';
import {
  checkOutboundUrl,
  isAllowedAddress,
  OUTBOUND_ADDRESS_REFUSED,
  OUTBOUND_REDIRECT_REFUSED,
  OutboundRefusedError,
  type OutboundPolicy,
} from './policy.js';

export interface OutboundGuard {
  readonly policy: OutboundPolicy;
  /** `checkOutboundUrl` under this guard's policy: the URL, or `OutboundRefusedError` */
  checkUrl(url: string | URL): URL;
  /** A fetch for `createFetchTransport({ fetch })`: every rule above, on every request. */
  readonly fetch: typeof fetch;
  /**
   * The guarded connection pool (undici), for a caller that cannot use `fetch`: every connection it
   * opens is checked (rules 2 and 3); the caller checks URLs with `checkUrl` and refuses redirects itself.
   */
  readonly dispatcher: Dispatcher;
  close(): Promise<void>;
}

export interface OutboundGuardOptions {
  /** TCP + TLS connect timeout; default 10 s */
  connectTimeoutMs?: number;
  /** name resolution (tests give a resolver that answers what an attacker's DNS would) */
  lookup?: typeof dnsLookup;
}

const addressRefused = (host: string, address: string) =>
  new OutboundRefusedError(
    OUTBOUND_ADDRESS_REFUSED,
    `outbound connection to ${host} refused: ${address} is not a public address`,
  );

/** Resolves every address of the host and fails unless all of them are allowed. */
function guardedLookup(policy: OutboundPolicy, resolve: typeof dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const refused = addresses.find((a) => !isAllowedAddress(a.address, policy));
      const first = addresses[0];
      if (refused || !first) return callback(addressRefused(hostname, refused?.address ?? 'none'), '', 0);
      if (options.all) return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, addresses);
      return callback(null, first.address, first.family);
    });
  };
}

export function createOutboundGuard(policy: OutboundPolicy, options: OutboundGuardOptions = {}): OutboundGuard {
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const connectChecked = buildConnector({
    lookup: guardedLookup(policy, options.lookup ?? dnsLookup),
    timeout: connectTimeoutMs,
  });
  const agent = new Agent({
    connect(connectOptions, callback) {
      connectChecked(connectOptions, (err, socket) => {
        if (err || !socket) return callback(err ?? new Error('no socket'), null);
        // the address actually connected to (an IP literal skips the lookup above)
        const remote = socket.remoteAddress ?? '';
        if (!isAllowedAddress(remote, policy)) {
          socket.destroy();
          return callback(addressRefused(connectOptions.hostname, remote || 'unknown'), null);
        }
        return callback(null, socket);
      });
    },
  });

  const guardedFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const target = input instanceof Request ? input.url : input;
    const url = checkOutboundUrl(target, policy);
    const res = await undiciFetch(url, {
      method: init?.method ?? 'GET',
      headers: init?.headers as Record<string, string> | undefined,
      body: init?.body as string | undefined,
      signal: init?.signal ?? null,
      redirect: 'manual',
      dispatcher: agent,
    }).catch((err: unknown) => {
      // fetch wraps connection errors in "fetch failed": a refusal is reported as itself
      throw err instanceof Error && err.cause instanceof OutboundRefusedError ? err.cause : err;
    });
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      throw new OutboundRefusedError(
        OUTBOUND_REDIRECT_REFUSED,
        `outbound request to ${url.origin}${url.pathname} answered a redirect (${res.status}), which is not followed`,
      );
    }
    return res as unknown as Response;
  };

  return {
    policy,
    checkUrl: (url) => checkOutboundUrl(url, policy),
    fetch: guardedFetch as typeof fetch,
    dispatcher: agent,
    close: () => agent.close(),
  };
}
