/**
 * Attribute values as JSON a script can read back (the JSON export), from the stored value records and the
 * attribute's definition, never from `displayValue` (localised: `07/Dec/26 3:29 AM`):
 * - date-times as ISO 8601 with zone (`2026-12-07T03:29:00.000Z`), dates as `YYYY-MM-DD`, times as stored;
 * - integers and doubles as JSON numbers, booleans as JSON booleans;
 * - references as `{id, key, label}`, users as `{accountId, displayName}`, statuses as `{id, name}`,
 *   groups by name;
 * - an attribute that may hold several values (maximum cardinality not 1) as an array, else one value or null.
 * A stored value that does not parse as its type stays the stored string: nothing is lost or invented.
 */
import type { ValueRecord } from '@assets-vault/shared/snapshot';
import type { AttributeDefinition } from '../browse/definitions.js';

export type TypedValue =
  | string
  | number
  | boolean
  | { id: string; key: string; label: string }
  | { accountId: string | null; displayName: string | null }
  | { id: string; name: string };

type Definition = Pick<AttributeDefinition, 'type' | 'defaultType' | 'maximumCardinality'>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INTEGER = /^[-+]?\d+$/;
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function defaultValue(defaultType: string | null, raw: string): TypedValue {
  switch (defaultType) {
    case 'Integer':
      return INTEGER.test(raw.trim()) && Number.isSafeInteger(Number(raw)) ? Number(raw) : raw;
    case 'Double':
    case 'Float':
      return DECIMAL.test(raw.trim()) ? Number(raw) : raw;
    case 'Boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'Date':
      // a date stored with a time part keeps its calendar day
      return DATE.test(raw.slice(0, 10)) ? raw.slice(0, 10) : raw;
    case 'DateTime': {
      const at = new Date(raw);
      return /^\d{4}-\d{2}-\d{2}T/.test(raw) && !Number.isNaN(at.getTime()) ? at.toISOString() : raw;
    }
    default:
      return raw;
  }
}

/** One stored value as JSON, or undefined for a value record that holds nothing. */
export function typedValue(def: Definition | undefined, v: ValueRecord): TypedValue | undefined {
  if (v.referencedObject)
    return { id: v.referencedObject.id, key: v.referencedObject.objectKey, label: v.referencedObject.label };
  if (v.user) return { accountId: v.user.key ?? v.value ?? null, displayName: v.user.displayName ?? null };
  if (v.status) return { id: v.status.id, name: v.status.name };
  if (v.group) return v.group.name;
  const raw = v.value ?? (def === undefined ? v.displayValue : undefined);
  if (raw === undefined) return undefined;
  return def?.type === 0 ? defaultValue(def.defaultType, raw) : raw;
}

/** An attribute's values as JSON: an array when it may hold several, else the one value or null. */
export function typedAttribute(def: Definition | undefined, values: ValueRecord[]): TypedValue | TypedValue[] | null {
  const typed = values.map((v) => typedValue(def, v)).filter((v): v is TypedValue => v !== undefined);
  const multi = def === undefined ? typed.length > 1 : def.maximumCardinality !== 1;
  return multi ? typed : (typed[0] ?? null);
}
