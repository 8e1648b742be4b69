/**
 * Restores: the rules behind the restore API, shared by the session routes and the Forge tree. A restore
 * is validated in full before anything is written (the backup, the destination's credentials, a live
 * look at the target through the engine's `planRestore`), then queued as a durable job that
 * jobs/restore-runner.ts runs (run.ts). Backups are read through the backup store only.
 */
import type { Readable } from 'node:stream';
import { AssetsNotFoundError, type AssetsClient } from '@assets-vault/shared/assets-client';
import { AppError, ConflictError, NotFoundError, ValidationError } from '@assets-vault/shared/errors';
import {
  RestorePlanError,
  SCHEMA_KEY_PATTERN,
  planRestore,
  type RestorePlan,
  type VerificationReport,
} from '@assets-vault/shared/restore';
import type { VaultDeps } from '../../deps.js';
import { insertAuditEvent } from '../audit/repository.js';
import * as backupStore from '../backup-store/index.js';
import { assetsClientFor, siteAssetsConnection, type AssetsConnection } from '../credentials/assets-connection.js';
import {
  checkTargetConnection,
  createTargetInstance,
  listTargetInstances,
  targetConnection,
} from '../target-instances/service.js';
import { crossSchemaReferences } from './cross-schema.js';
import {
  engineDestination,
  engineOptions,
  objectAllowance,
  saveOwnTarget,
  schemaUrl,
  snapshotOf,
  targetFailure,
} from './destination.js';
import { restoreLogFile } from './log.js';
import {
  findRestoreJob,
  insertRestoreJob,
  listRestoreJobs,
  lockRestoreJob,
  queueIssueFieldsJob,
  type RestoreDestinationRecord,
  type RestoreJob,
  type RestoreTargetRef,
} from './repository.js';
import type {
  IssueFieldsAccepted,
  RestoreAccepted,
  RestoreDetail,
  RestoreList,
  RestoreListQuery,
  RestorePreview,
  RestoreRequest,
  RestoreSummary,
} from './schemas.js';

export type RestoreDeps = Pick<VaultDeps, 'db' | 'log' | 'clock' | 'config' | 'outbound'>;

interface PreparedRestore {
  backup: backupStore.BackupSummary;
  source: RestoreSummary['source'];
  plan: RestorePlan;
  destination: RestoreDestinationRecord;
  /** `own`: a target typed into the form (saved as a target instance first when asked to) */
  target: RestoreTargetRef;
  connection: AssetsConnection;
}

/** The destination's connection and its part of the record, before the plan names the schema. */
async function resolveTarget(
  deps: RestoreDeps,
  siteId: string,
  d: RestoreRequest['destination'],
): Promise<{ target: RestoreTargetRef; connection: AssetsConnection; siteUrl: string; targetName?: string }> {
  const targetInstanceId = d.kind === 'current-instance' ? undefined : d.targetInstanceId;
  if (d.kind === 'another-instance' && (targetInstanceId === undefined) === (d.newTarget === undefined))
    throw new ValidationError('destination: give either targetInstanceId or newTarget (exactly one)');
  if (targetInstanceId !== undefined) {
    const connection = await targetConnection(deps, siteId, targetInstanceId);
    const name = (await listTargetInstances(deps, siteId)).find((t) => t.id === targetInstanceId)?.name;
    return {
      target: { kind: 'target-instance', id: targetInstanceId },
      connection,
      siteUrl: connection.siteUrl,
      ...(name === undefined ? {} : { targetName: name }),
    };
  }
  if (d.kind === 'another-instance' && d.newTarget !== undefined) {
    const t = d.newTarget;
    const typed: AssetsConnection = {
      siteUrl: t.url.trim().replace(/\/+$/, ''),
      email: t.email.trim(),
      apiToken: t.apiToken,
      ...(t.assetsApiBaseUrl?.trim() ? { assetsApiBaseUrl: t.assetsApiBaseUrl.trim() } : {}),
    };
    const { workspaceId } = await checkTargetConnection(deps, typed).catch((err: unknown) => {
      throw targetFailure(err, true);
    });
    return {
      target: { kind: 'own' },
      connection: { ...typed, workspaceId },
      siteUrl: typed.siteUrl,
      targetName: t.name,
    };
  }
  const { site, connection } = await siteAssetsConnection(deps, siteId);
  return { target: { kind: 'site' }, connection, siteUrl: site.siteUrl };
}

