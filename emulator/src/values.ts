/**
 * Attribute value rules of the emulator (assets-cloud-api.md §4.3, §5.2): what a `value` string
 * must look like for each default type, and how the real API formats `displayValue`.
 */
import { DefaultType } from '@assets-vault/shared/model';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/;
/** Text is limited on Cloud: "must be less than 255 characters" [community] */
export const TEXT_MAX_LENGTH = 255;

/** Returns an error message, or undefined when `value` is valid for the default type. */
export function checkDefaultValue(defaultTypeId: number, value: string, options: string): string | undefined {
  switch (defaultTypeId) {
    case DefaultType.Text:
      return value.length > TEXT_MAX_LENGTH ? `must be less than ${TEXT_MAX_LENGTH} characters` : undefined;
    case DefaultType.Integer: {
      if (!/^-?\d+$/.test(value)) return `"${value}" is not a valid integer`;
      const n = Number(value);
      return n > 2147483647 || n < -2147483648 ? `"${value}" is out of range for an integer` : undefined;
    }
    case DefaultType.Boolean:
      return value === 'true' || value === 'false' ? undefined : `"${value}" is not a valid boolean`;
    case DefaultType.Double:
      return /^-?\d+(\.\d+)?$/.test(value) ? undefined : `"${value}" is not a valid number`;
    case DefaultType.Date: {
      const m = DATE_RE.exec(value);
      if (!m) return `"${value}" is not a valid date (yyyy-MM-dd)`;
      const d = new Date(`${value}T00:00:00.000Z`);
      return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value
        ? `"${value}" is not a valid date`
        : undefined;
    }
    case DefaultType.Time:
      return TIME_RE.test(value) ? undefined : `"${value}" is not a valid time (HH:mm)`;
    case DefaultType.DateTime:
      return DATETIME_RE.test(value) && !Number.isNaN(Date.parse(value))
        ? undefined
        : `"${value}" is not a valid date-time`;
    case DefaultType.Url: {
      try {
        const u = new URL(value);
        return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : `"${value}" is not a valid URL`;
      } catch {
        return `"${value}" is not a valid URL`;
      }
    }
    case DefaultType.Email:
      return EMAIL_RE.test(value) ? undefined : `"${value}" is not a valid email address`;
    case DefaultType.Textarea:
      return undefined;
    case DefaultType.Select: {
      const allowed = splitOptions(options);
      return allowed.includes(value) ? undefined : `"${value}" is not one of the options (${allowed.join(', ')})`;
    }
    case DefaultType.IpAddress:
      return IPV4_RE.test(value) ? undefined : `"${value}" is not a valid IP address`;
    default:
      return `default type ${defaultTypeId} cannot hold values`;
  }
}

export function splitOptions(options: string): string[] {
  return options
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o.length > 0);
}

/** DateTime values are stored normalised to ISO-8601 UTC with milliseconds. */
export function normaliseDefaultValue(defaultTypeId: number, value: string): string {
  if (defaultTypeId === DefaultType.DateTime) return new Date(value).toISOString();
  return value;
}

/** `displayValue` as a user's browser would see it: localised, deliberately different from `value`. */
export function displayDefaultValue(defaultTypeId: number, value: string): string {
  if (defaultTypeId === DefaultType.Date) {
    const m = DATE_RE.exec(value);
    if (!m) return value;
    return `${m[3]}/${MONTHS[Number(m[2]) - 1] ?? m[2]}/${m[1]?.slice(2)}`;
  }
  if (defaultTypeId === DefaultType.DateTime) return displayDateTime(Date.parse(value));
  return value;
}

export function displayDateTime(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '';
  const hours = d.getUTCHours();
  const h12 = hours % 12 === 0 ? 12 : hours % 12;
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const dd = String(d.getUTCDate()).padStart(2, '0');
  return `${dd}/${MONTHS[d.getUTCMonth()]}/${String(d.getUTCFullYear()).slice(2)} ${h12}:${mm} ${hours < 12 ? 'AM' : 'PM'}`;
}
