/**
 * The frontend's only door to the backend: typed `invoke` calls that unwrap the resolvers'
 * `{ ok, data | error }` envelope, so components see a value or an Error with a readable message.
 */
import { invoke } from '@forge/bridge';
import type { ResolverDefinitions, ResolverKey, ResolverResult } from '../contract';

export async function callResolver<K extends ResolverKey>(
  key: K,
  payload: ResolverDefinitions[K]['payload'],
): Promise<ResolverDefinitions[K]['result']> {
  const result = await invoke<ResolverResult<ResolverDefinitions[K]['result']>>(key, payload);
  if (!result || typeof result !== 'object' || !('ok' in result)) {
    throw new Error('Unexpected answer from the app backend');
  }
  if (!result.ok) throw new Error(result.error.message);
  return result.data;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error && err.message ? err.message : 'Something went wrong';
}

/** Short, locale-aware date and time for tables (the UI runs in the user's browser). */
export function formatDateTime(iso: string | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
