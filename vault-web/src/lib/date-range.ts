/** The date-range picker's rules, apart from its markup: choosing days and moving the keyboard focus. */
import { addDays, addMonths, dayStart, formatDay, type DayRange, type IsoDay } from './dates.js';

/** A range being chosen: `anchor` is set after the first click until the second one closes the range. */
export interface RangeDraft {
  range: DayRange | undefined;
  anchor: IsoDay | undefined;
}

/** First click: that day alone (a single-day filter if applied now). Second click: the range between both days. */
export function chooseDay(draft: RangeDraft, day: IsoDay): RangeDraft {
  if (draft.anchor === undefined) return { range: { from: day, to: day }, anchor: day };
  const [from, to] = draft.anchor <= day ? [draft.anchor, day] : [day, draft.anchor];
  return { range: { from, to }, anchor: undefined };
}

export const inRange = (range: DayRange | undefined, day: IsoDay) =>
  range !== undefined && range.from <= day && day <= range.to;

/** Where a key moves the focused day of the grid (the WAI-ARIA date picker pattern), or undefined for other keys. */
export function moveFocus(day: IsoDay, key: string, weekStartsOn: number): IsoDay | undefined {
  switch (key) {
    case 'ArrowLeft':
      return addDays(day, -1);
    case 'ArrowRight':
      return addDays(day, 1);
    case 'ArrowUp':
      return addDays(day, -7);
    case 'ArrowDown':
      return addDays(day, 7);
    case 'PageUp':
      return addMonths(day, -1);
    case 'PageDown':
      return addMonths(day, 1);
    case 'Home':
      return addDays(day, -((dayStart(day).getDay() - weekStartsOn + 7) % 7));
    case 'End':
      return addDays(day, 6 - ((dayStart(day).getDay() - weekStartsOn + 7) % 7));
    default:
      return undefined;
  }
}

/** "Any date", "7 Dec 2026" or "1 Dec 2026 – 7 Dec 2026" in the user's locale. */
export function describeRange(range: DayRange | undefined): string {
  if (!range) return 'Any date';
  return range.from === range.to ? formatDay(range.from) : `${formatDay(range.from)} – ${formatDay(range.to)}`;
}
