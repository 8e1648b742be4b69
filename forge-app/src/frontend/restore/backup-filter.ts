/**
 * The Available backups filters as the vault's query: a type, and a day or a range of days in the admin's time
 * zone (DatePicker values are `YYYY-MM-DD`), turned into completion-time bounds from the first to the last
 * millisecond of those days.
 */
import type { BackupFilter } from '../../contract';

export type DateMode = 'any' | 'day' | 'range';
export type TypeChoice = 'all' | 'manual' | 'scheduled';

export interface BackupFilterDraft {
  type: TypeChoice;
  dateMode: DateMode;
  /** the day (mode `day`) or the first day of the range */
  from: string;
  /** the last day of the range */
  to: string;
}

export const NO_FILTER: BackupFilterDraft = { type: 'all', dateMode: 'any', from: '', to: '' };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function localDay(day: string, endOfDay: boolean): string | undefined {
  if (!DAY.test(day)) return undefined;
  const at = new Date(`${day}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}`);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/** The query for a draft, or the problem that keeps it from being one (shown under the date fields). */
export function backupQuery(draft: BackupFilterDraft): { filter: BackupFilter } | { problem: string } {
  const filter: BackupFilter = draft.type === 'all' ? {} : { kind: draft.type };
  if (draft.dateMode === 'any') return { filter };
  const start = localDay(draft.from, false);
  if (draft.dateMode === 'day') {
    if (!start) return { problem: 'Choose a date' };
    return { filter: { ...filter, from: start, to: localDay(draft.from, true) as string } };
  }
  const end = localDay(draft.to, true);
  if (!start || !end) return { problem: 'Choose the first and the last day of the range' };
  if (start > end) return { problem: 'The first day must not be after the last day' };
  return { filter: { ...filter, from: start, to: end } };
}

export function isFiltered(draft: BackupFilterDraft): boolean {
  return draft.type !== 'all' || draft.dateMode !== 'any';
}
