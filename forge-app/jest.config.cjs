// The Forge app runs as CommonJS under jest so that `jest.mock` of the Forge runtime modules
// (@forge/api, @forge/kvs, @forge/events, @forge/bridge) is hoisted, as forge.md §9.3 verified.
const path = require('node:path');

module.exports = {
  testEnvironment: 'node',
  // @assets-vault/shared from its TypeScript sources, as in jest.preset.js (ADR 0010)
  testEnvironmentOptions: { customExportConditions: ['@assets-vault/source', 'node', 'node-addons'] },
  transform: {
    '^.+\\.tsx?$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', tsx: true },
          target: 'es2022',
          transform: { react: { runtime: 'classic' } },
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/**/*.test.ts', '<rootDir>/**/*.test.tsx'],
  testPathIgnorePatterns: ['/node_modules/'],
  setupFiles: ['<rootDir>/test/setup/forge-bridge-stub.cjs'],
  reporters: ['default', path.join(__dirname, '..', 'scripts', 'jest-summary-reporter.cjs')],
  testTimeout: 60000,
};
