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
      // large buffers go back without a copy (never Node's shared pool of small buffers, which is poolSize bytes)
      const owned = [result.raw, result.copy.objects, result.copy.history, result.copy.issueRefs]
        .map((b) => b.buffer as ArrayBuffer)
        .filter((buffer, i, all) => buffer.byteLength > Buffer.poolSize && all.indexOf(buffer) === i);
      port.postMessage(response, owned);
    },
    (err: unknown) => {
      const e = err as { name?: string; code?: unknown; message?: string; seq?: unknown };
      const response: DecodeResponse = {
        id: request.id,
        ok: false,
        error: {
          name: e.name ?? 'Error',
          code: typeof e.code === 'string' ? e.code : undefined,
          message: e.message ?? String(err),
          seq: typeof e.seq === 'number' ? e.seq : undefined,
        },
      };
      port.postMessage(response);
    },
  );
});
