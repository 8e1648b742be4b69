// The README's test command: every package's tests, one package at a time (2-core machines), then
// one closing line with the totals. Exits non-zero when any package failed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const summaryDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-tests-'));
// pnpm sets npm_execpath to itself, so this works when pnpm came from `npx pnpm@…` and is not on PATH.
const pnpm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['pnpm'];
const run = spawnSync(
  pnpm[0],
  [...pnpm.slice(1), '-r', '--workspace-concurrency=1', '--no-bail', 'test', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    env: { ...process.env, JEST_SUMMARY_DIR: summaryDir },
  },
);
let passed = 0,
  failed = 0,
  skipped = 0;
for (const file of fs.readdirSync(summaryDir)) {
  const s = JSON.parse(fs.readFileSync(path.join(summaryDir, file), 'utf8'));
  passed += s.passed;
  failed += s.failed;
  skipped += s.skipped;
}
fs.rmSync(summaryDir, { recursive: true, force: true });
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = run.status === 0 && failed === 0 && passed > 0 ? 0 : 1;
