/**
 * The web UI's build for browser tests: builds vault-web (vite build, ~5 s) when dist/ is missing or older than
 * its sources, so `pnpm test` works on a fresh checkout and after UI changes without a separate step.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'vault-web');

function newestMtimeMs(entry: string): number {
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...fs.readdirSync(entry).map((name) => newestMtimeMs(path.join(entry, name))));
}

/** Returns vault-web/dist after making sure it holds a build of the current sources. */
export function ensureWebBuilt(): string {
  const dist = path.join(WEB_DIR, 'dist');
  const index = path.join(dist, 'index.html');
  const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) => path.join(WEB_DIR, p));
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= Math.max(...sources.map(newestMtimeMs))) return dist;
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  const vite = path.join(WEB_DIR, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: WEB_DIR,
    env,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`vite build of vault-web failed:\n${result.stdout}\n${result.stderr}`);
  return dist;
}
