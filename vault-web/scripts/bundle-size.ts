/** `pnpm size`: the built bundle's sizes against the budget (build first with `pnpm build`). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUDGET, measureBundle } from './budget.js';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const size = measureBundle(dist);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
for (const f of size.firstLoad)
  console.log(`first load  ${f.file.padEnd(40)} ${kb(f.bytes).padStart(10)}  gzip ${kb(f.gzipBytes)}`);
console.log(`first load, gzip: ${kb(size.firstLoadGzipBytes)} (budget ${BUDGET.firstLoadGzipKb} kB)`);
console.log(`everything, gzip: ${kb(size.totalGzipBytes)} (budget ${BUDGET.totalGzipKb} kB)`);
console.log(
  `largest chunk:    ${size.largestChunk.file} ${kb(size.largestChunk.bytes)} (budget ${BUDGET.largestChunkKb} kB)`,
);
