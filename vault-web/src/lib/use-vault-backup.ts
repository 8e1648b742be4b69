/**
 * "Backup now" from the vault (stored credentials): starts the job, then follows it once a second until it
 * completes or fails. A poll that fails is an error with the vault's message (and a way to keep following),
 * never a silent spinner.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../api/http.js';
import { vault, type BackupJob } from '../api/vault.js';
import { asApiError } from './use-resource.js';

export type VaultBackupState =
  | { state: 'idle' }
  | { state: 'starting' }
  | { state: 'running'; job: BackupJob | undefined; jobId: string }
  | { state: 'completed'; job: BackupJob }
  | { state: 'failed'; job: BackupJob }
  | { state: 'error'; error: ApiError; jobId: string | undefined };

const POLL_MS = 1000;

export function useVaultBackup(schemaId: string, onCompleted: (job: BackupJob) => void) {
  const [status, setStatus] = useState<VaultBackupState>({ state: 'idle' });
  const completed = useRef(onCompleted);
  completed.current = onCompleted;

  const jobId = status.state === 'running' ? status.jobId : undefined;
  useEffect(() => {
    if (jobId === undefined) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const job = await vault.getBackupJob(jobId, { signal: controller.signal });
        if (controller.signal.aborted) return;
        if (job.status === 'completed') {
          setStatus({ state: 'completed', job });
          completed.current(job);
        } else if (job.status === 'failed') setStatus({ state: 'failed', job });
        else {
          setStatus({ state: 'running', job, jobId });
          timer = setTimeout(() => void poll(), POLL_MS);
        }
      } catch (err) {
        if (!controller.signal.aborted) setStatus({ state: 'error', error: asApiError(err), jobId });
      }
    };
    timer = setTimeout(() => void poll(), POLL_MS);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [jobId]);

  const start = useCallback(
    async (options: { unsyncedSchema?: boolean } = {}) => {
      setStatus({ state: 'starting' });
      try {
        const { jobId: id } = await vault.startVaultBackup(schemaId, options);
        setStatus({ state: 'running', job: undefined, jobId: id });
      } catch (err) {
        setStatus({ state: 'error', error: asApiError(err), jobId: undefined });
      }
    },
    [schemaId],
  );

  /** After a failed poll: follow the same job again (or start over when none was started). */
  const resume = useCallback(() => {
    if (status.state === 'error' && status.jobId) setStatus({ state: 'running', job: undefined, jobId: status.jobId });
    else void start();
  }, [status, start]);

  const dismiss = useCallback(() => setStatus({ state: 'idle' }), []);
  return { status, start, resume, dismiss };
}

/** "Reading objects: 1,200 of 2,000" from the engine's progress record (its fields are the shared engine's). */
export function describeProgress(job: BackupJob | undefined): string {
  const progress = (job?.progress ?? {}) as { phase?: unknown; objects?: unknown; objectsExpected?: unknown };
  const phase = typeof progress.phase === 'string' ? progress.phase : undefined;
  const objects = typeof progress.objects === 'number' ? progress.objects : undefined;
  const expected = typeof progress.objectsExpected === 'number' ? progress.objectsExpected : undefined;
  if (!job || job.status === 'queued') return 'Waiting for the vault to start the backup…';
  const count =
    objects !== undefined
      ? `${objects.toLocaleString()}${expected !== undefined ? ` of ${expected.toLocaleString()}` : ''} objects`
      : '';
  return ['Backing up', phase ? `(${phase})` : '', count ? `: ${count}` : '…']
    .filter(Boolean)
    .join(' ')
    .replace(' :', ':');
}
