/**
 * The resolver functions behind the UI Kit page. Each one validates its payload, takes the tenant
 * from the Forge context (openSession), does its work on KVS and the shared code, and answers with
 * the `{ ok, data | error }` envelope of src/contract.ts.
 */
import Resolver from '@forge/resolver';
import { AppError, ConflictError, NotFoundError, ValidationError } from '@assets-vault/shared/errors';
import { createForgeAssetsClient, listAssetsSchemas } from '../assets';
import { displayVaultUrl, readVaultConfig } from '../config';
import {
  DEFAULT_SCHEDULE,
  type ResolverKey,
  type ResolverResult,
  type SchemaView,
  type TrustedUserView,
  type VaultStatusView,
} from '../contract';
import { currentUser } from '../jira';
import { describeError, log } from '../log';
import { createEvent, flushOutbox, resetFailedDeliveries, scheduleRetryIfNeeded } from '../outbox';
import {
  commit,
  installationStore,
  outboxStore,
  schemaStore,
  trustedUserStore,
  vaultStatusStore,
  type SchemaMeta,
  type SchemaRecord,
  type TrustedUserRecord,
} from '../store';
import { isSchemaId, normaliseEmail, parseSchedule } from '../validation';
import { runView, startBackupJob } from '../jobs/backup-jobs';
import { restoreHandlers } from './restore';
import { finishSession, openSession, type Handler, type Session } from './session';

// Bounded so one call stays within a resolver's time and a KVS transaction's size.
const MAX_SYNCED_SCHEMAS = 100;
const SCHEMAS_PER_TRANSACTION = 10;

