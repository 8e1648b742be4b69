/**
 * A real vault process (`src/server.ts` through tsx, as `pnpm dev` runs it) for tests of several
 * processes on one database: its JSON log lines as they come, when it listens, when it exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_WEBHOOK_SECRET } from './app.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface VaultProcess {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  stderr: string[];
  /** the address it listens on */
  listening: Promise<string>;
  exited: Promise<number | null>;
}

/** Starts a vault on `databaseUrl`; `env` adds or overrides variables (workers are off unless it says so). */
export function startVaultProcess(databaseUrl: string, env: Record<string, string> = {}): VaultProcess {
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
      ...env,
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
