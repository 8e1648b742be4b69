/**
 * What every resolver call does before its own work: read the tenant from the Forge context,
 * re-check that the caller administers Jira, and remember the installation (telling the vault
 * with installation.connected the first time). After the work, events written by the call are
 * delivered right away when the vault answers, or left to the retry queue when it does not.
 */
import { getAppContext } from '@forge/api';
import { NoWorkspaceError } from '@assets-vault/shared/assets-client';
import { createForgeAssetsClient } from '../assets';
import type { ResolverDefinitions, ResolverKey } from '../contract';
import { assertJiraAdmin } from '../jira';
import { describeError, log } from '../log';
import { createEvent, flushOutbox, scheduleRetryIfNeeded } from '../outbox';
import { commit, installationStore, outboxStore, type InstallationRecord, type Tenant } from '../store';
import { tenantFromContext } from '../tenant';

/** One resolver: its payload (an object, unchecked) and the session in, its result type out. */
export type Handler<K extends ResolverKey> = (
  payload: Record<string, unknown>,
  session: Session,
) => Promise<ResolverDefinitions[K]['result']>;

export interface Session {
  tenant: Tenant;
  installation: InstallationRecord;
  accountId?: string;
  now: Date;
  /** Set by handlers that wrote outbox events, so `finish` delivers them. */
  wroteEvents: boolean;
}

// A resolver has 25 s in total; the inline delivery must leave room for the rest of the call.
const INLINE_DELIVERY_BUDGET_MS = 8_000;
const INLINE_DELIVERY_TIMEOUT_MS = 6_000;

export function appVersion(): string {
  try {
    return getAppContext().appVersion;
  } catch {
    // Outside the Forge runtime (local harness, tests) there is no app context.
    return 'local';
  }
}

export async function openSession(context: Record<string, unknown>): Promise<Session> {
  const tenant = tenantFromContext(context);
  await assertJiraAdmin();
  const now = new Date();
  const accountId = typeof context.accountId === 'string' ? context.accountId : undefined;
  const current = await installationStore.get();
  if (current && current.cloudId === tenant.cloudId && current.siteUrl === tenant.siteUrl) {
    return { tenant, installation: current, ...(accountId ? { accountId } : {}), now, wroteEvents: false };
  }

  const workspaceId = current?.workspaceId ?? (await discoverWorkspace(tenant));
  const event = createEvent(
    tenant,
    'installation.connected',
    { workspaceId: workspaceId ?? null, appVersion: appVersion() },
    { kind: 'installation' },
    now,
  );
  const installation: InstallationRecord = {
    ...tenant,
    firstSeenAt: current?.firstSeenAt ?? now.toISOString(),
    ...(workspaceId ? { workspaceId } : {}),
    connectedEventId: event.id,
  };
  await commit([installationStore.write(installation), outboxStore.write(event)]);
  log.info('installation remembered', { cloudId: tenant.cloudId, hasWorkspace: workspaceId !== undefined });
  return { tenant, installation, ...(accountId ? { accountId } : {}), now, wroteEvents: true };
}

async function discoverWorkspace(tenant: Tenant): Promise<string | undefined> {
  try {
    return await createForgeAssetsClient(tenant).getWorkspaceId();
  } catch (err) {
    // A site without Assets still gets trusted users; schema screens then explain what is missing.
    if (err instanceof NoWorkspaceError) return undefined;
    throw err;
  }
}

/** Delivers what the call wrote, within the resolver's budget; never fails the call (state is saved). */
export async function finishSession(session: Session): Promise<void> {
  if (!session.wroteEvents) return;
  session.wroteEvents = false;
  try {
    const result = await flushOutbox({
      deadline: Date.now() + INLINE_DELIVERY_BUDGET_MS,
      timeoutMs: INLINE_DELIVERY_TIMEOUT_MS,
    });
    if (result.pending > 0) await scheduleRetryIfNeeded();
  } catch (err) {
    log.warn('inline delivery failed; the retry queue takes over', describeError(err));
    try {
      await scheduleRetryIfNeeded();
    } catch (scheduleErr) {
      log.error('could not schedule a delivery retry', describeError(scheduleErr));
    }
  }
}
