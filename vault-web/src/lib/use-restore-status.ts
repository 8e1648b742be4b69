/**
 * Follows one restore until it ends: polls `GET /api/v1/restores/:id`, every second at first and less often
 * while nothing changes (up to every 10 s), so a long restore does not hammer the vault. Failed polls are retried
 * with the same backoff; after a few in a row the screen shows the vault's message and a way to keep following,
 * never a spinner that turns forever.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../api/http.js';
import { vault, type RestoreDetail } from '../api/vault.js';
import { asApiError } from './use-resource.js';

export const POLL_FIRST_MS = 1000;
export const POLL_MAX_MS = 10_000;
const POLL_FACTOR = 1.5;
/** failed polls in a row before the screen says the restore cannot be followed */
export const POLL_FAILURES_SHOWN = 3;

export type RestoreStatusState =
  | { state: 'loading'; restore: RestoreDetail | undefined }
  | { state: 'following'; restore: RestoreDetail }
  | { state: 'ended'; restore: RestoreDetail }
  | { state: 'error'; restore: RestoreDetail | undefined; error: ApiError };

const ended = (r: RestoreDetail) =>
  (r.status === 'completed' || r.status === 'error') &&
  r.issueFields.status !== 'pending' &&
  r.issueFields.status !== 'in_progress';

/** The next delay: back to the first one when the restore moved on, else a little longer. */
export function nextPollDelay(previousMs: number, changed: boolean): number {
  return changed ? POLL_FIRST_MS : Math.min(POLL_MAX_MS, Math.round(previousMs * POLL_FACTOR));
}

const fingerprint = (r: RestoreDetail | undefined) =>
  r ? `${r.status}/${r.progress.phase}/${r.progress.done}/${r.issueFields.status}/${r.issueFields.updatedFields}` : '';

export function useRestoreStatus(restoreId: string, onEnded?: (restore: RestoreDetail) => void) {
  const [status, setStatus] = useState<RestoreStatusState>({ state: 'loading', restore: undefined });
  const [generation, setGeneration] = useState(0);
  const endedRef = useRef(onEnded);
  endedRef.current = onEnded;

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let delay = POLL_FIRST_MS;
    let failures = 0;
    let last: RestoreDetail | undefined;
    const poll = async () => {
      try {
        const restore = await vault.getRestore(restoreId, { signal: controller.signal });
        if (controller.signal.aborted) return;
        failures = 0;
        const changed = fingerprint(restore) !== fingerprint(last);
        const wasRunning = last !== undefined && !ended(last);
        last = restore;
        if (ended(restore)) {
          setStatus({ state: 'ended', restore });
          if (wasRunning) endedRef.current?.(restore);
          return;
        }
        setStatus({ state: 'following', restore });
        delay = nextPollDelay(delay, changed);
      } catch (err) {
        if (controller.signal.aborted) return;
        const error = asApiError(err);
        failures += 1;
        // a restore that does not exist (or no longer belongs to the session's site) will not appear later
        if (error.status === 404 || failures >= POLL_FAILURES_SHOWN) {
          setStatus({ state: 'error', restore: last, error });
          return;
        }
        delay = nextPollDelay(delay, false);
      }
      timer = setTimeout(() => void poll(), delay);
    };
    void poll();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [restoreId, generation]);

  /** After an error or once ended (e.g. the issue-fields step was started): follow the restore again. */
  const follow = useCallback(() => setGeneration((g) => g + 1), []);
  return { status, follow };
}
