/**
 * Runs migrations at start under a session-level `pg_advisory_lock`, so replicas that start together
 * queue behind each other: the first applies the migrations, the others find nothing left to do.
 */
import { Migrator, sql, type Kysely, type MigrationResult } from 'kysely';
import type { Log } from '../logger.js';
import { migrations } from './migrations/index.js';

/** Arbitrary but fixed: every vault process must use the same key. ("vaultmig" in ASCII.) */
export const MIGRATION_LOCK_KEY = 0x7661756c746d6967n;

export class MigrationFailedError extends Error {
  override name = 'MigrationFailedError';
}

function migratorFor<T>(db: Kysely<T>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'kysely_migration',
    migrationLockTableName: 'kysely_migration_lock',
  });
}

/** Applies every pending migration; returns the names applied by this call. */
export async function migrateToLatest<T>(db: Kysely<T>, log?: Log): Promise<string[]> {
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${sql.lit(MIGRATION_LOCK_KEY.toString())}::bigint)`.execute(conn);
    try {
      const { error, results } = await migratorFor(conn).migrateToLatest();
      const applied = (results ?? [])
        .filter((r: MigrationResult) => r.status === 'Success')
        .map((r) => r.migrationName);
      const failed = (results ?? []).find((r) => r.status === 'Error');
      if (error !== undefined) {
        throw new MigrationFailedError(
          `Database migration ${failed?.migrationName ?? ''} failed; nothing after it was applied. ` +
            'Fix the cause (see the error below), then restart the vault: applied migrations are kept.',
          { cause: error },
        );
      }
      for (const name of applied) log?.info({ migration: name }, 'migration applied');
      return applied;
    } finally {
      await sql`select pg_advisory_unlock(${sql.lit(MIGRATION_LOCK_KEY.toString())}::bigint)`.execute(conn);
    }
  });
}

/** Names of migrations this code knows but the database has not applied (for `/readyz`). */
export async function pendingMigrations<T>(db: Kysely<T>): Promise<string[]> {
  const all = await migratorFor(db).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