const handlers: { [K in ResolverKey]: Handler<K> } = {
  getVaultStatus: async () => vaultStatusView(),

  retryDeliveries: async () => {
    const reset = await resetFailedDeliveries();
    const result = await flushOutbox({ deadline: Date.now() + 10_000, timeoutMs: 6_000 });
    if (result.pending > 0) await scheduleRetryIfNeeded();
    log.info('deliveries retried by an admin', { reset, delivered: result.delivered, pending: result.pending });
    return vaultStatusView();
  },

  listTrustedUsers: async () =>
    (await trustedUserStore.list()).sort((a, b) => a.invitedAt.localeCompare(b.invitedAt)).map(trustedUserView),

  addTrustedUser: async (payload, session) => {
    const email = normaliseEmail(payload.email);
    if (!email) throw new ValidationError('Enter a valid email address', { code: 'invalid_email' });
    const existing = await trustedUserStore.get(email);
    if (existing && (existing.status === 'invited' || existing.status === 'pending')) {
      throw new ConflictError(`${email} is already a trusted user`, { code: 'already_trusted' });
    }
    const invitedBy = await currentUser(session.accountId);
    const event = createEvent(
      session.tenant,
      'trusted_user.invited',
      { email, invitedBy },
      { kind: 'trusted_user', email },
      session.now,
    );
    const record: TrustedUserRecord = {
      email,
      invitedBy,
      invitedAt: event.createdAt,
      status: 'pending',
      lastEventId: event.id,
    };
    await commit([trustedUserStore.write(record), outboxStore.write(event)]);
    session.wroteEvents = true;
    log.info('trusted user invited', { eventId: event.id });
    await finishSession(session);
    return trustedUserView((await trustedUserStore.get(email)) ?? record);
  },

  removeTrustedUser: async (payload, session) => {
    const email = normaliseEmail(payload.email);
    if (!email) throw new ValidationError('Enter a valid email address', { code: 'invalid_email' });
    const existing = await trustedUserStore.get(email);
    if (!existing) throw new NotFoundError(`${email} is not a trusted user`);
    if (existing.status === 'removing')
      throw new ConflictError(`${email} is already being removed`, { code: 'already_removing' });
    const removedBy = await currentUser(session.accountId);
    const event = createEvent(
      session.tenant,
      'trusted_user.removed',
      { email, removedBy },
      { kind: 'trusted_user', email },
      session.now,
    );
    await commit([
      trustedUserStore.write({ ...existing, status: 'removing', lastEventId: event.id, removedBy }),
      outboxStore.write(event),
    ]);
    session.wroteEvents = true;
    log.info('trusted user removed', { eventId: event.id });
    await finishSession(session);
    const after = await trustedUserStore.get(email);
    return { email, status: after ? after.status : 'removed' };
  },

  listSchemas: async (_payload, session) => schemaViews(session, await assetsSchemas(session)),

  setSyncedSchemas: async (payload, session) => {
    const ids = payload.schemaIds;
    if (!Array.isArray(ids) || !ids.every(isSchemaId))
      throw new ValidationError('schemaIds must be a list of Assets schema ids', { code: 'invalid_schema_ids' });
    const wanted = new Set<string>(ids);
    if (wanted.size > MAX_SYNCED_SCHEMAS)
      throw new ValidationError(`At most ${MAX_SYNCED_SCHEMAS} schemas can be synced`);
    const available = await assetsSchemas(session);
    const byId = new Map(available.map((schema) => [schema.id, schema]));
    const unknown = [...wanted].filter((id) => !byId.has(id));
    if (unknown.length > 0)
      throw new ValidationError(`Unknown Assets schema: ${unknown.join(', ')}`, { code: 'unknown_schema' });

    const stored = new Map((await schemaStore.list()).map((record) => [record.schemaId, record]));
    const changes: Array<{ record: SchemaRecord; event?: ReturnType<typeof createEvent> }> = [];
    for (const id of wanted) {
      const meta = byId.get(id) as SchemaMeta;
      const current = stored.get(id);
      if (current?.synced) continue;
      const data = { schemaId: meta.id, name: meta.name, key: meta.key, objectCount: meta.objectCount ?? 0 };
      const event = createEvent(session.tenant, 'schema.synced', data, { kind: 'schema', schemaId: id }, session.now);
      const record: SchemaRecord = {
        ...(current ?? {}),
        schemaId: id,
        name: meta.name,
        key: meta.key,
        objectCount: meta.objectCount,
        synced: true,
        syncStatus: 'pending',
        lastEventId: event.id,
      };
      changes.push({ record, event });
    }
    for (const record of stored.values()) {
      if (!record.synced || wanted.has(record.schemaId)) continue;
      // The vault's schema.synced accepts `synced: false`: it stops listing the schema as backed up.
      const meta = byId.get(record.schemaId);
      const data = {
        schemaId: record.schemaId,
        name: meta?.name ?? record.name,
        key: meta?.key ?? record.key,
        objectCount: meta?.objectCount ?? record.objectCount ?? 0,
        synced: false,
      };
      const event = createEvent(
        session.tenant,
        'schema.synced',
        data,
        { kind: 'schema', schemaId: record.schemaId },
        session.now,
      );
      changes.push({ record: { ...record, synced: false, syncStatus: 'pending', lastEventId: event.id }, event });
    }
    for (let start = 0; start < changes.length; start += SCHEMAS_PER_TRANSACTION) {
      const batch = changes.slice(start, start + SCHEMAS_PER_TRANSACTION);
      await commit(
        batch.flatMap(({ record, event }) =>
          event ? [schemaStore.write(record), outboxStore.write(event)] : [schemaStore.write(record)],
        ),
      );
    }
    if (changes.some((change) => change.event)) session.wroteEvents = true;
    log.info('synced schemas saved', { synced: wanted.size, changed: changes.length });
    await finishSession(session);
    return schemaViews(session, available);
  },

  setSchedule: async (payload, session) => {
    if (!isSchemaId(payload.schemaId))
      throw new ValidationError('schemaId must be an Assets schema id', { code: 'invalid_schema_id' });
    const parsed = parseSchedule(payload.schedule);
    if ('problems' in parsed)
      throw new ValidationError(`Invalid schedule: ${parsed.problems.join('; ')}`, { code: 'invalid_schedule' });
    const record = await schemaStore.get(payload.schemaId);
    if (!record?.synced)
      throw new ValidationError('Sync this schema before scheduling its backups', { code: 'schema_not_synced' });
    const updated: SchemaRecord = {
      ...record,
      schedule: parsed.schedule,
      scheduleUpdatedAt: session.now.toISOString(),
    };
    await schemaStore.put(updated);
    return schemaView(updated);
  },

  backupNow: async (payload, session) => {
    if (!isSchemaId(payload.schemaId))
      throw new ValidationError('schemaId must be an Assets schema id', { code: 'invalid_schema_id' });
    const record = await schemaStore.get(payload.schemaId);
    if (!record?.synced)
      throw new ValidationError('Sync this schema before backing it up', { code: 'schema_not_synced' });
    readVaultConfig(process.env);
    const requestedBy = await currentUser(session.accountId);
    const job = await startBackupJob(record, 'manual', session.now, requestedBy);
    log.info('manual backup queued', { jobId: job.jobId, schemaId: job.schemaId });
    return runView(job);
  },

  ...restoreHandlers,
};

