/**
 * Consumer of the `backup-jobs` queue: runs one slice of a backup job. The shared backup engine
 * reads Assets through `requestJira` and hands gzip chunks to a sink that PUTs them to the vault;
 * when the slice's time is up the engine returns a cursor, the job saves it in KVS and queues
 * itself again, so a schema of any size backs up across as many invocations as it needs. Inside
 * one invocation the cursor is also saved every few minutes, so a crash loses little work: the
 * next slice re-sends the chunks after the last saved cursor, which the vault accepts as
 * idempotent repeats (same seq and hash).
 */
import { getAppContext } from '@forge/api';
import type { AsyncEvent } from '@forge/events';
import { AssetsApiError, AssetsTransportError, type AssetsClient } from '@assets-vault/shared/assets-client';
import { runBackup, type BackupCursor } from '@assets-vault/shared/backup';
import type { SnapshotChunk } from '@assets-vault/shared/snapshot';
import { createForgeAssetsClient } from '../assets';
import { ConfigurationError, readVaultConfig } from '../config';
import { describeError, log } from '../log';
import { jobStore, vaultStatusStore, type BackupJobRecord, type InstallationRecord, type SchemaMeta } from '../store';
import { storedTenant } from '../tenant';
import { createVaultClient, VaultRequestError, type VaultClient } from '../vault-client';
import { enqueueJob, isActive, saveJob } from './backup-jobs';

/** What a backup captures; the vault records it with the backup. */
export const BACKUP_OPTIONS = { history: true, icons: true, issueRefs: true } as const;

// Outside Forge (no app context) a slice gets the default consumer timeout's worth of time.
const DEFAULT_REMAINING_MS = 55_000;
// Save the cursor at least this often inside a long slice.
const CHECKPOINT_EVERY_MS = 3 * 60_000;
// Job-level retries after the client's own request retries gave up; then the job fails visibly.
const MAX_JOB_FAILURES = 5;
const RETRY_BASE_SEC = 60;
const CHUNK_PUT_ATTEMPTS = 3;

/** Time this invocation may spend before it must save and hand over to the next one. */
export function sliceBudgetMs(): number {
  let remaining = DEFAULT_REMAINING_MS;
  try {
    remaining = getAppContext().invocationRemainingTimeInMillis();
  } catch {
    // no Forge runtime: keep the default
  }
  // Keep a margin for the chunk in flight, the checkpoint and the re-enqueue: 20 % of the
  // invocation, at least 1 s, at most 3 minutes, and never more than half of it (so every slice
  // has time to make progress).
  const margin = Math.min(180_000, Math.max(1_000, remaining * 0.2), remaining * 0.5);
  return Math.max(0, remaining - margin);
}

export async function runBackupSlice(event: Pick<AsyncEvent, 'body'>): Promise<void> {
  const jobId = typeof event.body?.jobId === 'string' ? event.body.jobId : undefined;
  if (!jobId) {
    log.warn('backup event without a job id ignored');
    return;
  }
  const loaded = await jobStore.get(jobId);
  if (!isActive(loaded)) return;
  const deadline = Date.now() + sliceBudgetMs();
  let job: BackupJobRecord = {
    ...loaded,
    status: 'running',
    invocations: loaded.invocations + 1,
    updatedAt: new Date().toISOString(),
  };
  await saveJob(job);

  try {
    const installation = await storedTenant();
    const vault = createVaultClient({ config: readVaultConfig(process.env), timeoutMs: 120_000 });
    const client = createForgeAssetsClient(installation, installation.workspaceId);
    if (!job.backupId) job = await openBackup(job, installation, client, vault);
    const backupId = job.backupId as string;
    const source = { cloudId: installation.cloudId, siteUrl: installation.siteUrl };

    let cursor = job.cursor as BackupCursor | undefined;
    for (;;) {
      const checkpointAt = Math.min(deadline, Date.now() + CHECKPOINT_EVERY_MS);
      // The engine may check before doing anything when it resumes (e.g. before a page's next
      // history batch); never yielding on the first check guarantees every slice moves forward,
      // even when the invocation started with almost no time left.
      let checks = 0;
      const result = await runBackup({
        client,
        schemaId: job.schemaId,
        source,
        options: BACKUP_OPTIONS,
        sink: { putChunk: (chunk: SnapshotChunk) => putChunk(vault, backupId, chunk) },
        ...(cursor === undefined ? {} : { cursor }),
        shouldYield: () => ++checks > 1 && Date.now() >= checkpointAt,
      });
      if (result.done) {
        await vault.completeBackup(backupId, result.manifest);
        const finishedAt = new Date().toISOString();
        job = {
          ...job,
          status: 'completed',
          finishedAt,
          updatedAt: finishedAt,
          failures: 0,
          records: result.manifest.counts.records,
          chunks: result.manifest.chunks.length,
        };
        delete job.cursor;
        delete job.error;
        await saveJob(job);
        await vaultStatusStore.recordSuccess(new Date());
        log.info('backup completed', {
          jobId,
          backupId,
          records: job.records,
          chunks: job.chunks,
          invocations: job.invocations,
        });
        return;
      }
      cursor = result.cursor;
      job = {
        ...job,
        cursor,
        records: cursor.writer.counts.records,
        chunks: cursor.writer.chunks.length,
        failures: 0,
        updatedAt: new Date().toISOString(),
      };
      delete job.error;
      await saveJob(job);
      if (Date.now() >= deadline) {
        await enqueueJob(jobId);
        log.info('backup slice handed over', {
          jobId,
          records: job.records,
          chunks: job.chunks,
          invocations: job.invocations,
        });
        return;
      }
    }
  } catch (err) {
    await handleFailure(job, err);
  }
}

