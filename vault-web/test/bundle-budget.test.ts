/**
 * The bundle budget (README "Bundle size"): a production build's first load and total, gzip-compressed, and its
 * largest chunk stay within scripts/budget.ts. Builds into dist/, which is what vault-service serves.
 */
// @vitest-environment node
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUDGET, measureBundle } from '../scripts/budget.js';
import { buildWeb } from '../scripts/ensure-build.js';

describe('bundle size', () => {
  it('builds within the gzip budget, without inline scripts or styles', () => {
    // `pnpm build` in a child process: vitest's NODE_ENV=test would give React's development build
    const dist = buildWeb();
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
