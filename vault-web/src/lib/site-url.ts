/**
 * The check of a Jira site URL before it is sent (sign-in, a new target instance): https only, except the local
 * emulator's http://127.0.0.1 sites when the vault allows them (`allowInsecureSiteUrls` of /auth/options). The
 * vault checks again; this only turns a typo into an inline error.
 */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The inline error for a site URL, or undefined when it may be sent. */
export function siteUrlError(value: string, allowInsecureSiteUrls: boolean): string | undefined {
  const text = value.trim();
  if (text === '') return 'Enter the address of your Jira site.';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'Enter the full address, starting with https:// (for example https://your-site.atlassian.net).';
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && allowInsecureSiteUrls && LOOPBACK.has(url.hostname)) return undefined;
  return 'The site address must start with https:// (for example https://your-site.atlassian.net).';
}
