/**
 * Writes this package's pass/fail counts where scripts/run-tests.mjs adds them up, like the jest packages'
 * scripts/jest-summary-reporter.cjs does.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const dir = process.env.JEST_SUMMARY_DIR;
    if (!dir) return;
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) failed++;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
    }
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, `${path.basename(process.cwd())}.json`),
      JSON.stringify({ cwd: process.cwd(), passed, failed, skipped }),
    );
  }
}
