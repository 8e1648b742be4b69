/**
 * The frontend's only door to the backend: typed `invoke` calls that unwrap the resolvers'
 * `{ ok, data | error }` envelope, so components see a value or an Error with a readable message.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { invoke } from '@forge/bridge';
import type { ResolverDefinitions, ResolverKey, ResolverResult } from '../contract';

/** A resolver's refusal: its stable code (e.g. `no_credentials`) lets a screen react, its message is shown. */
export class ResolverError extends Error {
  override name = 'ResolverError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function callResolver<K extends ResolverKey>(
  key: K,
  payload: ResolverDefinitions[K]['payload'],
): Promise<ResolverDefinitions[K]['result']> {
  const result = await invoke<ResolverResult<ResolverDefinitions[K]['result']>>(key, payload);
  if (!result || typeof result !== 'object' || !('ok' in result)) {
    throw new Error('Unexpected answer from the app backend');
  }
  if (!result.ok) throw new ResolverError(result.error.code, result.error.message);
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

export interface Loaded<T> {
  data: T | undefined;
  /** the resolver's error message (an unreachable vault says so); never a spinner forever */
  error: string | undefined;
  errorCode: string | undefined;
  loading: boolean;
  reload: () => Promise<void>;
}

/**
 * Calls a resolver when `payload` changes (compared as JSON) and keeps only the answer of the latest call, so a
 * quick change of filters never shows an older answer.
 */
export function useResolver<K extends ResolverKey>(
  key: K,
  payload: ResolverDefinitions[K]['payload'] | null,
): Loaded<ResolverDefinitions[K]['result']> {
  const [state, setState] = useState<{
    data?: ResolverDefinitions[K]['result'];
    error?: string;
    errorCode?: string;
    loading: boolean;
  }>({
    loading: payload !== null,
  });
  const latest = useRef(0);
  const payloadKey = payload === null ? null : JSON.stringify(payload);
  const reload = useCallback(async () => {
    if (payloadKey === null) return;
    const call = ++latest.current;
    setState((current) => ({ ...current, loading: true }));
    try {
      const data = await callResolver(key, JSON.parse(payloadKey) as ResolverDefinitions[K]['payload']);
      if (call === latest.current) setState({ data, loading: false });
    } catch (err) {
      if (call === latest.current)
        setState({
          error: errorMessage(err),
          errorCode: err instanceof ResolverError ? err.code : 'internal',
          loading: false,
        });
    }
  }, [key, payloadKey]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data: state.data, error: state.error, errorCode: state.errorCode, loading: state.loading, reload };
}

/** The text of a UI Kit input's change event (Textfield, RadioGroup: `event.target.value`). */
export function eventValue(event: { target: { value?: unknown } }): string {
  return typeof event.target.value === 'string' ? event.target.value : '';
}
