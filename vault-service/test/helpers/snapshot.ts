/**
 * A real snapshot for tests: the shared backup engine reads a seeded schema from the emulator over HTTP
 * into memory. The emulator is closed before this returns.
 */
import { createAssetsClient, createFetchTransport } from '@assets-vault/shared/assets-client';
import { runBackup, type BackupOptions } from '@assets-vault/shared/backup';
import { seedFixture, startEmulator } from '@assets-vault/emulator';
import { createMemoryChunkStore, type SnapshotManifest } from '@assets-vault/shared/snapshot';

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
    const client = createAssetsClient({
      transport: createFetchTransport({
        siteUrl: site.info.siteUrl,
        assetsApiBase: site.info.assetsApiBase,
        auth: { type: 'basic', email: site.info.email, apiToken: site.info.apiToken },
      }),
    });
    const store = createMemoryChunkStore();
    const result = await runBackup({
      client,
      schemaId: seeded.schemaId,
      source: opts.source,
      options: opts.options,
      sink: store,
      writer: { maxChunkRecords: opts.maxChunkRecords },
    });
    if (!result.done) throw new Error('backup did not finish');
    return { manifest: result.manifest, chunks: store.chunks };
  } finally {
    await emulator.close();
  }
}
