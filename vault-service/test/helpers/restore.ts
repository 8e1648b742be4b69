/**
 * Restores in tests: a restore row for suites that only need "a restore reads this backup", a backup of
 * an emulated schema uploaded to the vault, and the old → new ids a restore recorded. The comparison of
 * a restored graph with its backup is the restore engine's own test helper (shared/test), reused here.
 */
import type { EmulatorSite } from '@assets-vault/emulator';
import { runBackup, type BackupOptions } from '@assets-vault/shared/backup';
import { snapshotFromChunks, type ObjectOutcome } from '@assets-vault/shared/restore';
import { createMemoryChunkStore, readSnapshot, type SnapshotRecord } from '@assets-vault/shared/snapshot';
import { clientFor, type Backup, type MappedObject } from '../../../shared/test/restore.helpers.js';
import type { Executor } from '../../src/db/types.js';
import { insertRestoreJob } from '../../src/modules/restores/repository.js';
import { uploadSnapshot } from './upload.js';

export function insertTestRestore(db: Executor, siteId: string, backupId: string): Promise<string> {
  return insertRestoreJob(db, siteId, {
    backupId,
    backupCreatedAt: new Date(),
    source: { schemaId: '1', schemaName: 'S', schemaKey: 'S', siteUrl: 'https://s.example.test' },
    destination: { kind: 'current-instance', siteUrl: 'https://s.example.test', schemaName: 'T', schemaKey: 'TT' },
    target: { kind: 'site' },
    options: { objectIcons: false, history: false },
    createdBy: 'test',
    now: new Date(),
  });
}

/** A backup made by the real backup engine (pacing opened up), uploaded to the vault as the Forge app does. */
export async function backUpToVault(
  vaultUrl: string,
  site: EmulatorSite,
  schemaId: string,
  kind: 'manual' | 'scheduled' = 'manual',
  options: BackupOptions = { history: true, icons: true, issueRefs: true },
): Promise<{ backupId: string; backup: Backup }> {
  const store = createMemoryChunkStore();
  const result = await runBackup({
    client: clientFor(site),
    schemaId,
    source: { cloudId: site.info.cloudId, siteUrl: site.info.siteUrl },
    options,
    sink: store,
    writer: { maxChunkRecords: 200 },
  });
  if (!result.done) throw new Error('the backup did not finish');
  const records: SnapshotRecord[] = [];
  for await (const r of readSnapshot(result.manifest, store)) records.push(r);
  const backupId = await uploadSnapshot(
    vaultUrl,
    { cloudId: site.info.cloudId, siteUrl: site.info.siteUrl },
    { manifest: result.manifest, chunks: store.chunks },
    kind,
  );
  return {
    backupId,
    backup: { manifest: result.manifest, snapshot: snapshotFromChunks(result.manifest, store), records },
  };
}

/** source id → target id/key of the objects a restore created or left in place, from its checkpoint rows. */
export async function restoreIdMap(db: Executor, restoreId: string): Promise<Map<string, MappedObject>> {
  const rows = await db
    .selectFrom('restore_object')
    .select(['source_id', 'outcome'])
    .where('restore_id', '=', restoreId)
    .execute();
  const out = new Map<string, MappedObject>();
  for (const r of rows) {
    const o = r.outcome as ObjectOutcome | null;
    if (o?.targetId === undefined || (o.action !== 'created' && o.action !== 'skipped')) continue;
    out.set(r.source_id, { targetId: o.targetId, targetKey: o.targetKey ?? '', action: o.action });
  }
  return out;
}
