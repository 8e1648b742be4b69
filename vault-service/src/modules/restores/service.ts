/**
 * Restores: the rules behind the restore API. Routes (and the Forge tree) call these functions; the
 * durable job that runs a restore is jobs/restore-runner.ts.
 */
import type { Readable } from 'node:stream';
import { AppError } from '@assets-vault/shared/errors';
import type { VaultDeps } from '../../deps.js';
import type {
  IssueFieldsAccepted,
  RestoreAccepted,
  RestoreDetail,
  RestoreList,
  RestoreListQuery,
  RestorePreview,
  RestoreRequest,
} from './schemas.js';

export type RestoreDeps = Pick<VaultDeps, 'db' | 'log' | 'clock' | 'config' | 'outbound'>;

const notYet = () => new AppError('not_implemented', 'Restores are being built', 501);

/** Validates a restore synchronously (nothing written on failure) and queues it: 202 `{id, status: 'pending'}`. */
export async function startRestore(
  _deps: RestoreDeps,
  _siteId: string,
  _actor: string,
  _input: RestoreRequest,
): Promise<RestoreAccepted> {
  throw notYet();
}

/** What the restore would bring in, checked like `startRestore`; writes nothing. */
export async function previewRestore(
  _deps: RestoreDeps,
  _siteId: string,
  _input: RestoreRequest,
): Promise<RestorePreview> {
  throw notYet();
}

/** The site's restores, newest first, optionally of one source schema. */
export async function listRestores(
  _deps: RestoreDeps,
  _siteId: string,
  _query: RestoreListQuery,
): Promise<RestoreList> {
  throw notYet();
}

/** One restore of the site; 404 for an unknown or another site's id. */
export async function getRestore(_deps: RestoreDeps, _siteId: string, _id: string): Promise<RestoreDetail> {
  throw notYet();
}

/** The .xlsx log of a restore, streamed. */
export async function prepareRestoreLog(
  _deps: RestoreDeps,
  _siteId: string,
  _id: string,
): Promise<{ filename: string; contentType: string; body: Readable }> {
  throw notYet();
}

/** Queues the issue-fields step of a completed restore. */
export async function startIssueFieldsRestore(
  _deps: RestoreDeps,
  _siteId: string,
  _actor: string,
  _id: string,
): Promise<IssueFieldsAccepted> {
  throw notYet();
}
