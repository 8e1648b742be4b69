/** Worker thread of the decode pool: verifies and decodes one chunk per message (decode-pool.ts). */
import { parentPort } from 'node:worker_threads';
import { decodeBrowseChunk } from './browse-chunk.js';
import type { DecodeRequest, DecodeResponse } from './decode-pool.js';

const port = parentPort;
if (!port) throw new Error('decode-worker runs as a worker thread');

port.on('message', (request: DecodeRequest) => {
  decodeBrowseChunk(request.bytes, request.chunk, request.opts).then(
    (result) => {
      const response: DecodeResponse = { id: request.id, ok: true, result };
      // the inflated bytes go back without a copy when they own their buffer
      const raw = result.raw;
      const transfer = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength ? [raw.buffer as ArrayBuffer] : [];
      port.postMessage(response, transfer);
    },
    (err: unknown) => {
      const e = err as { name?: string; code?: unknown; message?: string; seq?: unknown };
      const response: DecodeResponse = {
        id: request.id, ok: false,
        error: { name: e.name ?? 'Error', code: typeof e.code === 'string' ? e.code : undefined, message: e.message ?? String(err), seq: typeof e.seq === 'number' ? e.seq : undefined },
      };
      port.postMessage(response);
    },
  );
});
