import { esmJestConfig } from '../jest.preset.js';

const base = esmJestConfig();

export default {
  ...base,
  moduleNameMapper: {
    ...base.moduleNameMapper,
    // jest cannot require() the ESM-only content-disposition 3 on Node 20 (see the shim's header).
    '^content-disposition$': '<rootDir>/test/shims/content-disposition.cjs',
  },
};
