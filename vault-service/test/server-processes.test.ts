/**
 * Two real vault processes (`pnpm dev`: src/server.ts through tsx) started at the same moment on one
 * empty database: migrations are applied exactly once, both serve /readyz, and both stop cleanly on
 * SIGTERM (security.md 22, 23).
 */
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { migrations } from '../src/db/migrations/index.js';
import { startVaultProcess, type VaultProcess } from './helpers/vault-process.js';

describe('vault server processes', () => {
  let testDb: TestDatabase;
  const started: VaultProcess[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase({ migrated: false });
  });
  afterAll(async () => {
    for (const p of started) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await testDb?.drop();
  });

  it('two processes starting together on an empty database migrate once and shut down cleanly', async () => {
    const before = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_tables where schemaname = 'public'`.execute(testDb.db);
    expect(before.rows[0]?.n).toBe(0);

    started.push(startVaultProcess(testDb.url), startVaultProcess(testDb.url));
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`vaults did not start: ${started.map((p) => p.stderr.join('')).join('\n')}`)),
        40_000,
      ).unref(),
    );
    const addresses = await Promise.race([Promise.all(started.map((p) => p.listening)), timeout]);

    for (const address of addresses) {
      const ready = await fetch(`${address}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', database: 'ok', pendingMigrations: [] });
    }

    const names = Object.keys(migrations);
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(testDb.db);
    expect(applied.rows.map((r) => r.name)).toEqual(names);
    // Each migration was applied by exactly one of the two processes.
    const appliedLogs = started.flatMap((p) =>
      p.lines.filter((l) => l.msg === 'migration applied').map((l) => l.migration),
    );
    expect(appliedLogs.sort()).toEqual([...names].sort());
    for (const p of started) expect(p.lines.filter((l) => Number(l.level) >= 50)).toEqual([]);

    for (const p of started) p.child.kill('SIGTERM');
    const codes = await Promise.all(started.map((p) => p.exited));
    expect(codes).toEqual([0, 0]);
    for (const p of started) expect(p.lines.some((l) => l.msg === 'stopped')).toBe(true);
  });
});
