/**
 * Target instances: other Jira sites a site's backups can be restored to. Each is checked before it is
 * saved (workspace discovery and one read, through the outbound guard); its API token is stored with
 * the credentials store (AES-256-GCM, purpose `target-instance:<id>`), never returned and never logged.
 * The restore module reuses `targetConnection` and `checkTargetConnection`, and builds its clients
 * with `assetsClientFor` (modules/credentials): one implementation for every destination.
 */
import { ConflictError, NotFoundError, ValidationError } from '@assets-vault/shared/errors';
import type { RetryOptions } from '@assets-vault/shared/assets-client';
import type { Config } from '../../config.js';
import type { VaultDeps } from '../../deps.js';
import { insertAuditEvent } from '../audit/repository.js';
import {
  assetsClientFor,
  siteAssetsConnection,
  type AssetsClientDeps,
  type AssetsConnection,
} from '../credentials/assets-connection.js';
import { checkAssetsApiBaseUrl, deleteCredentials, loadCredentials, saveCredentials } from '../credentials/service.js';
import { normaliseSiteUrl } from '../sites/site-url.js';
import { asTargetFailure } from './failure.js';
import {
  deleteTargetInstanceRow,
  findTargetInstance,
  insertTargetInstance,
  listTargetInstanceRows,
  markTargetChecked,
  targetNameTaken,
  type TargetInstance,
} from './repository.js';

export type { TargetInstance } from './repository.js';

export interface TargetInstanceInput {
  name: string;
  url: string;
  email: string;
  apiToken: string;
  assetsApiBaseUrl?: string;
}

/** One schema of a destination, for the "existing schema" choice of a restore. */
export interface SchemaOption {
  id: string;
  name: string;
  objectSchemaKey: string;
  objectCount: number;
}

type TargetDeps = Pick<VaultDeps, 'db' | 'outbound' | 'clock' | 'log'> & {
  config: Pick<Config, 'encryptionKeys' | 'allowInsecureSiteUrls' | 'allowedSiteHosts'>;
};
type CheckDeps = AssetsClientDeps & Pick<VaultDeps, 'log'>;

/** The credentials-store purpose of a target's secret (the AAD binds it: a row cannot move to another target). */
const credentialPurpose = (id: string) => `target-instance:${id}`;

interface TargetSecret {
  apiToken: string;
}

/** A check answers while the user waits: few, short retries, and no minute-long timeouts. */
const CHECK_RETRY: RetryOptions = {
  maxAttempts: 2,
  maxThrottledAttempts: 3,
  baseDelayMs: 250,
  maxDelayMs: 2_000,
  maxServerDelayMs: 10_000,
};
const CHECK_TIMEOUT_MS = 15_000;

export async function listTargetInstances(deps: Pick<VaultDeps, 'db'>, siteId: string): Promise<TargetInstance[]> {
  return listTargetInstanceRows(deps.db, siteId);
}

/**
 * Proves a connection works: discovers the workspace through the site (always, even when one is
 * known: that is what shows Assets is there) and lists one page of schemas. Returns the workspace id;
 * throws the 4xx of `asTargetFailure(…, 'check')` (`outbound_url_refused` | `target_unreachable` |
 * `target_unauthorized`) or a 400 `validation_failed` for an Assets API base URL that is not allowed.
 */
export async function checkTargetConnection(deps: CheckDeps, conn: AssetsConnection): Promise<{ workspaceId: string }> {
  try {
    const client = assetsClientFor(
      deps,
      { ...conn, workspaceId: undefined },
      { retry: CHECK_RETRY, timeoutMs: CHECK_TIMEOUT_MS },
    );
    const workspaceId = await client.getWorkspaceId();
    // one page of one schema is the read; leaving the loop stops the paging
    for await (const _schema of client.listObjectSchemas({ pageSize: 1, includeCounts: false })) break;
    return { workspaceId };
  } catch (err) {
    const answer = asTargetFailure(err, 'check');
    if (answer !== err) deps.log.info({ err, siteUrl: conn.siteUrl }, 'target connection check failed');
    throw answer;
  }
}

/**
 * The target's address as stored: the guard's rules first (`outbound_url_refused`: https, port 443, an
 * allowed Atlassian host), then the site URL shape (`validation_failed`: a bare origin, except the
 * emulator's `/sites/<name>` path under ALLOW_INSECURE_SITE_URLS).
 */
function normaliseTargetUrl(deps: Pick<TargetDeps, 'outbound' | 'config'>, input: string): string {
  const raw = input.trim();
  if (!URL.canParse(raw))
    throw new ValidationError('url must be an absolute URL such as https://your-site.atlassian.net');
  try {
    deps.outbound.checkUrl(raw);
  } catch (err) {
    throw asTargetFailure(err, 'check');
  }
  try {
    return normaliseSiteUrl(raw, deps.config);
  } catch (err) {
    if (err instanceof ValidationError) throw new ValidationError(`url: ${err.message}`);
    throw err;
  }
}

