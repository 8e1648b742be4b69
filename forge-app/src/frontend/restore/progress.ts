/** A restore's progress in words (the page's status pane and `pnpm forge:local restore`). Pure: no UI imports. */
import type { RestoreDetail } from '../../contract';

export function isFinished(status: RestoreDetail['status']): boolean {
  return status === 'completed' || status === 'error';
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** The progress line: objects done of all, objects per minute and the time left, as far as the vault knows them. */
export function progressText(progress: RestoreDetail['progress']): string {
  const parts = [`${progress.done} of ${progress.total} objects`];
  if (progress.objectsPerMinute !== null) parts.push(`${Math.round(progress.objectsPerMinute)} objects/min`);
  if (progress.etaSeconds !== null) parts.push(`about ${duration(progress.etaSeconds)} left`);
  return `${parts.join(' · ')} (${progress.phase})`;
}
