/**
 * The emulator in a child process (`pnpm emulator … --json`), for benchmarks: its CPU and memory are not
 * the measured process's. Resolves once the child printed its one-line JSON announcement.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { EmulatorSiteInfo } from './types.js';

/** What `--json` prints: the seeded site without its name and bearer token. */
export type ChildSiteInfo = Omit<EmulatorSiteInfo, 'name' | 'bearerToken'>;

export interface EmulatorChild {
  info: ChildSiteInfo;
  /** the controls (`/__emulator`) of the child's server */
  control: string;
  /** from spawn to the announcement (seeding included) */
  startMs: number;
  /** CPU time (user + system) of the child so far, from /proc (Linux; 10 ms ticks) */
  cpuMs(): number;
  stop(): Promise<void>;
}

export async function startEmulatorChild(opts: {
  objects: number;
  seed?: string;
  site?: string;
}): Promise<EmulatorChild> {
  const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
  const started = performance.now();
  const args = ['--port', '0', '--objects', String(opts.objects), '--seed', opts.seed ?? 'bench', '--json'];
  if (opts.site !== undefined) args.push('--site', opts.site);
  // the child runs TypeScript and resolves workspace packages to their sources (ADR 0010)
  const child = spawn(process.execPath, ['--conditions=@assets-vault/source', '--import', 'tsx', cli, ...args], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const info = await new Promise<ChildSiteInfo>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`emulator exited early (code ${String(code)})`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line) as ChildSiteInfo));
  });
  const pid = child.pid ?? 0;
  return {
    info,
    control: `${new URL(info.siteUrl).origin}/__emulator`,
    startMs: performance.now() - started,
    cpuMs: () => {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return (Number(fields[11]) + Number(fields[12])) * 10;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
