/**
 * The Assets rules for a new schema's name and key, in a module of their own with no imports: the restore
 * planner checks them before writing, and the vault's web UI checks the same rules as the user types.
 */

/** Assets schema keys: 2–10 upper-case letters and digits, starting with a letter (assets-cloud-api.md §3.1). */
export const SCHEMA_KEY_PATTERN = /^[A-Z][A-Z0-9]{1,9}$/;
export const MAX_SCHEMA_NAME_LENGTH = 255;

export const INVALID_SCHEMA_NAME_MESSAGE = `The schema name must be 1–${MAX_SCHEMA_NAME_LENGTH} characters`;
export const INVALID_SCHEMA_KEY_MESSAGE =
  'The schema key must be 2–10 upper-case letters and digits, starting with a letter';

/** What is wrong with a new schema's name and key, by field (empty when both are valid). */
export function schemaInputProblems(name: string, key: string): { name?: string; key?: string } {
  const trimmed = name.trim();
  return {
    ...(trimmed === '' || trimmed.length > MAX_SCHEMA_NAME_LENGTH ? { name: INVALID_SCHEMA_NAME_MESSAGE } : {}),
    ...(SCHEMA_KEY_PATTERN.test(key) ? {} : { key: INVALID_SCHEMA_KEY_MESSAGE }),
  };
}
