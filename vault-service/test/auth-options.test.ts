/** GET /auth/options: what the sign-in page offers, public, straight from the configuration. */
import { appsPerConfig } from './helpers/app.js';

describe('sign-in options', () => {
  const { start } = appsPerConfig();

  it('names the configured providers and whether http:// sites are accepted, without a session', async () => {
    const local = await start({
      ALLOW_INSECURE_SITE_URLS: 'true',
      OIDC_GOOGLE_ISSUER: 'http://127.0.0.1:9/idp',
      OIDC_GOOGLE_CLIENT_ID: 'vault',
      OIDC_GOOGLE_CLIENT_SECRET: 'secret',
    });
    const res = await fetch(`${local.baseUrl}/auth/options`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ providers: { google: true, microsoft: false }, allowInsecureSiteUrls: true });

    const strict = await start({
      OIDC_MICROSOFT_CLIENT_ID: 'vault',
      OIDC_MICROSOFT_CLIENT_SECRET: 'secret',
    });
    expect(await (await fetch(`${strict.baseUrl}/auth/options`)).json()).toEqual({
      providers: { google: false, microsoft: true },
      allowInsecureSiteUrls: false,
    });
  });
});