async function openBackup(
  job: BackupJobRecord,
  installation: InstallationRecord,
  client: AssetsClient,
  vault: VaultClient,
): Promise<BackupJobRecord> {
  let pending = job;
  if (!pending.open) {
    const schema = await client.getObjectSchema(job.schemaId);
    const meta: SchemaMeta = {
      id: schema.id,
      name: schema.name,
      key: schema.objectSchemaKey,
      objectCount: schema.objectCount,
    };
    const body = {
      cloudId: installation.cloudId,
      siteUrl: installation.siteUrl,
      schema: {
        id: meta.id,
        name: meta.name,
        key: meta.key,
        ...(meta.objectCount === undefined ? {} : { objectCount: meta.objectCount }),
      },
      kind: job.kind,
      startedAt: new Date().toISOString(),
      options: { ...BACKUP_OPTIONS },
    };
    pending = {
      ...job,
      schema: meta,
      startedAt: body.startedAt,
      open: { webhookId: `bko_${job.jobId}_${job.restarts ?? 0}`, body },
    };
    await saveJob(pending);
  }
  const open = pending.open as NonNullable<BackupJobRecord['open']>;
  const { backupId } = await vault.createBackup(open.body, open.webhookId);
  const opened: BackupJobRecord = { ...pending, backupId, updatedAt: new Date().toISOString() };
  await saveJob(opened);
  log.info('backup opened in the vault', { jobId: job.jobId, backupId, kind: job.kind });
  return opened;
}

async function putChunk(vault: VaultClient, backupId: string, chunk: SnapshotChunk): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await vault.putChunk(backupId, chunk.seq, chunk.bytes, chunk.sha256);
      return;
    } catch (err) {
      if (!(err instanceof VaultRequestError) || !err.retryable || attempt >= CHUNK_PUT_ATTEMPTS) throw err;
      const delayMs = err.retryAfterMs ?? 1_000 * 2 ** (attempt - 1);
      await new Promise((resolve) => setTimeout(resolve, Math.min(delayMs, 30_000)));
    }
  }
}

function isRetryable(err: unknown): boolean {
  if (err instanceof ConfigurationError) return false;
  if (err instanceof VaultRequestError) return err.retryable;
  if (err instanceof AssetsTransportError) return true;
  if (err instanceof AssetsApiError) return err.status === 429 || err.status >= 500;
  // KVS or queue hiccups and other platform errors: worth another slice.
  return !(err instanceof Error && 'statusCode' in err && typeof err.statusCode === 'number' && err.statusCode < 500);
}

/** The vault's answer behind an error, also when the snapshot writer wrapped the sink's failure. */
function vaultErrorIn(err: unknown): VaultRequestError | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof VaultRequestError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

async function handleFailure(job: BackupJobRecord, caught: unknown): Promise<void> {
  const err = vaultErrorIn(caught) ?? caught;
  const message = err instanceof Error ? err.message : String(err);
  const failures = job.failures + 1;
  const now = new Date();
  if (err instanceof VaultRequestError) await vaultStatusStore.recordFailure(now, message);
  if (err instanceof VaultRequestError && err.status === 409 && failures < MAX_JOB_FAILURES) {
    // The vault holds different bytes for a chunk number: this run cut its chunks differently
    // from an earlier, interrupted one (a crash between uploading a checkpoint and saving its
    // cursor). That backup can never complete; start a fresh one, which the vault keeps apart.
    const restarted: BackupJobRecord = {
      ...job,
      failures,
      restarts: (job.restarts ?? 0) + 1,
      error: 'Restarted after a chunk conflict',
      updatedAt: now.toISOString(),
      records: 0,
      chunks: 0,
    };
    delete restarted.backupId;
    delete restarted.cursor;
    delete restarted.open;
    await saveJob(restarted);
    await enqueueJob(job.jobId);
    log.warn('backup restarted after a chunk conflict', { jobId: job.jobId, failures });
    return;
  }
  if (isRetryable(err) && failures < MAX_JOB_FAILURES) {
    const delaySec = RETRY_BASE_SEC * 2 ** (failures - 1);
    await saveJob({ ...job, failures, error: `${message} (retrying)`, updatedAt: now.toISOString() });
    await enqueueJob(job.jobId, delaySec);
    log.warn('backup slice failed; retrying', { jobId: job.jobId, failures, delaySec, ...describeError(err) });
    return;
  }
  await saveJob({
    ...job,
    status: 'failed',
    failures,
    error: message,
    finishedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  });
  log.error('backup failed', { jobId: job.jobId, failures, ...describeError(err) });
}
