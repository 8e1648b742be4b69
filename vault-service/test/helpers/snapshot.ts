/**
 * Real snapshots for tests: `fixtureSnapshot` has the shared backup engine read a seeded schema from the
 * emulator over HTTP into memory (the emulator is closed before it returns); `writeSnapshot` writes
 * hand-made records with the shared writer, for data the emulator does not make.
 */
import { seedFixture, startEmulator } from '@assets-vault/emulator';
import type { BackupOptions } from '@assets-vault/shared/backup';
import {
  createMemoryChunkStore,
  SnapshotWriter,
  type SnapshotHeader,
  type SnapshotManifest,
  type SnapshotRecord,
} from '@assets-vault/shared/snapshot';
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

/** Writes `records` with the shared snapshot writer into memory. */
export async function writeSnapshot(
  header: SnapshotHeader,
  records: Iterable<SnapshotRecord>,
  maxChunkRecords: number,
): Promise<TestSnapshot> {
  const store = createMemoryChunkStore();
  const writer = SnapshotWriter.create(header, { sink: store, maxChunkRecords });
  for (const r of records) await writer.write(r);
  return { manifest: await writer.finish(), chunks: store.chunks };
}

/**
 * One object type (id 1) and its label attribute (id 10), then one object per label (ids 1, 2, …,
 * keys `<keyPrefix>-1`, …) whose only value is its label: the smallest schema a snapshot can hold.
 */
export function labelOnlyRecords(input: {
  typeName: string;
  keyPrefix: string;
  labels: readonly string[];
  /** created and updated time of the object type */
  typeTime: string;
  created: (n: number) => string;
  updated: (n: number) => string;
}): SnapshotRecord[] {
  return [
    {
      kind: 'objectType',
      id: '1',
      name: input.typeName,
      icon: { id: '1', name: 'Box' },
      position: 0,
      created: input.typeTime,
      updated: input.typeTime,
      objectCount: input.labels.length,
      inherited: false,
      abstractObjectType: false,
      parentObjectTypeInherited: false,
    },
    {
      kind: 'attribute',
      id: '10',
      objectTypeId: '1',
      name: 'Name',
      label: true,
      type: 0,
      defaultType: { id: 0, name: 'Text' },
      indexed: true,
      position: 0,
    },
    ...input.labels.map((label, n): SnapshotRecord => ({
      kind: 'object',
      id: String(n + 1),
      objectKey: `${input.keyPrefix}-${n + 1}`,
      label,
      objectTypeId: '1',
      created: input.created(n),
      updated: input.updated(n),
      timestamp: 0,
      hasAvatar: false,
      attributes: [{ objectTypeAttributeId: '10', objectAttributeValues: [{ value: label, displayValue: label }] }],
    })),
  ];
}
