/**
 * Two real vault processes (`pnpm dev`: src/server.ts through tsx) started at the same moment on one
 * empty database: migrations are applied exactly once, both serve /readyz, and both stop cleanly on
 * SIGTERM (security.md 22, 23).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { migrations } from '../src/db/migrations/index.js';
import { TEST_WEBHOOK_SECRET } from './helpers/app.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface VaultProcess {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  stderr: string[];
  listening: Promise<string>;
  exited: Promise<number | null>;
}

function startVault(databaseUrl: string): VaultProcess {
  const child = spawn(process.execPath, ['--conditions=@assets-vault/source', '--import', 'tsx', 'src/server.ts'], {
    cwd: packageDir,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      FORGE_WEBHOOK_SECRETS: TEST_WEBHOOK_SECRET,
      SESSION_SECRET: 'process-test-session-secret-32-chars-min',
      VAULT_WORKERS: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  let onListening: (address: string) => void = () => undefined;
  const listening = new Promise<string>((resolve) => (onListening = resolve));
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        lines.push(entry);
        if (entry.msg === 'vault listening') onListening(String(entry.address));
      } catch {
        stderr.push(line);
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, stderr, listening, exited };
}

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

    started.push(startVault(testDb.url), startVault(testDb.url));
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
