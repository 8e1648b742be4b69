import { esmJestConfig } from '../jest.preset.js';

export default esmJestConfig();
