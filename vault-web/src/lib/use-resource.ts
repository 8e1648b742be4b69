/**
 * Loading state for a page's data: loading → ready | error, with `retry`. The request is aborted when the
 * inputs change or the page goes away, and the API client's deadline turns silence into an error, so a
 * screen never spins forever.
 */
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../api/http.js';

export type Resource<T> =
  | { state: 'loading'; data: T | undefined; error: undefined; retry(): void; reload(): void }
  | { state: 'ready'; data: T; error: undefined; retry(): void; reload(): void }
  | { state: 'error'; data: T | undefined; error: ApiError; retry(): void; reload(): void };

/** Any thrown value as an ApiError (a bug in a screen shows as an error message, not a blank page). */
export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(0, 'client_error', err instanceof Error ? err.message : String(err));
}

export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): Resource<T> {
  const [generation, setGeneration] = useState(0);
  const [state, setState] = useState<{ state: 'loading' | 'ready' | 'error'; data?: T; error?: ApiError }>({
    state: 'loading',
  });
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ state: 'loading', data: s.data }));
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ state: 'ready', data });
      },
      (err: unknown) => {
        if (!controller.signal.aborted) setState((s) => ({ state: 'error', data: s.data, error: asApiError(err) }));
      },
    );
    return () => controller.abort();
    // `load` is re-created on every render; `deps` name its inputs
  }, [...deps, generation]);
  const retry = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, retry, reload: retry } as Resource<T>;
}
