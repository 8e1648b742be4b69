/**
 * The runner every durable job shares (vault backups, restores, a restore's issue-fields step), one job
 * at a time per runner: claim the next job (db/job-queue.ts), run one attempt, and then either it
 * finished, or its lease was lost to another runner (leave it alone), or this process is shutting down
 * (back to the queue at once, another replica continues), or it failed: again after an exponential
 * backoff, or for good when it cannot succeed or has used its attempts. A job whose runner died during
 * its last attempt is failed for good instead of being run again.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Lease } from '../db/job-queue.js';
import type { Log } from '../logger.js';
import { createPoller, type Poller } from './poller.js';

/** What a failed job tells its user: a stable code and a fixed message (details only in the logs). */
export interface JobFailure {
  /** stable snake_case code, for scripts and the UI */
  code: string;
  /** text for people */
  message: string;
}

/** A failure another attempt cannot fix: the job fails at once. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
  readonly code: string | undefined;
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
  }
}

/** This runner's lease expired and another runner took the job: it leaves the job alone. */
export class JobLeaseLostError extends Error {
  override name = 'JobLeaseLostError';
}

export interface DurableJob {
  id: string;
  attempts: number;
  maxAttempts: number;
}

/** The runner as an attempt sees it. */
export interface JobWorker {
  id: string;
  lockMs: number;
  /** aborted when the process shuts down */
  signal: AbortSignal;
}

export interface JobRunnerSpec<J extends DurableJob> {
  /** what the logs call one job: "vault backup", "restore" */
  name: string;
  log: Log;
  clock: Clock;
  /** a running job's lease; its attempt renews it */
  lockMs: number;
  /** first retry delay; doubles per attempt */
  retryBaseMs: number;
  pollIntervalMs: number;
  claim(lease: Lease): Promise<J | undefined>;
  claimExhausted(lease: Lease): Promise<J | undefined>;
  /** fields on every log line about the job */
  logContext(job: J): Record<string, unknown>;
  /** One attempt; resolves once the job is finished and recorded, with fields for the log line. */
  run(job: J, worker: JobWorker, log: Log): Promise<Record<string, unknown>>;
  /** Ends a job for good (attempts used up, or a permanent failure). */
  fail(job: J, workerId: string, failure: JobFailure): Promise<void>;
  /** Back to the queue, due at `runAfter`, with the failure users see meanwhile. */
  requeue(job: J, workerId: string, runAfter: Date, failure: JobFailure): Promise<void>;
  describeFailure(err: unknown): JobFailure;
  /** recorded when the runner died in each attempt */
  runnerLost: JobFailure;
  /** recorded when a shutdown cut an attempt short (it continues) */
  interrupted: JobFailure;
}

export type JobRunner = Poller & { runOnce(): Promise<boolean> };

export function createJobRunner<J extends DurableJob>(spec: JobRunnerSpec<J>): JobRunner {
  const workerId = `${spec.name.replace(/\s+/g, '-')}:${randomUUID()}`;
  const abort = new AbortController();
  const lease = (): Lease => ({ workerId, now: spec.clock.now(), lockMs: spec.lockMs });

  async function runOnce(): Promise<boolean> {
    const exhausted = await spec.claimExhausted(lease());
    if (exhausted) {
      spec.log.warn(
        { ...spec.logContext(exhausted), attempts: exhausted.attempts },
        `${spec.name} failed: its runner died in the last attempt`,
      );
      await spec.fail(exhausted, workerId, spec.runnerLost);
      return true;
    }
    const job = await spec.claim(lease());
    if (!job) return false;
    const log = spec.log.child(spec.logContext(job));
    log.info({ attempt: job.attempts }, `${spec.name} started`);
    try {
      const details = await spec.run(job, { id: workerId, lockMs: spec.lockMs, signal: abort.signal }, log);
      log.info(details, `${spec.name} completed`);
    } catch (err) {
      if (err instanceof JobLeaseLostError) {
        log.warn({ attempt: job.attempts }, `${spec.name} taken over by another runner`);
        return true;
      }
      if (abort.signal.aborted) {
        // shutting down: another replica (or the next start) continues from the last checkpoint
        await spec.requeue(job, workerId, spec.clock.now(), spec.interrupted);
        return false;
      }
      const permanent = err instanceof PermanentJobError || job.attempts >= job.maxAttempts;
      const failure = spec.describeFailure(err);
      // the job keeps a stable code and a safe message; what really happened is only in this line
      log.warn({ err, code: failure.code, attempt: job.attempts, permanent }, `${spec.name} attempt failed`);
      if (permanent) await spec.fail(job, workerId, failure);
      else {
        const runAfter = new Date(spec.clock.now().getTime() + spec.retryBaseMs * 2 ** (job.attempts - 1));
        await spec.requeue(job, workerId, runAfter, failure);
      }
    }
    return true;
  }

  const poller = createPoller({ intervalMs: spec.pollIntervalMs, log: spec.log, tick: runOnce });
  return {
    ...poller,
    runOnce,
    async stop() {
      abort.abort();
      await poller.stop();
    },
  };
}
