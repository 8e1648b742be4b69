/**
 * The tenant (cloudId + siteUrl) every vault message carries. It comes from the Forge invocation
 * context only, never from a payload: resolvers read it from `context`, and jobs (which get no site
 * URL from the platform) read the copy the last resolver call saved.
 */
import { AppError, ValidationError } from '@assets-vault/shared/errors';
import { installationStore, type InstallationRecord, type Tenant } from './store';

const SITE_ARI = /^ari:cloud:jira::site\/([0-9a-fA-F-]{8,64})$/;
const CLOUD_ID = /^[0-9a-fA-F-]{8,64}$/;

export class MissingInstallationError extends AppError {
  override name = 'MissingInstallationError';
  constructor() {
    super(
      'installation_unknown',
      'The app has not been opened on this site yet: open Assets Backup Vault from the Apps menu once.',
      409,
    );
  }
}

/** Reads cloudId and siteUrl from a resolver context; throws if either is missing or inconsistent. */
export function tenantFromContext(context: Record<string, unknown>): Tenant {
  const fromAri = typeof context.installContext === 'string' ? SITE_ARI.exec(context.installContext)?.[1] : undefined;
  const fromContext =
    typeof context.cloudId === 'string' && CLOUD_ID.test(context.cloudId) ? context.cloudId : undefined;
  if (fromAri && fromContext && fromAri !== fromContext) {
    throw new ValidationError('The Forge context names two different sites');
  }
  const cloudId = fromContext ?? fromAri;
  if (!cloudId) throw new ValidationError('The Forge context has no cloud id');
  const siteUrl = normaliseSiteUrl(context.siteUrl);
  return { cloudId, siteUrl };
}

function normaliseSiteUrl(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new ValidationError('The Forge context has no site URL');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError('The Forge context has an invalid site URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ValidationError('The Forge context has an invalid site URL');
  if (url.username || url.password || url.search || url.hash)
    throw new ValidationError('The Forge context has an invalid site URL');
  // Real sites are bare origins; a path is kept as given (the local emulator serves sites under /sites/<name>).
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * Saves the tenant on first sight (and when it changes); returns the record and whether the vault
 * must be told (installation.connected).
 */
export async function rememberInstallation(
  tenant: Tenant,
  now: Date,
): Promise<{ record: InstallationRecord; isNew: boolean }> {
  const current = await installationStore.get();
  if (current && current.cloudId === tenant.cloudId && current.siteUrl === tenant.siteUrl) {
    return { record: current, isNew: false };
  }
  const record: InstallationRecord = {
    ...tenant,
    firstSeenAt: now.toISOString(),
    ...(current?.workspaceId ? { workspaceId: current.workspaceId } : {}),
  };
  await installationStore.put(record);
  return { record, isNew: true };
}

/** The tenant saved by the last resolver call, for jobs and scheduled triggers. */
export async function storedTenant(): Promise<InstallationRecord> {
  const record = await installationStore.get();
  if (!record) throw new MissingInstallationError();
  return record;
}
