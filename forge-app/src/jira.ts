/**
 * The few Jira platform calls the resolvers make on behalf of the invoking user: who they are, and
 * whether they administer Jira. Display conditions only hide the page (forge.md §2.3); this check is
 * what actually protects the resolvers.
 */
import api, { route } from '@forge/api';
import { AppError } from '@assets-vault/shared/errors';
import type { Person } from './contract';

export class ForbiddenError extends AppError {
  override name = 'ForbiddenError';
  constructor(message: string) {
    super('forbidden', message, 403);
  }
}

export class JiraRequestError extends AppError {
  override name = 'JiraRequestError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('jira_request_failed', message, 502, { expose: true, cause: options?.cause });
  }
}

async function getJson(path: ReturnType<typeof route>, what: string): Promise<unknown> {
  const response = await api.asUser().requestJira(path, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new JiraRequestError(`Jira answered ${response.status} to ${what}`);
  return response.json();
}

/** Throws ForbiddenError unless the invoking user has the global ADMINISTER permission. */
export async function assertJiraAdmin(): Promise<void> {
  const body = await getJson(route`/rest/api/3/mypermissions?permissions=${'ADMINISTER'}`, 'the permission check');
  const permission = readPath(body, ['permissions', 'ADMINISTER', 'havePermission']);
  if (permission !== true) throw new ForbiddenError('Only Jira administrators can manage Assets Backup Vault');
}

/** The invoking user, for the invitedBy / removedBy fields of events. */
export async function currentUser(expectedAccountId: string | undefined): Promise<Person> {
  const body = await getJson(route`/rest/api/3/myself`, 'the current user lookup');
  const accountId = readPath(body, ['accountId']);
  const displayName = readPath(body, ['displayName']);
  if (typeof accountId !== 'string' || accountId.length === 0)
    throw new JiraRequestError('Jira returned no accountId for the current user');
  if (expectedAccountId && accountId !== expectedAccountId)
    throw new ForbiddenError('The invoking user does not match the Forge context');
  return { accountId, displayName: typeof displayName === 'string' && displayName ? displayName : accountId };
}

function readPath(value: unknown, path: string[]): unknown {
  let current = value;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}
