/**
 * The bundle budget (README "Bundle size"): what the first visit downloads, gzip-compressed, and the
 * largest single chunk. `test/bundle-budget.test.ts` builds the app and fails when either is exceeded;
 * `pnpm size` prints the figures.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export const BUDGET = {
  /** index.html + every script, stylesheet and preload it references (the first screen), gzip */
  firstLoadGzipKb: 100,
  /** all JavaScript and CSS of the app, lazy chunks included, gzip */
  totalGzipKb: 130,
  /** the largest single chunk before compression (Vite's warning threshold) */
  largestChunkKb: 280,
} as const;

export interface BundleSize {
  /** files the first load fetches (paths relative to dist) with raw and gzip bytes */
  firstLoad: { file: string; bytes: number; gzipBytes: number }[];
  firstLoadGzipBytes: number;
  totalGzipBytes: number;
  largestChunk: { file: string; bytes: number };
}

const gzipSize = (bytes: Buffer) => gzipSync(bytes, { level: 9 }).length;

/** Measures a built dist/ folder: what index.html pulls in at once, and everything. */
export function measureBundle(distDir: string): BundleSize {
  const html = fs.readFileSync(path.join(distDir, 'index.html'));
  const referenced = [...html.toString('utf8').matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map(
    (m) => m[1] ?? '',
  );
  const firstLoad = [
    { file: 'index.html', bytes: html.length, gzipBytes: gzipSize(html) },
    ...[...new Set(referenced)].map((file) => {
      const bytes = fs.readFileSync(path.join(distDir, file));
      return { file, bytes: bytes.length, gzipBytes: gzipSize(bytes) };
    }),
  ];
  let totalGzipBytes = 0;
  let largestChunk = { file: '', bytes: 0 };
  for (const name of fs.readdirSync(path.join(distDir, 'assets'))) {
    if (!/\.(js|css)$/.test(name)) continue;
    const bytes = fs.readFileSync(path.join(distDir, 'assets', name));
    totalGzipBytes += gzipSize(bytes);
    if (bytes.length > largestChunk.bytes) largestChunk = { file: `assets/${name}`, bytes: bytes.length };
  }
  return {
    firstLoad,
    firstLoadGzipBytes: firstLoad.reduce((sum, f) => sum + f.gzipBytes, 0),
    totalGzipBytes,
    largestChunk,
  };
}