/** The schema picked for cross-schema matching must be on the target: 422 before anything is written. */
async function requireMatchSchema(client: AssetsClient, schemaId: string, typedIn: boolean): Promise<void> {
  try {
    await client.getObjectSchema(schemaId);
  } catch (err) {
    if (err instanceof AssetsNotFoundError)
      throw new AppError(
        'cross_schema_target_not_found',
        `Schema ${schemaId}, picked for matching references into other schemas, is not on the target`,
        422,
        { expose: true },
      );
    throw targetFailure(err, typedIn);
  }
}

/** Everything `startRestore` and `previewRestore` check; writes nothing. */
async function prepare(deps: RestoreDeps, siteId: string, input: RestoreRequest): Promise<PreparedRestore> {
  const d = input.destination;
  // the key rule needs no network: answered before any call to the target
  if (d.kind !== 'existing-schema' && !SCHEMA_KEY_PATTERN.test(d.schemaKey))
    throw new RestorePlanError(
      'invalid_schema_key',
      'The schema key must be 2–10 upper-case letters and digits, starting with a letter',
    );
  const stored = await backupStore.openStoredSnapshot(deps.db, siteId, input.backupId);
  const resolved = await resolveTarget(deps, siteId, d);
  const draft: RestoreDestinationRecord =
    d.kind === 'existing-schema'
      ? {
          kind: d.kind,
          siteUrl: resolved.siteUrl,
          schemaId: d.schemaId,
          schemaName: '',
          schemaKey: '',
          createDuplicates: d.createDuplicates,
        }
      : { kind: d.kind, siteUrl: resolved.siteUrl, schemaName: d.schemaName.trim(), schemaKey: d.schemaKey };
  if (d.kind !== 'current-instance' && d.targetInstanceId !== undefined) draft.targetInstanceId = d.targetInstanceId;
  if (resolved.targetName !== undefined) draft.targetName = resolved.targetName;
  const typedIn = resolved.target.kind === 'own';
  const client = assetsClientFor(deps, resolved.connection);
  const match = input.options.crossSchemaMatch;
  if (match) await requireMatchSchema(client, match.schemaId, typedIn);
  const crossSchema = await crossSchemaReferences(deps.db, siteId, {
    sourceSiteUrl: stored.manifest.source.siteUrl,
    targetSiteUrl: resolved.siteUrl,
    ...(match ? { match: { ...match, client } } : {}),
  });
  let plan: RestorePlan;
  try {
    plan = await planRestore({
      snapshot: snapshotOf(stored),
      client,
      destination: engineDestination(draft),
      options: engineOptions(input.options),
      ...(crossSchema ? { crossSchema } : {}),
      ...objectAllowance(deps.config),
    });
  } catch (err) {
    throw targetFailure(err, typedIn);
  }
  const destination: RestoreDestinationRecord = {
    ...draft,
    schemaName: plan.target.schemaName,
    schemaKey: plan.target.schemaKey,
    ...(plan.target.schemaId === undefined ? {} : { schemaUrl: schemaUrl(resolved.siteUrl, plan.target.schemaId) }),
  };
  return {
    backup: stored.backup,
    source: {
      schemaId: plan.source.schemaId,
      schemaName: plan.source.schemaName,
      schemaKey: plan.source.schemaKey,
      siteUrl: plan.source.siteUrl,
    },
    plan,
    destination,
    target: resolved.target,
    connection: resolved.connection,
  };
}

/**
 * Validates a restore synchronously (nothing is written on any failure) and queues it; 202
 * `{id, status: 'pending'}`. A new target with `save: true` is stored as a target instance once the
 * restore is known to be valid. Audited `restore.started`.
 */
