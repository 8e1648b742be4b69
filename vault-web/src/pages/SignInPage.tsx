/**
 * Sign-in: the Jira site URL and the provider. The URL is checked here first (https only, except the local
 * emulator's http://127.0.0.1 sites when the vault allows them) so a typo gets an inline error instead of a
 * provider round trip; the vault checks it again. The browser then leaves for the provider.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { loginUrl, vault, type LoginProvider } from '../api/vault.js';
import { Button } from '../components/Button.js';
import { ErrorState, Loading } from '../components/Feedback.js';
import { TextField } from '../components/Fields.js';
import { Logo } from '../components/Layout.js';
import { siteUrlError } from '../lib/site-url.js';
import { useResource } from '../lib/use-resource.js';

let optionsRequest: ReturnType<typeof vault.loginOptions> | undefined;
/**
 * Starts loading the sign-in options while the app asks who is signed in, so a signed-out visitor does not wait
 * for two round trips one after the other. A failed request is not kept (Try again asks again).
 */
export function preloadLoginOptions(): ReturnType<typeof vault.loginOptions> {
  optionsRequest ??= vault.loginOptions().catch((err: unknown) => {
    optionsRequest = undefined;
    throw err;
  });
  return optionsRequest;
}

const PROVIDERS: { id: LoginProvider; label: string; icon: string }[] = [
  {
    id: 'google',
    label: 'Continue with Google',
    icon: 'M21.6 12.2c0-.7-.1-1.4-.2-2H12v3.8h5.4a4.6 4.6 0 0 1-2 3v2.5h3.3c1.9-1.8 2.9-4.4 2.9-7.3ZM12 22c2.7 0 5-.9 6.7-2.5l-3.3-2.5c-.9.6-2 1-3.4 1-2.6 0-4.8-1.8-5.6-4.1H3v2.6A10 10 0 0 0 12 22Zm-5.6-8.1a6 6 0 0 1 0-3.8V7.5H3a10 10 0 0 0 0 9ZM12 6c1.5 0 2.8.5 3.8 1.5l2.9-2.9A10 10 0 0 0 3 7.5l3.4 2.6C7.2 7.8 9.4 6 12 6Z',
  },
  {
    id: 'microsoft',
    label: 'Continue with Microsoft',
    icon: 'M3 3h8.5v8.5H3zm9.5 0H21v8.5h-8.5zM3 12.5h8.5V21H3zm9.5 0H21V21h-8.5z',
  },
];

export function SignInPage() {
  const options = useResource(() => preloadLoginOptions(), []);
  const [site, setSite] = useState(() => new URLSearchParams(window.location.search).get('site') ?? '');
  const [error, setError] = useState<string | undefined>();

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (options.state !== 'ready') return;
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const provider = submitter instanceof HTMLButtonElement ? (submitter.value as LoginProvider) : 'google';
    const problem = siteUrlError(site, options.data.allowInsecureSiteUrls);
    setError(problem);
    if (problem) {
      document.getElementById('site-url')?.focus();
      return;
    }
    window.location.assign(loginUrl(site.trim(), provider));
  };

  useEffect(() => {
    document.title = 'Sign in · Assets Backup Vault';
  }, []);
  return (
    <main className="signin">
      <div className="signin__card">
        <div className="signin__logo">
          <Logo className="app-nav__logo" />
          <span>Assets Backup Vault</span>
        </div>
        <h1>Sign in to your backups</h1>
        <p className="subtle">
          A Jira administrator added your e-mail address as a trusted user of a Jira site. Enter that site and sign in
          with the Google or Microsoft account of that address. This works even while Atlassian Cloud is down.
        </p>
        {options.state === 'loading' ? <Loading>Loading sign-in options…</Loading> : null}
        {options.state === 'error' ? (
          <ErrorState error={options.error} what="The sign-in options could not be loaded" onRetry={options.retry} />
        ) : null}
        {options.state === 'ready' ? (
          <form className="form" noValidate onSubmit={submit}>
            <TextField
              id="site-url"
              label="Jira site URL"
              name="site"
              type="url"
              inputMode="url"
              autoComplete="url"
              placeholder="https://your-site.atlassian.net"
              value={site}
              error={error}
              onChange={(event) => {
                setSite(event.target.value);
                if (error) setError(undefined);
              }}
            />
            <div className="signin__providers">
              {PROVIDERS.filter((p) => options.data.providers[p.id]).map((p) => (
                <Button key={p.id} type="submit" name="provider" value={p.id}>
                  <svg className="provider-icon" viewBox="0 0 24 24" aria-hidden="true">
                    <path d={p.icon} fill="currentColor" />
                  </svg>
                  {p.label}
                </Button>
              ))}
              {!options.data.providers.google && !options.data.providers.microsoft ? (
                <p role="alert">No login provider is configured on this vault. Ask its operator to set one up.</p>
              ) : null}
            </div>
          </form>
        ) : null}
      </div>
    </main>
  );
}
