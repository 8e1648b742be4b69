/**
 * Input rules shared by the UI (early feedback) and the resolvers (the actual check). Pure
 * functions without Node or Forge imports, so the UI Kit bundle can use them too.
 */
import type { Schedule } from './contract';

export const MAX_EMAIL_LENGTH = 254;
/** Local part of RFC 5322 dot-atoms and a dotted host name; no quoted local parts, no IP literals. */
export const EMAIL_PATTERN =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/** Trimmed, lower-cased e-mail address, or undefined when it is not one. */
export function normaliseEmail(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const email = value.trim().toLowerCase();
  if (email.length === 0 || email.length > MAX_EMAIL_LENGTH || !EMAIL_PATTERN.test(email)) return undefined;
  return email;
}

/** Assets entity ids are decimal strings (assets-cloud-api.md §2.1). */
export const SCHEMA_ID_PATTERN = /^[0-9]{1,18}$/;

export function isSchemaId(value: unknown): value is string {
  return typeof value === 'string' && SCHEMA_ID_PATTERN.test(value);
}

export const SCHEDULE_TIME_PATTERN = /^([01][0-9]|2[0-3]):00$/;
export const SCHEDULE_TIMES: readonly string[] = Array.from(
  { length: 24 },
  (_, hour) => `${String(hour).padStart(2, '0')}:00`,
);

export function isValidTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** The schedule if every field is valid, otherwise a list of problems. */
export function parseSchedule(value: unknown): { schedule: Schedule } | { problems: string[] } {
  if (typeof value !== 'object' || value === null) return { problems: ['schedule must be an object'] };
  const input = value as Record<string, unknown>;
  const problems: string[] = [];
  const frequency = input.frequency;
  if (frequency !== 'off' && frequency !== 'daily' && frequency !== 'weekly')
    problems.push('frequency must be off, daily or weekly');
  if (typeof input.time !== 'string' || !SCHEDULE_TIME_PATTERN.test(input.time))
    problems.push('time must be a whole hour "HH:00"');
  const dayOfWeek = input.dayOfWeek;
  if (typeof dayOfWeek !== 'number' || !Number.isInteger(dayOfWeek) || dayOfWeek < 0 || dayOfWeek > 6)
    problems.push('dayOfWeek must be 0 (Sunday) to 6');
  if (!isValidTimeZone(input.timezone)) problems.push('timezone must be an IANA time zone');
  if (problems.length > 0) return { problems };
  return {
    schedule: {
      frequency: frequency as Schedule['frequency'],
      time: input.time as string,
      dayOfWeek: dayOfWeek as number,
      timezone: input.timezone as string,
    },
  };
}