export async function startRestore(
  deps: RestoreDeps,
  siteId: string,
  actor: string,
  input: RestoreRequest,
): Promise<RestoreAccepted> {
  const prepared = await prepare(deps, siteId, input);
  let { target, destination } = prepared;
  const d = input.destination;
  if (d.kind === 'another-instance' && d.newTarget?.save === true) {
    const { save: _save, ...fields } = d.newTarget;
    const saved = await createTargetInstance(deps, siteId, actor, fields);
    target = { kind: 'target-instance', id: saved.id };
    destination = { ...destination, siteUrl: saved.url, targetInstanceId: saved.id, targetName: saved.name };
  }
  const id = await deps.db.transaction().execute(async (trx) => {
    // share-locked until the job exists: a delete or retention cannot slip in between
    const backup = await backupStore.lockBackupForRestore(trx, siteId, prepared.backup.id);
    if (!backup) throw new NotFoundError('Backup not found');
    const restoreId = await insertRestoreJob(trx, siteId, {
      backupId: backup.id,
      backupCreatedAt: backup.completedAt ?? backup.startedAt,
      source: prepared.source,
      destination,
      target,
      options: {
        ...engineOptions(input.options),
        ...(input.options.crossSchemaMatch ? { crossSchemaMatch: { ...input.options.crossSchemaMatch } } : {}),
      },
      createdBy: actor,
      now: deps.clock.now(),
    });
    if (target.kind === 'own') await saveOwnTarget(trx, deps.config, siteId, restoreId, prepared.connection);
    await insertAuditEvent(trx, siteId, {
      actor,
      action: 'restore.started',
      target: restoreId,
      details: {
        backupId: backup.id,
        sourceSchemaId: prepared.source.schemaId,
        destination: {
          kind: destination.kind,
          siteUrl: destination.siteUrl,
          schemaName: destination.schemaName,
          schemaKey: destination.schemaKey,
          schemaId: destination.schemaId ?? null,
          targetInstanceId: destination.targetInstanceId ?? null,
          createDuplicates: destination.createDuplicates ?? null,
        },
        options: input.options,
      },
    });
    return restoreId;
  });
  deps.log.info({ restoreId: id, backupId: prepared.backup.id, kind: destination.kind }, 'restore queued');
  return { id, status: 'pending' };
}

/** What the restore would bring in (selected types, their parents, referenced types), checked like `startRestore`; writes nothing. */
export async function previewRestore(
  deps: RestoreDeps,
  siteId: string,
  input: RestoreRequest,
): Promise<RestorePreview> {
  const { plan } = await prepare(deps, siteId, input);
  return {
    objectTypes: plan.objectTypes.map((t) => ({ id: t.sourceId, name: t.name, role: t.role })),
    objectCount: plan.objectsUpperBound,
    warnings: plan.warnings,
  };
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** The grid's view of a restore. */
export function restoreSummary(job: RestoreJob): RestoreSummary {
  const issue = job.issueFields;
  return {
    id: job.id,
    backupId: job.backupId,
    backupCreatedAt: job.backupCreatedAt.toISOString(),
    source: job.source,
    destination: job.destination,
    options: {
      objectIcons: job.options.objectIcons,
      history: job.options.history,
      objectTypeIds: job.options.objectTypeIds ?? null,
    },
    status: job.status,
    resultMessage: job.resultMessage,
    progress: job.progress ?? { phase: 'pending', done: 0, total: 0, objectsPerMinute: null, etaSeconds: null },
    counts: job.counts ?? { created: 0, skipped: 0, failed: 0, warnings: 0 },
    createdBy: job.createdBy,
    createdAt: job.createdAt.toISOString(),
    startedAt: iso(job.startedAt),
    endedAt: iso(job.endedAt),
    issueFields: issue
      ? {
          status: issue.status,
          updatedFields: issue.updatedFields,
          failedFields: issue.failedFields,
          updatedAt: (issue.endedAt ?? issue.updatedAt).toISOString(),
          message: issue.message,
        }
      : { status: 'not_started', updatedFields: 0, failedFields: 0, updatedAt: null, message: null },
  };
}

/** The verification report in short: equal or not, how many differences, the first few in words. */
function verificationView(report: VerificationReport): NonNullable<RestoreDetail['verification']> {
  const issues = Object.values(report.differences).reduce((sum, n) => sum + (n ?? 0), 0);
  return {
    ok: issues === 0 && report.targetObjectCount === report.expectedObjectCount,
    issues,
    sample: report.examples
      .slice(0, 10)
      .map((e) =>
        `${e.sourceKey ?? e.sourceId ?? ''}${e.attribute ? `.${e.attribute}` : ''} ${e.kind}: ${e.detail}`.trim(),
      ),
  };
}

const cursorOf = (job: RestoreJob) =>
  Buffer.from(`${job.createdAt.toISOString()}|${job.id}`, 'utf8').toString('base64url');

function parseCursor(cursor: string): { createdAt: Date; id: string } {
  const [at = '', id = ''] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at);
  if (Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/i.test(id))
    throw new ValidationError('cursor is not one this API gave out');
  return { createdAt, id };
}

