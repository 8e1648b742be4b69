// Test-runtime shim, used only under jest (see jest.config.js): @fastify/static (behind
// @fastify/swagger-ui) require()s content-disposition 3, which is ESM-only. Node 20.19+ loads it
// natively, but jest's own module loader cannot require() ES modules before Node 24.9. The vault
// never sends downloads through @fastify/static, so only `create` is needed, per RFC 6266/5987.
'use strict';

function create(filename, options) {
  const type = (options && options.type) || 'attachment';
  if (filename === undefined) return type;
  const name = String(filename).split(/[\\/]/).pop();
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '?');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  return ascii === name ? `${type}; filename="${ascii}"` : `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

function parse() {
  throw new Error('content-disposition parse() is not available in the jest shim');
}

module.exports = { create, parse };
