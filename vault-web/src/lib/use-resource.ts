/**
 * Loading state for a page's data: loading → ready | error, with `retry`. The request is aborted when the
 * inputs change or the page goes away, and the API client's deadline turns silence into an error, so a
 * screen never spins forever.
 *
 * `data` may be an earlier answer while a request runs (a reload, the next page, another filter), so a table
 * does not flicker; `state` is then 'loading' from the very render in which the inputs changed (not one effect
 * later), and screens mark such data as being updated (`DataTable busy`) instead of passing it off as the
 * answer for the new inputs.
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

const sameInputs = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

interface Loaded<T> {
  state: 'loading' | 'ready' | 'error';
  data?: T;
  error?: ApiError;
  /** the inputs (deps and generation) the state belongs to */
  inputs: readonly unknown[];
}

export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): Resource<T> {
  const [generation, setGeneration] = useState(0);
  const inputs = [...deps, generation];
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading', inputs });
  useEffect(() => {
    const controller = new AbortController();
    setLoaded((s) => ({ state: 'loading', data: s.data, inputs }));
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setLoaded({ state: 'ready', data, inputs });
      },
      (err: unknown) => {
        if (!controller.signal.aborted)
          setLoaded((s) => ({ state: 'error', data: s.data, error: asApiError(err), inputs }));
      },
    );
    return () => controller.abort();
    // `load` is re-created on every render; `deps` name its inputs
  }, inputs);
  const retry = useCallback(() => setGeneration((g) => g + 1), []);
  // inputs changed in this render: the effect that loads them has not run yet, the data is the old inputs'
  const stale = !sameInputs(loaded.inputs, inputs);
  return {
    state: stale ? 'loading' : loaded.state,
    data: loaded.data,
    error: stale ? undefined : loaded.error,
    retry,
    reload: retry,
  } as Resource<T>;
}
