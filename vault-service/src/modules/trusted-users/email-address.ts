import { ValidationError } from '@assets-vault/shared/errors';

// Deliberately simple: one @, no spaces or angle brackets, a dot in the domain. The e-mail only has
// to match what Google or Microsoft later report for the person; the mail server is the real check.
const EMAIL_PATTERN = /^[^\s@<>()",;:\\]+@[^\s@<>()",;:\\]+\.[^\s@<>()",;:\\]+$/;

/** Trimmed, lower-case e-mail, or a 422 `invalid_email`. Used by invitations and by login. */
export function normaliseEmail(input: string): string {
  const email = input.trim().toLowerCase();
  if (email.length > 254 || !EMAIL_PATTERN.test(email)) {
    throw new ValidationError('Not a valid e-mail address', { statusCode: 422, code: 'invalid_email' });
  }
  return email;
}
