/**
 * The full log of a restore as an .xlsx file, streamed with exceljs: a "Summary" sheet (source,
 * destination, options, times, counts, status, verification, issue fields) and an "Objects" sheet with
 * a header row and one row per object of the backup: old and new id and key, type, action (created,
 * skipped, failed, excluded; `pending` or `not restored` for objects a restore that did not finish
 * never reached), warnings and errors.
 */
import { PassThrough, type Readable } from 'node:stream';
import type { VerificationReport } from '@assets-vault/shared/restore';
import ExcelJS from 'exceljs';
import type { VaultDeps } from '../../deps.js';
import * as backupStore from '../backup-store/index.js';
import { createPostgresCheckpointStore } from './checkpoint-store.js';
import type { RestoreDetail } from './schemas.js';

export const OBJECT_SHEET_HEADER = [
  'Old id',
  'Old key',
  'New id',
  'New key',
  'Type',
  'Action',
  'Warnings',
  'Errors',
] as const;

/** Rows of the objects sheet written before the stream waits for the reader. */
const BATCH = 500;
const yesNo = (b: boolean | undefined) => (b ? 'YES' : 'NO');

function summaryRows(r: RestoreDetail, verification: VerificationReport | null): [string, string | number][] {
  const d = r.destination;
  const rows: [string, string | number][] = [
    ['Restore', r.id],
    ['Status', r.status],
    ['Result', r.resultMessage ?? ''],
    ['Source site', r.source.siteUrl],
    ['Source schema', `${r.source.schemaName} (${r.source.schemaKey}, id ${r.source.schemaId})`],
    ['Backup', r.backupId],
    ['Backup date', r.backupCreatedAt],
    ['Destination', d.kind],
    ['Destination site', d.siteUrl],
    ['Target instance', d.targetName ?? ''],
    ['Destination schema', `${d.schemaName} (${d.schemaKey}${d.schemaId ? `, id ${d.schemaId}` : ''})`],
    ['Schema link', d.schemaUrl ?? ''],
    ['Create duplicates', d.kind === 'existing-schema' ? yesNo(d.createDuplicates) : ''],
    ['Object history', yesNo(r.options.history)],
    ['Object icons', yesNo(r.options.objectIcons)],
    ['Specific object types', r.options.objectTypeIds ? r.options.objectTypeIds.join(', ') : 'NO (all)'],
    ['Started by', r.createdBy],
    ['Requested', r.createdAt],
    ['Started', r.startedAt ?? ''],
    ['Ended', r.endedAt ?? ''],
    ['Objects done', `${r.progress.done} of ${r.progress.total}`],
    ['Created', r.counts.created],
    ['Skipped', r.counts.skipped],
    ['Failed', r.counts.failed],
    ['Warnings', r.counts.warnings],
    ['Verification', r.verification ? (r.verification.ok ? 'equal to the backup' : 'differences found') : 'not run'],
  ];
  if (verification) {
    rows.push(
      ['Objects checked', verification.objectsChecked],
      ['Objects matching', verification.objectsMatching],
      ['Objects in the target schema', verification.targetObjectCount],
      ['Objects expected there', verification.expectedObjectCount],
      ['Differences', r.verification?.issues ?? 0],
    );
    for (const line of r.verification?.sample ?? []) rows.push(['Difference', line]);
  }
  for (const w of r.warningsSample) rows.push(['Warning', w]);
  rows.push(
    ['Issue fields', r.issueFields.status],
    ['Issue fields updated', r.issueFields.updatedFields],
    ['Issues not updated', r.issueFields.failedFields],
    ['Issue fields date', r.issueFields.updatedAt ?? ''],
  );
  return rows;
}

/** The objects the restore has no outcome for (it did not finish), from the backup when it is still browsable. */
async function* unreachedObjects(
  deps: Pick<VaultDeps, 'db'>,
  siteId: string,
  backupId: string,
  done: Set<string>,
): AsyncGenerator<{ id: string; key: string; type: string }[]> {
  const backup = await backupStore.requireBrowsableBackup(deps.db, siteId, backupId).catch(() => undefined);
  if (!backup) return;
  const types = new Map((await backupStore.listObjectTypes(deps.db, backup.id)).map((t) => [t.id, t.name]));
  let afterSeq: string | undefined;
  for (;;) {
    const page = await backupStore.listObjectsAfter(deps.db, backup.id, {
      limit: BATCH,
      ...(afterSeq === undefined ? {} : { afterSeq }),
    });
    if (page.length === 0) return;
    yield page
      .filter((o) => !done.has(o.id))
      .map((o) => ({ id: o.id, key: o.key, type: types.get(o.objectTypeId) ?? o.objectTypeId }));
    afterSeq = page[page.length - 1]?.seq;
  }
}

/** The file; the restore was read by the caller (site checked). */
export async function restoreLogFile(
  deps: Pick<VaultDeps, 'db' | 'log'>,
  siteId: string,
  restore: RestoreDetail,
  verification: VerificationReport | null,
): Promise<{ filename: string; contentType: string; body: Readable }> {
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  const drained = () =>
    out.writableNeedDrain ? new Promise<void>((resolve) => out.once('drain', () => resolve())) : Promise.resolve();
  void (async () => {
    const summary = workbook.addWorksheet('Summary');
    summary.addRow(['Field', 'Value']).commit();
    for (const row of summaryRows(restore, verification)) summary.addRow(row).commit();
    summary.commit();

    const objects = workbook.addWorksheet('Objects');
    objects.addRow([...OBJECT_SHEET_HEADER]).commit();
    const done = new Set<string>();
    let n = 0;
    for await (const r of createPostgresCheckpointStore(deps.db, restore.id).logRows()) {
      done.add(r.sourceId);
      objects
        .addRow([
          r.sourceId,
          r.sourceKey,
          r.targetId ?? '',
          r.targetKey ?? '',
          r.objectTypeName,
          r.action,
          r.warnings.join('\n'),
          r.errors.join('\n'),
        ])
        .commit();
      if (++n % BATCH === 0) await drained();
    }
    if (restore.status !== 'completed') {
      const action = restore.status === 'error' ? 'not restored' : 'pending';
      for await (const page of unreachedObjects(deps, siteId, restore.backupId, done)) {
        for (const o of page) objects.addRow([o.id, o.key, '', '', o.type, action, '', '']).commit();
        await drained();
      }
    }
    objects.commit();
    await workbook.commit();
  })().catch((err: unknown) => {
    deps.log.error({ err, restoreId: restore.id }, 'restore log failed');
    out.destroy(err instanceof Error ? err : new Error('restore log failed'));
  });
  const day = restore.createdAt.slice(0, 10);
  const key = restore.destination.schemaKey.replace(/[^A-Za-z0-9_-]/g, '_') || 'restore';
  return {
    filename: `restore-${key}-${day}-${restore.id.slice(0, 8)}.xlsx`,
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    body: out,
  };
}
