/**
 * Builds the web UI (vite build, a few seconds) when dist/ is missing or older than its sources, so the demo
 * (`pnpm start`) and the browser tests work on a fresh checkout and after UI changes without a separate step.
 * Exported as `@assets-vault/vault-web/ensure-build`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newestMtimeMs(entry: string): number {
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...fs.readdirSync(entry).map((name) => newestMtimeMs(path.join(entry, name))));
}

/** Whether dist/ holds a build at least as new as every source file. */
export function isBuildCurrent(): boolean {
  const index = path.join(WEB_DIR, 'dist', 'index.html');
  const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) => path.join(WEB_DIR, p));
  return fs.existsSync(index) && fs.statSync(index).mtimeMs >= Math.max(...sources.map(newestMtimeMs));
}

/** Returns vault-web/dist after making sure it holds a production build of the current sources. */
export function ensureWebBuilt(): string {
  return isBuildCurrent() ? path.join(WEB_DIR, 'dist') : buildWeb();
}

/** `vite build` into vault-web/dist, in a child process; returns dist. */
export function buildWeb(): string {
  // a production build whatever the caller runs under (jest sets NODE_ENV=test)
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k !== 'NODE_ENV' && k !== 'NODE_OPTIONS' && !k.startsWith('VITEST')),
  );
  const vite = path.join(WEB_DIR, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: WEB_DIR,
    env,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`vite build of vault-web failed:\n${result.stdout}\n${result.stderr}`);
  return path.join(WEB_DIR, 'dist');
}
