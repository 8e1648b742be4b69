/**
 * Follows a restore the way the Jira page does (its `getRestore` resolver, every few seconds) until it has
 * finished; used by `pnpm forge:local restore` and the integration test.
 */
import type { Harness } from './harness';
import type { RestoreDetail } from '../src/contract';

export async function followRestore(
  harness: Harness,
  restoreId: string,
  options: { pollMs?: number; timeoutMs?: number; onProgress?: (restore: RestoreDetail) => void } = {},
): Promise<RestoreDetail> {
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  for (;;) {
    const result = await harness.invoke('getRestore', { restoreId });
    if (!result.ok) throw new Error(`${result.error.message} (${result.error.code})`);
    options.onProgress?.(result.data);
    if (result.data.status === 'completed' || result.data.status === 'error') return result.data;
    if (Date.now() > deadline) throw new Error(`restore ${restoreId} is still ${result.data.status}`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 2_000));
  }
}
