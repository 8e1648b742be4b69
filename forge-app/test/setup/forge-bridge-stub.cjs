/* global jest */
// @forge/bridge (and so @forge/react) reads the host bridge at import time and the reconciler
// expects `self` (forge.md §9.4): give every test file a stand-in before its imports run.
globalThis.self = globalThis;
globalThis.__bridge = { callBridge: jest.fn(async () => undefined) };
globalThis.IS_REACT_ACT_ENVIRONMENT = true;
