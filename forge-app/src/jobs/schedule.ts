/**
 * Schedule arithmetic: when was the most recent slot of a daily or weekly schedule, read in the
 * schedule's IANA time zone. Only Intl is used (no time zone database of our own), and DST gaps
 * and overlaps resolve the way the wall clock does after the change.
 */
import type { Schedule } from '../contract';

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(instant: Date, timeZone: string): WallClock {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
  };
}

const asUtcMs = (clock: WallClock) => Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute);

/** The instant at which the wall clock of `timeZone` shows `clock`. */
export function zonedTimeToInstant(clock: WallClock, timeZone: string): Date {
  const target = asUtcMs(clock);
  let guess = target;
  // Two corrections settle every real offset, including a DST change between guess and answer.
  for (let round = 0; round < 2; round++) {
    guess -= asUtcMs(wallClock(new Date(guess), timeZone)) - target;
  }
  return new Date(guess);
}

/** The latest slot of `schedule` at or before `now`, or undefined for `off`. */
export function latestSlot(schedule: Schedule, now: Date): Date | undefined {
  if (schedule.frequency === 'off') return undefined;
  const [hour, minute] = schedule.time.split(':').map(Number) as [number, number];
  const today = wallClock(now, schedule.timezone);
  for (let back = 0; back <= 7; back++) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day - back));
    if (schedule.frequency === 'weekly' && date.getUTCDay() !== schedule.dayOfWeek) continue;
    const slot = zonedTimeToInstant(
      { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour, minute },
      schedule.timezone,
    );
    if (slot.getTime() <= now.getTime()) return slot;
  }
  return undefined;
}
