/**
 * What services and jobs are given: one object, built once by app.ts (tests and benchmarks build their
 * own), passed as the first argument of every service function and to every job factory, each taking the
 * `Pick` it needs. Nothing reaches for a pool, a logger or the time on its own.
 */
import type { Kysely } from 'kysely';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { DB } from './db/types.js';
import type { Log } from './logger.js';
import type { BackupInUse, MaterialiseOptions } from './modules/backup-store/index.js';
import type { OutboundGuard } from './outbound/index.js';

export interface VaultDeps {
  db: Kysely<DB>;
  /** the app's logger; a module logs through `log.child({ module })` */
  log: Log;
  clock: Clock;
  config: Config;
  /** every call to an Atlassian site goes through it (SSRF guard: src/outbound) */
  outbound: OutboundGuard;
  /**
   * whether a backup is read and must not go to the trash: the restores module's answer (it owns its
   * tables), handed to deletes and retention here so neither imports the restores module
   */
  backupInUse: BackupInUse;
  /** how completions decode snapshots (default: worker threads for large ones); tests pin one mode */
  materialise?: MaterialiseOptions;
}

/** The same deps with the module's child logger (`module` on every line it writes). */
export function forModule(deps: VaultDeps, module: string): VaultDeps {
  return { ...deps, log: deps.log.child({ module }) };
}
