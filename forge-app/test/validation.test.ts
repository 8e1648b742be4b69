/**
 * The input rules the restore form and the resolvers share (src/validation.ts), against the vault's own: the
 * schema key rule is a copy of the restore engine's (the UI bundle takes no engine code), so they are compared.
 */
import { SCHEMA_KEY_PATTERN as ENGINE_KEY_PATTERN } from '@assets-vault/shared/restore';
import { isSiteUrl, SCHEMA_KEY_PATTERN } from '../src/validation';

it('checks schema keys with the restore engine rule', () => {
  expect(SCHEMA_KEY_PATTERN.source).toBe(ENGINE_KEY_PATTERN.source);
  expect(SCHEMA_KEY_PATTERN.flags).toBe(ENGINE_KEY_PATTERN.flags);
  for (const key of ['IT', 'ITA2', 'A123456789']) expect(SCHEMA_KEY_PATTERN.test(key)).toBe(true);
  for (const key of ['I', 'it', '1TA', 'IT-1', 'A1234567890', '']) expect(SCHEMA_KEY_PATTERN.test(key)).toBe(false);
});

it('takes https site addresses, and http on this machine only (the local emulator)', () => {
  for (const url of ['https://acme.atlassian.net', 'http://127.0.0.1:4000/sites/demo', 'http://localhost:4000'])
    expect(isSiteUrl(url)).toBe(true);
  for (const url of [
    'http://acme.atlassian.net',
    'ftp://x',
    'acme.atlassian.net',
    'https://u:p@acme.atlassian.net',
    'https://a.net/?x=1',
  ])
    expect(isSiteUrl(url)).toBe(false);
});
