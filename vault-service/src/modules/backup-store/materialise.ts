/**
 * Verifies a stored snapshot and loads it into the backup's browse tables, inside the caller's
 * transaction: chunks are fetched and decoded ahead (in worker threads for large snapshots) while the
 * previous chunk streams into Postgres with COPY; the b-tree indexes are built after the load.
 * Nothing is visible before the transaction commits, and a failed check rolls everything back.
 */
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import {
  fetchChunk,
  parseManifest,
  SnapshotVerifier,
  type ChunkSource,
  type SnapshotManifest,
} from '@assets-vault/shared/snapshot';
import { sql } from 'kysely';
import { from as copyFrom } from 'pg-copy-streams';
import type { ClientTransaction } from '../../db/client-transaction.js';
import { COPY_COLUMNS, type BrowseChunk } from './browse-chunk.js';
import { createDecodePool, inlineDecoder, type ChunkDecoder } from './decode-pool.js';
import { browseDb, browseSchemaName, createBrowseTables, indexBrowseTables } from './browse-tables.js';
import { readChunk } from './repository.js';

/** Snapshots with at least this many chunks (≈ 20,000 objects each) are decoded in worker threads. */
export const WORKER_THRESHOLD_CHUNKS = 3;
export const DECODE_WORKERS = 2;

export interface MaterialiseOptions {
  /** decode threads: 0 decodes inline; default DECODE_WORKERS for large snapshots, else 0 */
  workers?: number;
}

const COPY_TABLES = { objects: 'browse_object', history: 'browse_history', issueRefs: 'browse_issue_ref' } as const;

async function copyInto(
  tx: ClientTransaction,
  backupId: string,
  target: keyof typeof COPY_TABLES,
  rows: Buffer,
): Promise<void> {
  if (!rows.length) return;
  const table = `"${browseSchemaName(backupId)}"."${COPY_TABLES[target]}"`;
  const stream = tx.client.query(
    copyFrom(`copy ${table} (${COPY_COLUMNS[target].join(', ')}) from stdin (format binary)`),
  );
  await pipeline(Readable.from([rows]), stream);
}

const HASH_SLICE_BYTES = 256 * 1024;

/** Extends the hash chain a slice of lines at a time, yielding between slices so COPY data keeps flowing. */
async function hashInSlices(verifier: SnapshotVerifier, raw: Buffer): Promise<void> {
  let start = 0;
  while (start < raw.length) {
    const cut = raw.indexOf(0x0a, Math.min(start + HASH_SLICE_BYTES, raw.length - 1));
    const end = cut < 0 ? raw.length : cut + 1;
    verifier.addLines(raw.subarray(start, end));
    start = end;
    if (start < raw.length) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

async function copyChunk(tx: ClientTransaction, backupId: string, chunk: BrowseChunk): Promise<void> {
  await copyInto(tx, backupId, 'objects', chunk.copy.objects);
  await copyInto(tx, backupId, 'history', chunk.copy.history);
  await copyInto(tx, backupId, 'issueRefs', chunk.copy.issueRefs);
}

async function insertStructure(tx: ClientTransaction, backupId: string, chunk: BrowseChunk): Promise<void> {
  const db = browseDb(tx.db, backupId);
  // a type or attribute repeated in the snapshot keeps its first definition
  if (chunk.objectTypes.length)
    await db
      .insertInto('browse_object_type')
      .values(chunk.objectTypes)
      .onConflict((oc) => oc.doNothing())
      .execute();
  if (chunk.attributes.length)
    await db
      .insertInto('browse_attribute')
      .values(chunk.attributes)
      .onConflict((oc) => oc.doNothing())
      .execute();
}

/**
 * Verifies the backup's stored chunks against the manifest and fills its browse tables; returns the
 * object count. Chunks are read on the transaction's own connection: a second pooled connection per
 * transaction could deadlock once concurrent transactions hold every connection of the pool.
 */
export async function materialiseSnapshot(
  tx: ClientTransaction,
  backupId: string,
  input: { manifest: SnapshotManifest; builtAt: Date },
  opts: MaterialiseOptions = {},
): Promise<{ objects: number }> {
  const { builtAt } = input;
  const manifest = parseManifest(input.manifest);
  // chunk reads run between the COPYs on the one connection, in the order they were asked for
  let connectionFree: Promise<unknown> = Promise.resolve();
  const onConnection = <T>(work: () => Promise<T>): Promise<T> => {
    const run = connectionFree.then(work);
    connectionFree = run.catch(() => undefined);
    return run;
  };
  const source: ChunkSource = { getChunk: (seq) => onConnection(() => readChunk(tx.db, backupId, seq)) };
  const workers = opts.workers ?? (manifest.chunks.length >= WORKER_THRESHOLD_CHUNKS ? DECODE_WORKERS : 0);
  const verifier = new SnapshotVerifier(manifest);
  const objectsByType = new Map<string, number>();
  await createBrowseTables(tx.db, backupId);
  // created after the tables so that a failed setup leaves no worker threads behind
  const decoder: ChunkDecoder = workers > 0 ? createDecodePool(workers) : inlineDecoder();

  // Chunks in flight, in manifest order: each is fetched and decoded while earlier ones are copied.
  const ahead: Promise<BrowseChunk>[] = [];
  let next = 0;
  const launch = () => {
    const chunk = manifest.chunks[next++]!;
    const decoded = fetchChunk(source, chunk.seq).then((bytes) => decoder.decode(bytes, chunk));
    decoded.catch(() => undefined); // awaited in order below; keeps a later failure from being unhandled meanwhile
    ahead.push(decoded);
  };
  try {
    while (next < manifest.chunks.length && ahead.length < Math.max(workers, 1) + 1) launch();
    while (ahead.length) {
      const chunk = await ahead.shift()!;
      if (next < manifest.chunks.length) launch();
      for (const [type, n] of Object.entries(chunk.objectsByType))
        objectsByType.set(type, (objectsByType.get(type) ?? 0) + n);
      await onConnection(() => insertStructure(tx, backupId, chunk));
      // Postgres loads the rows while this thread extends the content hash chain over the same chunk
      const copying = onConnection(() => copyChunk(tx, backupId, chunk));
      copying.catch(() => undefined);
      verifier.addCounts(chunk);
      await hashInSlices(verifier, chunk.raw);
      await copying;
    }
    verifier.finish();
  } finally {
    await decoder.close();
  }

  await indexBrowseTables(tx.db, backupId, builtAt);
  // the tree shows what this backup holds: the counted objects, not the counts the API announced
  if (objectsByType.size) {
    await sql`update ${sql.id(browseSchemaName(backupId), 'browse_object_type')} t set object_count = c.n
      from unnest(${[...objectsByType.keys()]}::text[], ${[...objectsByType.values()]}::int[]) as c(id, n) where t.id = c.id`.execute(
      tx.db,
    );
  }
  return { objects: [...objectsByType.values()].reduce((a, b) => a + b, 0) };
}