async function assetsSchemas(session: Session): Promise<SchemaMeta[]> {
  let installation = session.installation;
  const client = createForgeAssetsClient(session.tenant, installation.workspaceId);
  if (!installation.workspaceId) {
    installation = { ...installation, workspaceId: await client.getWorkspaceId() };
    await installationStore.put(installation);
    session.installation = installation;
  }
  return listAssetsSchemas(client);
}

async function schemaViews(_session: Session, available: SchemaMeta[]): Promise<SchemaView[]> {
  const stored = new Map((await schemaStore.list()).map((record) => [record.schemaId, record]));
  const views = available.map((meta) => {
    const record = stored.get(meta.id);
    stored.delete(meta.id);
    return schemaView({
      ...(record ?? { synced: false }),
      schemaId: meta.id,
      name: meta.name,
      key: meta.key,
      objectCount: meta.objectCount,
    });
  });
  // A synced schema that disappeared from Assets stays visible: its backups are still in the vault.
  for (const record of stored.values()) if (record.synced) views.push(schemaView(record));
  return views;
}

function schemaView(record: SchemaRecord): SchemaView {
  return {
    id: record.schemaId,
    name: record.name,
    key: record.key,
    ...(record.objectCount === undefined ? {} : { objectCount: record.objectCount }),
    synced: record.synced,
    ...(record.syncStatus ? { syncStatus: record.syncStatus } : {}),
    schedule: record.schedule ?? DEFAULT_SCHEDULE,
    ...(record.lastBackup ? { lastBackup: record.lastBackup } : {}),
  };
}

function trustedUserView(record: TrustedUserRecord): TrustedUserView {
  return { email: record.email, invitedBy: record.invitedBy, invitedAt: record.invitedAt, status: record.status };
}

async function vaultStatusView(): Promise<VaultStatusView> {
  let configError: string | undefined;
  try {
    readVaultConfig(process.env);
  } catch (err) {
    configError = err instanceof Error ? err.message : String(err);
  }
  const status = await vaultStatusStore.get();
  const deliveries = (await outboxStore.list()).map((record) => ({
    id: record.id,
    type: record.type,
    createdAt: record.createdAt,
    attempts: record.attempts,
    state: record.state,
    ...(record.lastError ? { lastError: record.lastError } : {}),
  }));
  const vaultUrl = displayVaultUrl(process.env);
  return {
    ...(vaultUrl ? { vaultUrl } : {}),
    configured: configError === undefined,
    ...(configError ? { configError } : {}),
    ...(status.lastSuccessAt ? { lastSuccessAt: status.lastSuccessAt } : {}),
    ...(status.lastError ? { lastError: status.lastError } : {}),
    deliveries,
  };
}

function toErrorResult(err: unknown, key: string): ResolverResult<never> {
  if (err instanceof AppError && err.expose) {
    log.warn('resolver refused the call', { resolver: key, code: err.code });
    return { ok: false, error: { code: err.code, message: err.message } };
  }
  log.error('resolver failed', { resolver: key, ...describeError(err) });
  return {
    ok: false,
    error: { code: 'internal', message: 'Something went wrong. The error was logged; please try again.' },
  };
}

/** The `handler` export of the `resolver` function module. */
export function buildResolver() {
  const resolver = new Resolver();
  for (const key of Object.keys(handlers) as ResolverKey[]) {
    resolver.define(key, async ({ payload, context }: { payload: unknown; context: Record<string, unknown> }) => {
      let session: Session | undefined;
      try {
        session = await openSession(context);
        const input = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
        const data = await (handlers[key] as Handler<typeof key>)(input, session);
        return { ok: true, data } satisfies ResolverResult<unknown>;
      } catch (err) {
        return toErrorResult(err, key);
      } finally {
        // Delivers what the call saved (handlers that write events deliver before answering;
        // this covers installation.connected and calls that failed after saving).
        if (session) await finishSession(session);
      }
    });
  }
  return resolver.getDefinitions();
}
