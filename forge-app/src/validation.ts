/**
 * Input rules shared by the UI (early feedback) and the resolvers (the actual check). Pure
 * functions without Node or Forge imports, so the UI Kit bundle can use them too.
 */
import type { RestoreRequest, Schedule } from './contract';

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

/**
 * Assets schema keys: 2–10 upper-case letters and digits, starting with a letter. The vault checks the same rule
 * (shared/src/restore/plan.ts, a test compares the two); this copy keeps the UI bundle free of the restore engine.
 */
export const SCHEMA_KEY_PATTERN = /^[A-Z][A-Z0-9]{1,9}$/;
export const MAX_SCHEMA_NAME_LENGTH = 255;
const MAX_TARGET_NAME_LENGTH = 100;

/** An https site address, or http on this machine (the local emulator): what the vault accepts in development. */
export function isSiteUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password || url.search || url.hash) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && ['localhost', '127.0.0.1'].includes(url.hostname));
}

/** Fields of a restore request that a problem can be about (the form shows each under its field). */
export type RestoreField =
  | 'backupId'
  | 'schemaName'
  | 'schemaKey'
  | 'schemaId'
  | 'target'
  | 'newTarget.name'
  | 'newTarget.url'
  | 'newTarget.email'
  | 'newTarget.apiToken'
  | 'objectTypeIds';

function checkNewSchema(destination: { schemaName: string; schemaKey: string }, problems: RestoreProblems): void {
  const name = destination.schemaName.trim();
  if (name.length === 0) problems.schemaName = 'Enter a name for the new schema';
  else if (name.length > MAX_SCHEMA_NAME_LENGTH)
    problems.schemaName = `The name must be at most ${MAX_SCHEMA_NAME_LENGTH} characters`;
  if (destination.schemaKey.length === 0) problems.schemaKey = 'Enter a key for the new schema';
  else if (!SCHEMA_KEY_PATTERN.test(destination.schemaKey))
    problems.schemaKey = 'The key must be 2 to 10 upper-case letters and digits, starting with a letter';
}

export type RestoreProblems = Partial<Record<RestoreField, string>>;

/**
 * What is wrong with a restore request, per field (empty when it can be sent): the form's validation and the
 * resolver's, so both say the same thing. The vault then checks what only it can (free key, reachable target).
 */
export function restoreRequestProblems(request: RestoreRequest): RestoreProblems {
  const problems: RestoreProblems = {};
  if (request.backupId.length === 0) problems.backupId = 'Select a backup';
  const destination = request.destination;
  if (destination.kind === 'current-instance') checkNewSchema(destination, problems);
  if (destination.kind === 'existing-schema' && !SCHEMA_ID_PATTERN.test(destination.schemaId))
    problems.schemaId = 'Choose the schema to restore into';
  if (destination.kind === 'another-instance') {
    checkNewSchema(destination, problems);
    const target = destination.newTarget;
    if ((destination.targetInstanceId === undefined) === (target === undefined))
      problems.target = 'Choose a target instance or enter a new one';
    if (target) {
      const name = target.name.trim();
      if (name.length === 0 || name.length > MAX_TARGET_NAME_LENGTH)
        problems['newTarget.name'] = `Enter a name of up to ${MAX_TARGET_NAME_LENGTH} characters`;
      if (!isSiteUrl(target.url)) problems['newTarget.url'] = 'Enter the site address, https://…atlassian.net';
      if (!normaliseEmail(target.email)) problems['newTarget.email'] = 'Enter a valid email address';
      if (target.apiToken.length === 0) problems['newTarget.apiToken'] = 'Enter an API token of that account';
    }
  }
  if (request.options.objectTypeIds !== undefined && request.options.objectTypeIds.length === 0)
    problems.objectTypeIds = 'Choose at least one object type, or restore them all';
  return problems;
}