/**
 * Checks the connection, then stores the target (its token encrypted) with an audit entry
 * `target_instance.created` that never holds the token. Nothing is written when any check fails.
 */
export async function createTargetInstance(
  deps: TargetDeps,
  siteId: string,
  actor: string,
  input: TargetInstanceInput,
): Promise<TargetInstance> {
  const name = input.name.trim();
  if (name === '') throw new ValidationError('name must not be blank');
  const url = normaliseTargetUrl(deps, input.url);
  const email = input.email.trim();
  const assetsApiBaseUrl = input.assetsApiBaseUrl?.trim() || undefined;
  if (assetsApiBaseUrl !== undefined) checkAssetsApiBaseUrl(assetsApiBaseUrl, url, deps.config.allowInsecureSiteUrls);
  const nameTaken = () =>
    new ConflictError(`A target instance named "${name}" already exists`, { code: 'target_name_taken' });
  // before the check: no call to the site for a form that cannot be saved anyway
  if (await targetNameTaken(deps.db, siteId, name)) throw nameTaken();
  const { workspaceId } = await checkTargetConnection(deps, {
    siteUrl: url,
    email,
    apiToken: input.apiToken,
    ...(assetsApiBaseUrl !== undefined ? { assetsApiBaseUrl } : {}),
  });
  return deps.db.transaction().execute(async (trx) => {
    const created = await insertTargetInstance(trx, siteId, {
      name,
      url,
      email,
      assetsApiBaseUrl: assetsApiBaseUrl ?? null,
      workspaceId,
      createdBy: actor,
      checkedAt: deps.clock.now(),
    });
    if (!created) throw nameTaken();
    const secret: TargetSecret = { apiToken: input.apiToken };
    await saveCredentials(trx, deps.config.encryptionKeys, siteId, credentialPurpose(created.id), secret);
    await insertAuditEvent(trx, siteId, {
      actor,
      action: 'target_instance.created',
      target: created.id,
      details: { name, url, email, assetsApiBaseUrl: assetsApiBaseUrl ?? null },
    });
    return created;
  });
}

/** Deletes the target and its stored token (audited `target_instance.deleted`); 404 for another site's id. */
export async function deleteTargetInstance(
  deps: Pick<VaultDeps, 'db'>,
  siteId: string,
  actor: string,
  id: string,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const deleted = await deleteTargetInstanceRow(trx, siteId, id);
    if (!deleted) throw new NotFoundError('Target instance not found');
    await deleteCredentials(trx, siteId, credentialPurpose(id));
    await insertAuditEvent(trx, siteId, {
      actor,
      action: 'target_instance.deleted',
      target: id,
      details: { name: deleted.name, url: deleted.url },
    });
  });
}

/** The stored target as a connection (with its decrypted token: internal only); 404 for another site's id. */
export async function targetConnection(
  deps: Pick<VaultDeps, 'db'> & { config: Pick<Config, 'encryptionKeys'> },
  siteId: string,
  id: string,
): Promise<AssetsConnection> {
  const target = await findTargetInstance(deps.db, siteId, id);
  if (!target) throw new NotFoundError('Target instance not found');
  const secret = (await loadCredentials(deps.db, deps.config.encryptionKeys, siteId, credentialPurpose(id))) as
    TargetSecret | undefined;
  if (!secret) throw new Error(`The API token of target instance ${id} is missing from the credentials store`);
  return {
    siteUrl: target.url,
    email: target.email,
    apiToken: secret.apiToken,
    workspaceId: target.workspaceId,
    ...(target.assetsApiBaseUrl !== null ? { assetsApiBaseUrl: target.assetsApiBaseUrl } : {}),
  };
}

/** Every schema the connection sees, by name; failures as the 502 `target_*` answers. */
async function schemasOf(deps: AssetsClientDeps, conn: AssetsConnection): Promise<SchemaOption[]> {
  const items: SchemaOption[] = [];
  try {
    for await (const s of assetsClientFor(deps, conn).listObjectSchemas({ includeCounts: true }))
      items.push({ id: s.id, name: s.name, objectSchemaKey: s.objectSchemaKey, objectCount: s.objectCount });
  } catch (err) {
    throw asTargetFailure(err, 'use');
  }
  return items.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** The schemas of a stored target; a success counts as a check (`lastCheckedAt`). */
export async function listTargetSchemas(deps: TargetDeps, siteId: string, id: string): Promise<SchemaOption[]> {
  const items = await schemasOf(deps, await targetConnection(deps, siteId, id));
  await markTargetChecked(deps.db, siteId, id, deps.clock.now());
  return items;
}

/** The schemas of the site itself, with its stored credentials (409 `no_credentials` without them). */
export async function listSiteSchemas(deps: TargetDeps, siteId: string): Promise<SchemaOption[]> {
  return schemasOf(deps, (await siteAssetsConnection(deps, siteId)).connection);
}