/** The site's restores, newest first, of one source schema when `schemaId` is given (every destination). */
export async function listRestores(
  deps: Pick<VaultDeps, 'db'>,
  siteId: string,
  query: RestoreListQuery,
): Promise<RestoreList> {
  const limit = query.limit ?? 50;
  const jobs = await listRestoreJobs(deps.db, siteId, {
    ...(query.schemaId !== undefined ? { sourceSchemaId: query.schemaId } : {}),
    ...(query.cursor !== undefined ? { before: parseCursor(query.cursor) } : {}),
    limit: limit + 1,
  });
  const page = jobs.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(restoreSummary),
    ...(jobs.length > limit && last !== undefined ? { nextCursor: cursorOf(last) } : {}),
  };
}

async function requireRestore(deps: Pick<VaultDeps, 'db'>, siteId: string, id: string): Promise<RestoreJob> {
  const job = await findRestoreJob(deps.db, siteId, id);
  if (!job) throw new NotFoundError('Restore not found');
  return job;
}

/** One restore of the site with its verification and warnings; 404 for an unknown or another site's id. */
export async function getRestore(deps: Pick<VaultDeps, 'db'>, siteId: string, id: string): Promise<RestoreDetail> {
  return detailOf(await requireRestore(deps, siteId, id));
}

function detailOf(job: RestoreJob): RestoreDetail {
  return {
    ...restoreSummary(job),
    ...(job.verification ? { verification: verificationView(job.verification) } : {}),
    warningsSample: job.warningsSample,
  };
}

/** The .xlsx log of a restore (summary sheet, one row per object of the backup), streamed. */
export async function prepareRestoreLog(
  deps: Pick<VaultDeps, 'db' | 'log'>,
  siteId: string,
  id: string,
): Promise<{ filename: string; contentType: string; body: Readable }> {
  const job = await requireRestore(deps, siteId, id);
  return restoreLogFile(deps, siteId, detailOf(job), job.verification);
}

/**
 * Queues the issue-fields step of a completed restore (202); 409 `restore_not_completed` before that,
 * 409 `issue_fields_running` while it runs. Audited `restore.issue_fields_started`.
 */
export async function startIssueFieldsRestore(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  siteId: string,
  actor: string,
  id: string,
): Promise<IssueFieldsAccepted> {
  await deps.db.transaction().execute(async (trx) => {
    const restore = await lockRestoreJob(trx, siteId, id);
    if (!restore) throw new NotFoundError('Restore not found');
    if (restore.status !== 'completed')
      throw new ConflictError('Issue fields can be restored once the restore has completed', {
        code: 'restore_not_completed',
      });
    // the step reads the backup's issue references: it must still be there, and stays while the step runs
    if (!(await backupStore.lockBackupForRestore(trx, siteId, restore.backupId)))
      throw new ConflictError('The backup this restore read was deleted; issue fields are restored from it', {
        code: 'backup_unavailable',
      });
    if (!(await queueIssueFieldsJob(trx, { restoreId: id, siteId, requestedBy: actor, now: deps.clock.now() })))
      throw new ConflictError('The issue fields of this restore are being restored', { code: 'issue_fields_running' });
    await insertAuditEvent(trx, siteId, { actor, action: 'restore.issue_fields_started', target: id });
  });
  return { id, issueFields: { status: 'pending' } };
}
