import { formatDateTime, formatDateTimeFull } from '../lib/dates.js';

/** A moment in the user's locale and time zone; the full form (with zone) is the tooltip. */
export function DateTime({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatDateTimeFull(iso)}>
      {formatDateTime(iso)}
    </time>
  );
}
