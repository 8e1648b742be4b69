/**
 * Dates as the user reads them: their locale and time zone (the browser's), never the server's. Calendar
 * days are `YYYY-MM-DD` strings in the user's time zone; a day range becomes the instants the vault filters on.
 */

/** `YYYY-MM-DD` of a calendar day. */
export type IsoDay = string;

const pad = (n: number) => String(n).padStart(2, '0');

export const toIsoDay = (date: Date): IsoDay =>
  `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;

/** The local midnight that starts `day`. */
export function dayStart(day: IsoDay): Date {
  const [y = 0, m = 1, d = 1] = day.split('-').map(Number);
  return new Date(y, m - 1, d);
}

export const isIsoDay = (value: string): boolean =>
  /^\d{4}-\d{2}-\d{2}$/.test(value) && toIsoDay(dayStart(value)) === value;

export function addDays(day: IsoDay, days: number): IsoDay {
  const date = dayStart(day);
  date.setDate(date.getDate() + days);
  return toIsoDay(date);
}

export function addMonths(day: IsoDay, months: number): IsoDay {
  const date = dayStart(day);
  const target = new Date(date.getFullYear(), date.getMonth() + months, 1);
  const lastDay = new Date(target.getFullYear(), target.getMonth() + 1, 0).getDate();
  target.setDate(Math.min(date.getDate(), lastDay));
  return toIsoDay(target);
}

/** A filter of whole days, both ends included; `to` equals `from` for a single day. */
export interface DayRange {
  from: IsoDay;
  to: IsoDay;
}

/**
 * The instants the vault's `from`/`to` filter takes for a range of local days: from the first day's local
 * midnight to the last millisecond before the day after the last one (a day with a DST change keeps its 23 or 25 hours).
 */
export function dayRangeToInstants(range: DayRange): { from: string; to: string } {
  const end = dayStart(addDays(range.to, 1));
  return { from: dayStart(range.from).toISOString(), to: new Date(end.getTime() - 1).toISOString() };
}

/** The weeks of a month view: 6 rows of 7 days starting on `weekStartsOn` (0 = Sunday … 6 = Saturday). */
export function monthGrid(year: number, month: number, weekStartsOn: number): IsoDay[][] {
  const first = new Date(year, month, 1);
  const offset = (first.getDay() - weekStartsOn + 7) % 7;
  const start = toIsoDay(new Date(year, month, 1 - offset));
  return Array.from({ length: 6 }, (_w, week) =>
    Array.from({ length: 7 }, (_d, day) => addDays(start, week * 7 + day)),
  );
}

/** First day of the week in the user's locale (0 = Sunday), from Intl when the browser knows it. */
export function localeWeekStart(locale = navigator.language): number {
  try {
    const info = new Intl.Locale(locale) as Intl.Locale & {
      weekInfo?: { firstDay: number };
      getWeekInfo?: () => { firstDay: number };
    };
    const firstDay = info.getWeekInfo?.().firstDay ?? info.weekInfo?.firstDay;
    if (firstDay !== undefined) return firstDay % 7;
  } catch {
    // an unknown locale tag: use Monday, the ISO week
  }
  return 1;
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' });
const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** e.g. "7 Dec 2026, 14:05" in the user's locale and time zone. */
export const formatDateTime = (iso: string) => dateTimeFormat.format(new Date(iso));
/** With weekday, seconds and zone, for titles and screen readers. */
export const formatDateTimeFull = (iso: string) => fullFormat.format(new Date(iso));
export const formatDay = (day: IsoDay) => dayFormat.format(dayStart(day));

/** "1 warning", "2 warnings" (English plurals with an s). */
export const plural = (n: number, unit: string) => `${n.toLocaleString()} ${unit}${n === 1 ? '' : 's'}`;

/** A time left, rounded as a person says it: "40 seconds", "3 minutes", "1 hour 5 minutes". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return plural(s, 'second');
  const minutes = Math.round(s / 60);
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? plural(hours, 'hour') : `${plural(hours, 'hour')} ${plural(rest, 'minute')}`;
}
