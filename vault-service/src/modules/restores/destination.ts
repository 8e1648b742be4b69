/**
 * Where a restore writes and how it connects: the API's destination as the engine's destination and
 * options (built in one fixed key order: the engine compares them with its saved state on every resume),
 * the connection of each kind of target, the paced client a run uses, and target failures as answers.
 */
import { DEFAULT_RETRY_POLICY, type RetryOptions } from '@assets-vault/shared/assets-client';
import { AppError } from '@assets-vault/shared/errors';
import {
  RestorePlanError,
  restorePacerOptions,
  snapshotFromChunks,
  type RestoreDestination,
  type RestoreOptions,
  type RestoreSnapshot,
} from '@assets-vault/shared/restore';
import type { Config } from '../../config.js';
import type { VaultDeps } from '../../deps.js';
import type { StoredSnapshot } from '../backup-store/index.js';
import { assetsClientFor, siteAssetsConnection, type AssetsConnection } from '../credentials/assets-connection.js';
import { loadCredentials, saveCredentials } from '../credentials/service.js';
import { createPostgresPacer } from '../pacing/index.js';
import { asTargetFailure } from '../target-instances/failure.js';
import { targetConnection } from '../target-instances/service.js';
import type { Executor } from '../../db/types.js';
import type { RestoreDestinationRecord, RestoreTargetRef } from './repository.js';
import type { RestoreOptionsInput } from './schemas.js';

export type ConnectionDeps = Pick<VaultDeps, 'db' | 'outbound'> & {
  config: Pick<Config, 'encryptionKeys' | 'allowInsecureSiteUrls' | 'restore'>;
};

/** The engine's destination of a restore (its key order is fixed: see the module comment). */
export function engineDestination(d: RestoreDestinationRecord): RestoreDestination {
  if (d.kind === 'existing-schema')
    return { kind: 'existing-schema', schemaId: d.schemaId ?? '', createDuplicates: d.createDuplicates === true };
  return { kind: 'new-schema', name: d.schemaName, key: d.schemaKey };
}

/** The engine's options (fixed key order). */
export function engineOptions(o: RestoreOptionsInput): RestoreOptions {
  return {
    objectIcons: o.objectIcons,
    history: o.history,
    ...(o.objectTypeIds === undefined ? {} : { objectTypeIds: [...o.objectTypeIds] }),
  };
}

/** The link to a schema in the Assets UI of a site. */
export const schemaUrl = (siteUrl: string, schemaId: string) =>
  `${siteUrl.replace(/\/+$/, '')}/jira/servicedesk/assets/object-schema/${schemaId}`;

/** The operator's `ASSETS_OBJECT_ALLOWANCE`, as the engine's plan and run take it (absent: not checked). */
export function objectAllowance(config: Pick<Config, 'restore'>): { objectAllowance?: number } {
  const allowance = config.restore.objectAllowance;
  return allowance === undefined ? {} : { objectAllowance: allowance };
}

/** The backup as the engine reads it: every chunk checked against the manifest (size, SHA-256) as it is read. */
export function snapshotOf(stored: StoredSnapshot): RestoreSnapshot {
  return snapshotFromChunks(stored.manifest, stored.chunks);
}

/** The credentials-store purpose of a target typed into the restore form and not saved. */
const ownTargetPurpose = (restoreId: string) => `restore-target:${restoreId}`;

/** Stores an unsaved target's connection for the restore's runs (encrypted, like every credential). */
export async function saveOwnTarget(
  db: Executor,
  config: Pick<Config, 'encryptionKeys'>,
  siteId: string,
  restoreId: string,
  connection: AssetsConnection,
): Promise<void> {
  await saveCredentials(db, config.encryptionKeys, siteId, ownTargetPurpose(restoreId), connection);
}

/** The connection of a restore's target, as its runs (and the issue-fields step) use it. */
export async function connectionOf(
  deps: ConnectionDeps,
  siteId: string,
  restoreId: string,
  target: RestoreTargetRef,
): Promise<AssetsConnection> {
  if (target.kind === 'site') return (await siteAssetsConnection(deps, siteId)).connection;
  if (target.kind === 'target-instance') return targetConnection(deps, siteId, target.id);
  const own = (await loadCredentials(deps.db, deps.config.encryptionKeys, siteId, ownTargetPurpose(restoreId))) as
    AssetsConnection | undefined;
  if (own === undefined) throw new Error(`The target of restore ${restoreId} is missing from the credentials store`);
  return own;
}

/** Retries on Atlassian's clock: a scaled (emulated) clock shortens the backoff with it. */
function runRetry(clockScale: number): RetryOptions {
  return {
    baseDelayMs: DEFAULT_RETRY_POLICY.baseDelayMs / clockScale,
    maxDelayMs: DEFAULT_RETRY_POLICY.maxDelayMs / clockScale,
  };
}

/**
 * The client a restore run writes with: restore pacing (97% of the documented create limit) in Postgres,
 * shared by every worker and replica that writes to the same site, and the default retries, both on
 * Atlassian's clock (`ASSETS_CLOCK_SCALE`).
 */
export function runClient(deps: ConnectionDeps & Pick<VaultDeps, 'log'>, connection: AssetsConnection) {
  const clockScale = deps.config.restore.clockScale;
  const pacer = createPostgresPacer(deps.db, {
    key: connection.siteUrl.replace(/\/+$/, '').toLowerCase(),
    ...restorePacerOptions({ clockScale }),
    onError: (err) => deps.log.warn({ err }, 'a pacing penalty was not stored'),
  });
  return assetsClientFor(deps, connection, { pacer, retry: runRetry(clockScale) });
}

/**
 * A failure of the target (or a plan error the engine made of one) as the answer of the restore API,
 * with the fixed, safe texts of the target-instances module (network details only in the logs): a 502
 * `target_unreachable`; for a target typed in just now, 400 `outbound_url_refused` or 422
 * `target_unauthorized` (the input is at fault). Anything else is returned as it is.
 */
export function targetFailure(err: unknown, typedIn: boolean): unknown {
  const planned =
    err instanceof RestorePlanError && (err.code === 'target_unreachable' || err.code === 'target_unauthorized')
      ? err
      : undefined;
  const answer = asTargetFailure(planned ? planned.cause : err, typedIn ? 'check' : 'use');
  if (!(answer instanceof AppError))
    return planned ? new AppError(planned.code, planned.message, 502, { expose: true }) : err;
  // an unreachable target is a 502 whichever way it was given (the pinned answer of POST /restores)
  if (answer.code === 'target_unreachable' && answer.statusCode !== 502)
    return new AppError(answer.code, answer.message, 502, { expose: true });
  return answer;
}
