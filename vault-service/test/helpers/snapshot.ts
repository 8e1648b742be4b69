/**
 * A real snapshot for tests: the shared backup engine reads a seeded schema from the emulator over HTTP
 * into memory. The emulator is closed before this returns.
 */
import { seedFixture, startEmulator } from '@assets-vault/emulator';
import type { BackupOptions } from '@assets-vault/shared/backup';
import type { SnapshotManifest } from '@assets-vault/shared/snapshot';
import { snapshotOfSite } from './upload.js';

export interface TestSnapshot {
  manifest: SnapshotManifest;
  chunks: Map<number, Uint8Array>;
}

export async function fixtureSnapshot(opts: {
  name: string;
  objects: number;
  source: { cloudId: string; siteUrl: string };
  options: BackupOptions;
  maxChunkRecords: number;
}): Promise<TestSnapshot> {
  const emulator = await startEmulator();
  try {
    const site = emulator.createSite({ name: opts.name });
    const seeded = seedFixture(site, { objects: opts.objects, seed: opts.name });
    return await snapshotOfSite(site, seeded.schemaId, opts.source, opts.options, opts.maxChunkRecords);
  } finally {
    await emulator.close();
  }
}
