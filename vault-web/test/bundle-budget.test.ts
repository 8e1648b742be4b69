/**
 * The bundle budget (README "Bundle size"): a production build's first load and total, gzip-compressed, and its
 * largest chunk stay within scripts/budget.ts. Builds into dist/, which is what vault-service serves.
 */
// @vitest-environment node
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUDGET, measureBundle } from '../scripts/budget.js';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('bundle size', () => {
  it('builds within the gzip budget, without inline scripts or styles', () => {
    // `pnpm build` as a separate process: vitest's NODE_ENV=test would give React's development build
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => k !== 'NODE_ENV' && !k.startsWith('VITEST')),
    );
    execFileSync(
      process.execPath,
      [path.join(webDir, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'],
      {
        cwd: webDir,
        env,
        stdio: 'pipe',
      },
    );
    const dist = path.join(webDir, 'dist');
    const size = measureBundle(dist);
    expect(size.firstLoadGzipBytes).toBeLessThanOrEqual(BUDGET.firstLoadGzipKb * 1024);
    expect(size.totalGzipBytes).toBeLessThanOrEqual(BUDGET.totalGzipKb * 1024);
    expect(size.largestChunk.bytes).toBeLessThanOrEqual(BUDGET.largestChunkKb * 1024);
    // the vault's CSP allows neither: every script and style is a file of the vault's own origin
    const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style=|data:/);
    expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
  });
});
