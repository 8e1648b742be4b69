/**
 * The test OpenID provider as a real, separate process (dev/idp-cli.ts), and a tiny "browser" that
 * follows redirects by hand and keeps cookies per origin (Node's fetch has no cookie jar).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { IdpAccount, IdpFlavor } from '../../dev/idp.js';

export type { IdpAccount, IdpFlavor } from '../../dev/idp.js';

const SERVICE_DIR = fileURLToPath(new URL('../..', import.meta.url));

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  stop(): Promise<void>;
}

/** The OIDC_* variables that point the vault's Google and Microsoft logins at test providers (one may serve both). */
export function oidcEnv(providers: { google: TestIdp; microsoft: TestIdp }): Record<string, string> {
  const { google, microsoft } = providers;
  return {
    OIDC_GOOGLE_ISSUER: google.issuer,
    OIDC_GOOGLE_CLIENT_ID: google.clientId,
    OIDC_GOOGLE_CLIENT_SECRET: google.clientSecret,
    OIDC_MICROSOFT_ISSUER: microsoft.issuer,
    OIDC_MICROSOFT_CLIENT_ID: microsoft.clientId,
    OIDC_MICROSOFT_CLIENT_SECRET: microsoft.clientSecret,
  };
}

export interface StartTestIdpOptions {
  flavor: IdpFlavor;
  accounts: IdpAccount[];
  redirectUris: string[];
  clientId?: string;
  clientSecret?: string;
}

/** Spawns `node --conditions=@assets-vault/source --import tsx dev/idp-cli.ts …` and resolves with its issuer once it listens. */
export async function startTestIdp(options: StartTestIdpOptions): Promise<TestIdp> {
  const clientId = options.clientId ?? 'vault';
  const clientSecret = options.clientSecret ?? 'vault-test-secret';
  const args = [
    '--conditions=@assets-vault/source',
    '--import',
    'tsx',
    'dev/idp-cli.ts',
    '--port',
    '0',
    '--flavor',
    options.flavor,
    '--accounts',
    JSON.stringify(options.accounts),
    '--client-id',
    clientId,
    '--client-secret',
    clientSecret,
  ];
  for (const uri of options.redirectUris) args.push('--redirect-uri', uri);
  // jest's NODE_OPTIONS (--experimental-vm-modules) is not for the child.
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, args, { cwd: SERVICE_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });

  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const issuer = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`test IdP did not start within 30 s: ${stderr}`));
    }, 30_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const nl = stdout.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        const line = JSON.parse(stdout.slice(0, nl)) as { issuer?: unknown };
        if (typeof line.issuer !== 'string') throw new Error('no issuer in the ready line');
        resolve(line.issuer);
      } catch (err) {
        child.kill('SIGKILL');
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`test IdP exited with ${code}: ${stderr}`));
    });
  });
  return { issuer, clientId, clientSecret, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export interface BrowseOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Account the IdP's picker should sign in (appended to `/interaction/:uid` URLs). */
  account?: string;
  /** Stop before requesting a URL for which this returns true; the last response is returned with `stoppedAt`. */
  stopBefore?: (url: URL) => boolean;
}

export interface BrowseResult {
  response: Response;
  /** Every URL requested, in order. */
  visited: string[];
  /** The redirect target that `stopBefore` stopped at. */
  stoppedAt?: URL;
}

/** Follows redirects by hand and keeps cookies per origin, as a browser would (minus Secure/SameSite). */
export class TestBrowser {
  readonly jar = new Map<string, Map<string, string>>();

  cookies(origin: string): Map<string, string> {
    let cookies = this.jar.get(origin);
    if (!cookies) {
      cookies = new Map();
      this.jar.set(origin, cookies);
    }
    return cookies;
  }

  cookieHeader(origin: string): string {
    return [...this.cookies(origin)].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async fetch(url: string, options: BrowseOptions = {}): Promise<BrowseResult> {
    const visited: string[] = [];
    let current = new URL(url);
    let method = options.method ?? 'GET';
    for (let hop = 0; hop < 20; hop++) {
      if (options.account && /^\/interaction\/[^/]+$/.test(current.pathname) && !current.searchParams.has('account')) {
        current.searchParams.set('account', options.account);
      }
      visited.push(current.href);
      const headers: Record<string, string> = { ...(hop === 0 ? options.headers : {}) };
      const cookie = this.cookieHeader(current.origin);
      if (cookie) headers.cookie = cookie;
      const response = await fetch(current, { method, headers, redirect: 'manual' });
      this.#store(current.origin, response.headers.getSetCookie());
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { response, visited };
      await response.arrayBuffer();
      const next = new URL(location, current);
      if (options.stopBefore?.(next)) return { response, visited, stoppedAt: next };
      current = next;
      method = 'GET';
    }
    throw new Error(`too many redirects: ${visited.join(' → ')}`);
  }

  #store(origin: string, setCookies: string[]): void {
    const cookies = this.cookies(origin);
    for (const header of setCookies) {
      const [pair = '', ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => {
        const [k = '', v = ''] = a.split('=').map((s) => s.trim());
        if (k.toLowerCase() === 'max-age') return Number(v) <= 0;
        if (k.toLowerCase() === 'expires') return Date.parse(v) <= Date.now();
        return false;
      });
      if (expired || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
  }
}
