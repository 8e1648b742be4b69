/**
 * Chunk stores for tests, scripts and the vault's local mode: in memory or in a directory. Both are
 * also ChunkSources, and both behave like the vault's upload route: putting the same seq again
 * with the same hash is a no-op, with another hash a ConflictError (a chunk never changes silently).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConflictError } from '../errors.js';
import { parseManifest, type SnapshotManifest } from './manifest.js';
import type { ChunkSource } from './reader.js';
import type { ChunkSink, SnapshotChunk } from './writer.js';

export interface MemoryChunkStore extends ChunkSink, ChunkSource {
  /** seq → stored bytes; tests may alter or delete entries to simulate damage */
  readonly chunks: Map<number, Uint8Array>;
  /** total gzip bytes stored */
  readonly storedBytes: number;
}

function conflict(seq: number): ConflictError {
  return new ConflictError(`Chunk ${seq} already exists with different content`, {
    code: 'chunk_conflict',
    details: { seq },
  });
}

/** An in-memory chunk store. */
export function createMemoryChunkStore(): MemoryChunkStore {
  const chunks = new Map<number, Uint8Array>();
  const hashes = new Map<number, string>();
  return {
    chunks,
    get storedBytes() {
      let n = 0;
      for (const c of chunks.values()) n += c.byteLength;
      return n;
    },
    async putChunk(chunk: SnapshotChunk) {
      const existing = hashes.get(chunk.seq);
      if (existing !== undefined) {
        if (existing !== chunk.sha256) throw conflict(chunk.seq);
        return;
      }
      chunks.set(chunk.seq, Uint8Array.from(chunk.bytes));
      hashes.set(chunk.seq, chunk.sha256);
    },
    async getChunk(seq: number) {
      return chunks.get(seq);
    },
  };
}

export interface DirectoryChunkStore extends ChunkSink, ChunkSource {
  readonly dir: string;
  chunkPath(seq: number): string;
  writeManifest(manifest: SnapshotManifest): Promise<void>;
  /** reads and validates `manifest.json` */
  readManifest(): Promise<SnapshotManifest>;
}

/** A directory of `chunk-000000.ndjson.gz` files plus `manifest.json`; writes are atomic (temp file + rename). */
export function createDirectoryChunkStore(dir: string): DirectoryChunkStore {
  const chunkPath = (seq: number) => path.join(dir, `chunk-${String(seq).padStart(6, '0')}.ndjson.gz`);
  let ensured: Promise<unknown> | undefined;
  const ensureDir = () => (ensured ??= mkdir(dir, { recursive: true }));

  async function atomicWrite(file: string, data: Uint8Array | string): Promise<void> {
    await ensureDir();
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, file);
  }

  async function readIfExists(file: string): Promise<Buffer | undefined> {
    try {
      return await readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  return {
    dir,
    chunkPath,
    async putChunk(chunk: SnapshotChunk) {
      const file = chunkPath(chunk.seq);
      const existing = await readIfExists(file);
      if (existing !== undefined) {
        if (createHash('sha256').update(existing).digest('hex') !== chunk.sha256) throw conflict(chunk.seq);
        return;
      }
      await atomicWrite(file, chunk.bytes);
    },
    async getChunk(seq: number) {
      const data = await readIfExists(chunkPath(seq));
      return data === undefined ? undefined : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    },
    async writeManifest(manifest: SnapshotManifest) {
      await atomicWrite(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    },
    async readManifest() {
      const text = await readFile(path.join(dir, 'manifest.json'), 'utf8');
      return parseManifest(JSON.parse(text));
    },
  };
}
