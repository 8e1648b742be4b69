/**
 * Worker threads that verify, parse and format snapshot chunks in parallel while the main thread
 * streams the previous chunk into Postgres: parsing JSON is the CPU-bound part of a completion
 * (≈ 20 µs per object). A pool lives for one completion; small snapshots decode inline instead.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SnapshotIntegrityError, type ChunkInfo, type SnapshotIntegrityCode } from '@assets-vault/shared/snapshot';
import { decodeBrowseChunk, type BrowseChunk } from './browse-chunk.js';

export interface DecodeRequest {
  id: number;
  bytes: Uint8Array;
  chunk: ChunkInfo;
  opts: { maxUncompressedBytes?: number };
}
export type DecodeResponse =
  | { id: number; ok: true; result: BrowseChunk }
  | {
      id: number;
      ok: false;
      error: { name: string; code: string | undefined; message: string; seq: number | undefined };
    };

export interface ChunkDecoder {
  decode(bytes: Uint8Array, chunk: ChunkInfo): Promise<BrowseChunk>;
  close(): Promise<void>;
}

export function inlineDecoder(opts: DecodeRequest['opts'] = {}): ChunkDecoder {
  return { decode: (bytes, chunk) => decodeBrowseChunk(bytes, chunk, opts), close: async () => undefined };
}

/**
 * Built (dist/*.js) the worker is plain JavaScript next to this file. Run from TypeScript (tsx in
 * development, jest), Node 20 does not apply `--import` to a worker's entry, so the thread registers
 * tsx's ESM hooks itself and resolves workspace packages to their sources as its parent does (ADR 0010).
 */
function workerEntry(): { entry: string | URL; eval: boolean; execArgv?: string[] } {
  if (!import.meta.url.endsWith('.ts')) return { entry: new URL('./decode-worker.js', import.meta.url), eval: false };
  const tsxApi = pathToFileURL(
    path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs'),
  ).href;
  const worker = new URL('./decode-worker.ts', import.meta.url).href;
  return {
    entry: `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(worker)}); })`,
    eval: true,
    // only the condition: a worker rejects V8 flags of its parent (--expose-gc in the benches)
    execArgv: ['--conditions=@assets-vault/source'],
  };
}

/**
 * Every parsed record dies young: a larger young generation means fewer scavenges (1M objects, before binary COPY: 26–27 s
 * with 48 MB against 29.5 s with the default 16 MB, peak RSS 420–440 MB).
 */
const DECODE_YOUNG_GENERATION_MB = 48;

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function toError(error: Extract<DecodeResponse, { ok: false }>['error']): Error {
  if (error.name === 'SnapshotIntegrityError' && error.code) {
    return new SnapshotIntegrityError(
      error.code as SnapshotIntegrityCode,
      error.message,
      error.seq === undefined ? {} : { seq: error.seq },
    );
  }
  return new Error(error.message);
}

export function createDecodePool(size: number, opts: DecodeRequest['opts'] = {}): ChunkDecoder {
  interface Slot {
    worker: Worker;
    busy: boolean;
    dead: boolean;
  }
  const pending = new Map<number, { resolve: (r: BrowseChunk) => void; reject: (e: Error) => void; slot: Slot }>();
  const queue: { request: DecodeRequest; resolve: (r: BrowseChunk) => void; reject: (e: Error) => void }[] = [];
  let nextId = 0;
  let closed = false;

  function dispatch(slot: Slot): void {
    if (slot.dead) return;
    const job = queue.shift();
    if (!job) return;
    slot.busy = true;
    pending.set(job.request.id, { resolve: job.resolve, reject: job.reject, slot });
    slot.worker.postMessage(job.request);
  }

  function retire(slot: Slot, err: Error): void {
    slot.dead = true;
    for (const [id, job] of pending)
      if (job.slot === slot) {
        pending.delete(id);
        job.reject(err);
      }
    if (slots.every((s) => s.dead)) for (const job of queue.splice(0)) job.reject(err);
  }

  const { entry, ...workerOptions } = workerEntry();
  const slots: Slot[] = Array.from({ length: size }, () => {
    const slot: Slot = {
      worker: new Worker(entry, {
        ...workerOptions,
        resourceLimits: { maxYoungGenerationSizeMb: DECODE_YOUNG_GENERATION_MB },
      }),
      busy: false,
      dead: false,
    };
    slot.worker.on('message', (response: DecodeResponse) => {
      const job = pending.get(response.id);
      if (!job) return;
      pending.delete(response.id);
      slot.busy = false;
      if (response.ok) {
        // buffers arrive as plain Uint8Arrays
        const { raw, copy } = response.result;
        job.resolve({
          ...response.result,
          raw: asBuffer(raw),
          copy: {
            objects: asBuffer(copy.objects),
            history: asBuffer(copy.history),
            issueRefs: asBuffer(copy.issueRefs),
          },
        });
      } else job.reject(toError(response.error));
      dispatch(slot);
    });
    // a crashed or exited worker fails what it was doing (and, once none is left, what waits for
    // one) instead of leaving it pending: the completion fails and rolls back
    slot.worker.on('error', (err) => retire(slot, err));
    slot.worker.on('exit', (code) => {
      if (!closed) retire(slot, new Error(`a decode worker stopped (exit code ${code})`));
    });
    slot.worker.unref();
    return slot;
  });

  return {
    decode(bytes, chunk) {
      if (closed) return Promise.reject(new Error('decode pool closed'));
      if (slots.every((s) => s.dead)) return Promise.reject(new Error('every decode worker stopped'));
      return new Promise<BrowseChunk>((resolve, reject) => {
        queue.push({ request: { id: nextId++, bytes, chunk, opts }, resolve, reject });
        const idle = slots.find((s) => !s.busy && !s.dead);
        if (idle) dispatch(idle);
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new Error('decode pool closed'));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
