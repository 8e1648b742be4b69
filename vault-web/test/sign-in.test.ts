/** The sign-in page's check of the Jira site URL before it leaves for the provider. */
import { describe, expect, it } from 'vitest';
import { siteUrlError } from '../src/lib/site-url.js';

describe('site URL check', () => {
  it('accepts https site addresses', () => {
    expect(siteUrlError('https://acme.atlassian.net', false)).toBeUndefined();
    expect(siteUrlError('  https://acme.atlassian.net/  ', false)).toBeUndefined();
  });

  it('asks for an address when empty or not a URL', () => {
    expect(siteUrlError('   ', false)).toBe('Enter the address of your Jira site.');
    expect(siteUrlError('acme.atlassian.net', false)).toMatch(/^Enter the full address, starting with https:\/\//);
  });

  it('refuses http, except the local emulator sites when the vault allows insecure site URLs', () => {
    const https = /must start with https:\/\//;
    expect(siteUrlError('http://acme.atlassian.net', false)).toMatch(https);
    expect(siteUrlError('http://127.0.0.1:4000/sites/demo', false)).toMatch(https);
    expect(siteUrlError('http://127.0.0.1:4000/sites/demo', true)).toBeUndefined();
    expect(siteUrlError('http://localhost:4000/sites/demo', true)).toBeUndefined();
    expect(siteUrlError('http://acme.atlassian.net', true)).toMatch(https);
    expect(siteUrlError('ftp://127.0.0.1/', true)).toMatch(https);
  });
});
