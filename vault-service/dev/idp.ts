/**
 * A local OpenID provider for tests and the demo: oidc-provider 8.8.1 (a certified OP) that imitates
 * Google or Microsoft Entra ID claims. It enforces client authentication, registered redirect URIs,
 * PKCE and its own cookies, so the vault's login is exercised the same way as against the real ones.
 *
 * Login: `/interaction/:uid` shows an account picker (one button per account). A request carrying
 * `?account=<email | preferred_username | sub>` logs that account in directly — that is what the
 * picker's buttons submit, and what the tests' redirect-following "browser" does.
 * Consent is automatic for every requested scope.
 */
import http from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider, { type Account, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';

export type IdpFlavor = 'google' | 'microsoft' | 'both';

/** Claims an account carries; which ones reach the ID token depends on the flavour. */
export interface IdpAccount {
  sub?: string;
  name?: string;
  email?: string;
  /** Google-like. */
  email_verified?: boolean;
  /** Microsoft-like: tenant id, object id, sign-in name (UPN) and "email domain owner verified". */
  tid?: string;
  oid?: string;
  preferred_username?: string;
  xms_edov?: boolean;
}

export interface IdpClient {
  clientId: string;
  clientSecret: string;
  redirectUris: readonly string[];
}

export interface IdpOptions {
  flavor: IdpFlavor;
  accounts: readonly IdpAccount[];
  clients: readonly IdpClient[];
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Log the first account in without showing the picker (scripts that cannot click). */
  autoLogin?: boolean;
}

export interface RunningIdp {
  issuer: string;
  close(): Promise<void>;
}

// Scope → claims, as the real providers release them. `conformIdTokenClaims: false` puts the scope
// claims into the ID token, which is where Google and Entra put them too.
const GOOGLE_CLAIMS = { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] };
const MICROSOFT_CLAIMS = {
  openid: ['sub', 'tid', 'oid'],
  email: ['email', 'xms_edov'],
  profile: ['name', 'preferred_username'],
};
const CLAIMS: Record<IdpFlavor, Record<string, string[]>> = {
  google: GOOGLE_CLAIMS,
  microsoft: MICROSOFT_CLAIMS,
  both: {
    openid: ['sub', 'tid', 'oid'],
    email: ['email', 'email_verified', 'xms_edov'],
    profile: ['name', 'preferred_username'],
  },
};

/** The subject an account is known by; stable for a given account description. */
export function accountSubject(account: IdpAccount, index: number): string {
  if (account.sub) return account.sub;
  if (account.oid) return `ms-${account.oid}`;
  return `acct-${index + 1}`;
}

function accountLabel(account: IdpAccount): string {
  return account.email ?? account.preferred_username ?? account.sub ?? '(no name)';
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export async function startIdp(options: IdpOptions): Promise<RunningIdp> {
  const host = options.host ?? '127.0.0.1';
  const accounts = new Map<string, IdpAccount>();
  options.accounts.forEach((account, i) => accounts.set(accountSubject(account, i), account));
  const allowed = new Set(Object.values(CLAIMS[options.flavor]).flat());

  // The issuer URL contains the port, so the socket is bound before the provider exists.
  let handler: http.RequestListener = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('IdP did not bind a TCP port');
  const issuer = `http://${host}:${address.port}`;

  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const configuration: Configuration = {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: [...c.redirectUris],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    })),
    jwks: { keys: [{ ...jwk, kid: `${options.flavor}-${address.port}`, use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(24).toString('base64url')] },
    pkce: { required: () => true },
    conformIdTokenClaims: false,
    claims: CLAIMS[options.flavor],
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: KoaContextWithOIDC, interaction) => `/interaction/${interaction.uid}` },
    findAccount(_ctx: KoaContextWithOIDC, sub: string): Account | undefined {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: () => {
          const claims: { sub: string; [key: string]: unknown } = { sub };
          for (const [key, value] of Object.entries(account)) {
            if (key !== 'sub' && value !== undefined && allowed.has(key)) claims[key] = value;
          }
          return claims;
        },
      };
    },
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      // Automatic consent to everything the client asked for.
      const { Grant } = ctx.oidc.provider;
      const clientId = ctx.oidc.client?.clientId;
      const accountId = ctx.oidc.session?.accountId;
      if (!clientId || !accountId) return undefined;
      const existing = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(clientId);
      if (typeof existing === 'string') return Grant.find(existing);
      const grant = new Grant({ clientId, accountId });
      const scope = ctx.oidc.params?.scope;
      grant.addOIDCScope(typeof scope === 'string' ? scope : 'openid');
      await grant.save();
      return grant;
    },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();

  const findByLabel = (label: string): string | undefined => {
    for (const [sub, account] of accounts) {
      if (sub === label || account.email === label || account.preferred_username === label) return sub;
    }
    return undefined;
  };

  handler = (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const match = /^\/interaction\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
    if (!match || req.method !== 'GET') {
      callback(req, res);
      return;
    }
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res);
        const wanted = url.searchParams.get('account');
        const first = accounts.keys().next().value;
        const accountId = wanted !== null ? findByLabel(wanted) : options.autoLogin ? first : undefined;
        if (wanted !== null && accountId === undefined) {
          res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('unknown account');
          return;
        }
        if (accountId !== undefined) {
          await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
          return;
        }
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(pickerPage(details.uid, [...accounts.values()], options.flavor));
      } catch (err) {
        // An expired or unknown interaction: the provider's own error page is not reachable from here.
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(err instanceof Error ? err.message : 'interaction failed');
      }
    })();
  };

  return {
    issuer,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function pickerPage(uid: string, accounts: IdpAccount[], flavor: IdpFlavor): string {
  const buttons = accounts
    .map((a) => {
      const label = accountLabel(a);
      const detail = [a.name, a.tid ? `tenant ${a.tid}` : undefined].filter(Boolean).join(' · ');
      return `<li><button type="submit" name="account" value="${escapeHtml(label)}"><strong>${escapeHtml(label)}</strong>${
        detail ? `<br><small>${escapeHtml(detail)}</small>` : ''
      }</button></li>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test sign-in</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;color:#172b4d}
ul{list-style:none;padding:0}li{margin:.5rem 0}button{width:100%;text-align:left;padding:.75rem 1rem;border:1px solid #c1c7d0;border-radius:6px;background:#fff;cursor:pointer;font:inherit}
button:hover{background:#f4f5f7}small{color:#6b778c}</style></head>
<body><h1>Test sign-in (${escapeHtml(flavor)})</h1><p>Local OpenID provider for development. Pick an account:</p>
<form method="get" action="/interaction/${escapeHtml(uid)}"><ul>
${buttons}
</ul></form></body></html>`;
}
