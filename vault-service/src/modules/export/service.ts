/**
 * Streamed export of a completed backup's objects as CSV, JSON or XLSX. Rows are read in keyset
 * batches (never the whole backup in memory) and written to the response as they come.
 */
import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { VaultDeps } from '../../deps.js';
import type { Log } from '../../logger.js';
import { insertAuditEvent } from '../audit/repository.js';
import * as backupStore from '../backup-store/index.js';
import { backupDefinitions, type BackupDefinitions } from '../browse/definitions.js';
import { attributeNames } from '../browse/service.js';
import { typedAttribute, type TypedValue } from './typed-values.js';

type ExportDeps = Pick<VaultDeps, 'db' | 'log'>;

export type ExportFormat = 'csv' | 'json' | 'xlsx';
export const EXPORT_BATCH_ROWS = 1000;
const FIXED_HEADERS = ['Object ID', 'Key', 'Label', 'Object type'];
/**
 * Joins an attribute's several values in one cell. Neither `,` nor `;` (the list separators of
 * spreadsheets in English and in German, French or Dutch locales) nor a line break: a joined value
 * must not split into cells when the file is opened with the other convention.
 */
export const MULTI_VALUE_SEPARATOR = ' | ';

export interface ExportRow {
  id: string;
  key: string;
  label: string;
  objectType: string;
  values: Record<string, string>;
}

export interface PreparedExport {
  filename: string;
  contentType: string;
  /** The attribute columns, by name, in schema order. */
  attributeColumns: string[];
  body: Readable;
}

/** The exported objects with their stored attributes, in snapshot order, one keyset batch at a time. */
async function* storedBatches(
  deps: ExportDeps,
  backupId: string,
  objectTypeId: string | undefined,
): AsyncGenerator<backupStore.StoredObject[]> {
  let afterSeq: string | undefined;
  for (;;) {
    const rows = await backupStore.listObjectsWithAttributesAfter(deps.db, backupId, {
      limit: EXPORT_BATCH_ROWS,
      ...(afterSeq !== undefined ? { afterSeq } : {}),
      ...(objectTypeId !== undefined ? { objectTypeId } : {}),
    });
    if (rows.length === 0) return;
    yield rows;
    afterSeq = rows[rows.length - 1]?.seq;
  }
}

/** Rows of the CSV and XLSX exports: each value as its display text. */
async function* exportRows(
  deps: ExportDeps,
  backupId: string,
  objectTypeId: string | undefined,
): AsyncGenerator<ExportRow[]> {
  const names = await attributeNames(deps, backupId);
  const types = new Map((await backupStore.listObjectTypes(deps.db, backupId)).map((t) => [t.id, t.name]));
  for await (const rows of storedBatches(deps, backupId, objectTypeId))
    yield rows.map((r) => {
      // keyed by attribute name: no inherited members (an attribute may be called "constructor")
      const values = Object.create(null) as Record<string, string>;
      for (const a of backupStore.parseStoredAttributes(r.attributes)) {
        const name = names.get(a.objectTypeAttributeId)?.name ?? a.objectTypeAttributeId;
        values[name] = a.objectAttributeValues.map((v) => v.displayValue).join(MULTI_VALUE_SEPARATOR);
      }
      return {
        id: r.id,
        key: r.key,
        label: r.label,
        objectType: types.get(r.objectTypeId) ?? r.objectTypeId,
        values,
      };
    });
}

/** An object of the JSON export: typed values (typed-values.ts) keyed by attribute name. */
interface JsonObject {
  id: string;
  key: string;
  label: string;
  objectType: { id: string; name: string };
  attributes: Record<string, TypedValue | TypedValue[] | null>;
}

async function* jsonRows(
  deps: ExportDeps,
  backupId: string,
  objectTypeId: string | undefined,
  definitions: BackupDefinitions,
): AsyncGenerator<JsonObject[]> {
  const attributes = new Map(definitions.objectTypes.flatMap((t) => t.attributes.map((a) => [a.id, a] as const)));
  const types = new Map(definitions.objectTypes.map((t) => [t.id, t.name]));
  for await (const rows of storedBatches(deps, backupId, objectTypeId))
    yield rows.map((r) => {
      const values = Object.create(null) as JsonObject['attributes'];
      for (const a of backupStore.parseStoredAttributes(r.attributes)) {
        const def = attributes.get(a.objectTypeAttributeId);
        values[def?.name ?? a.objectTypeAttributeId] = typedAttribute(def, a.objectAttributeValues);
      }
      return {
        id: r.id,
        key: r.key,
        label: r.label,
        objectType: { id: r.objectTypeId, name: types.get(r.objectTypeId) ?? r.objectTypeId },
        attributes: values,
      };
    });
}

/** Attribute names of the exported type (with its ancestors), or of the whole backup; one column per name. */
async function attributeColumns(
  deps: ExportDeps,
  backupId: string,
  objectTypeId: string | undefined,
): Promise<string[]> {
  let typeIds: Set<string> | undefined;
  if (objectTypeId !== undefined) {
    const parents = new Map((await backupStore.listObjectTypes(deps.db, backupId)).map((t) => [t.id, t.parentId]));
    typeIds = new Set();
    for (let id: string | null | undefined = objectTypeId; id != null && !typeIds.has(id); id = parents.get(id))
      typeIds.add(id);
  }
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const a of await backupStore.listAttributes(deps.db, backupId)) {
    if (typeIds && !typeIds.has(a.objectTypeId)) continue;
    if (FIXED_HEADERS.includes(a.name) || seen.has(a.name)) continue;
    seen.add(a.name);
    columns.push(a.name);
  }
  return columns;
}

/**
 * Where a spreadsheet may start a cell inside a value: at its start, and after anything that separates
 * or quotes cells in one of the conventions a CSV file is opened with (`,` in English locales, `;` in
 * German, French or Dutch ones, tab, line breaks; a quote opens a quoted cell in the convention that does
 * not see the outer quoting). Spaces before the character are skipped by some readers.
 * What follows there must not start a formula: `= + - @`, tab, CR and their full-width forms.
 */
const FORMULA_AT_CELL_START = /(?<=^|[,;\t\r\n"])( *)([=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20])/g;

/**
 * One CSV field that no spreadsheet reads as a formula, whichever separator it splits the file on: every
 * formula character that could start a cell is prefixed with `'` (CSV injection, OWASP), then the field
 * is quoted when it holds a separator of either convention, a quote or a line break.
 */
export function csvField(value: string): string {
  const safe = value.replace(FORMULA_AT_CELL_START, "$1'$2");
  return /[",;\t\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

async function* csvLines(rows: AsyncGenerator<ExportRow[]>, columns: string[]): AsyncGenerator<string> {
  yield `\uFEFF${[...FIXED_HEADERS, ...columns].map(csvField).join(',')}\r\n`;
  for await (const batch of rows) {
    let out = '';
    for (const r of batch)
      out += `${[r.id, r.key, r.label, r.objectType, ...columns.map((c) => r.values[c] ?? '')].map(csvField).join(',')}\r\n`;
    yield out;
  }
}

async function* jsonText(
  rows: AsyncGenerator<JsonObject[]>,
  meta: Record<string, unknown>,
  definitions: BackupDefinitions,
): AsyncGenerator<string> {
  yield `{"backup":${JSON.stringify(meta)},\n"definitions":${JSON.stringify(definitions)},\n"objects":[`;
  let first = true;
  for await (const batch of rows) {
    let out = '';
    for (const r of batch) {
      out += (first ? '\n' : ',\n') + JSON.stringify(r);
      first = false;
    }
    yield out;
  }
  yield '\n]}\n';
}

function xlsxStream(rows: AsyncGenerator<ExportRow[]>, columns: string[], log: Log): PassThrough {
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  const sheet = workbook.addWorksheet('Objects');
  void (async () => {
    sheet.addRow([...FIXED_HEADERS, ...columns]).commit();
    for await (const batch of rows) {
      for (const r of batch)
        sheet.addRow([r.id, r.key, r.label, r.objectType, ...columns.map((c) => r.values[c] ?? '')]).commit();
      // let the zip stream drain before the next batch (the response is the consumer)
      if (out.writableNeedDrain) await new Promise((resolve) => out.once('drain', resolve));
    }
    sheet.commit();
    await workbook.commit();
  })().catch((err: unknown) => {
    log.error({ err }, 'xlsx export failed');
    out.destroy(err instanceof Error ? err : new Error('xlsx export failed'));
  });
  return out;
}

export async function prepareExport(
  deps: ExportDeps,
  input: {
    siteId: string;
    actor: string;
    backupId: string;
    format: ExportFormat;
    objectTypeId?: string;
  },
): Promise<PreparedExport> {
  const backup = await backupStore.requireBrowsableBackup(deps.db, input.siteId, input.backupId);
  const columns = await attributeColumns(deps, backup.id, input.objectTypeId);
  await insertAuditEvent(deps.db, input.siteId, {
    actor: input.actor,
    action: 'backup.exported',
    target: backup.id,
    details: { format: input.format, objectTypeId: input.objectTypeId ?? null, schemaId: backup.schemaId },
  });
  const stamp = (backup.completedAt ?? backup.startedAt).toISOString().slice(0, 19).replace(/[:T]/g, '-');
  const base = `${backup.schemaKey.replace(/[^A-Za-z0-9_-]/g, '_')}-${stamp}`;
  const rows = () => exportRows(deps, backup.id, input.objectTypeId);
  switch (input.format) {
    case 'csv':
      return {
        filename: `${base}.csv`,
        contentType: 'text/csv; charset=utf-8',
        attributeColumns: columns,
        body: Readable.from(csvLines(rows(), columns)),
      };
    case 'json': {
      const meta = {
        id: backup.id,
        schemaId: backup.schemaId,
        schemaKey: backup.schemaKey,
        schemaName: backup.schemaName,
        completedAt: backup.completedAt?.toISOString() ?? null,
      };
      // read before the answer starts: a damaged snapshot is an error status, not a truncated file
      const definitions = await backupDefinitions(deps, input.siteId, backup.id);
      return {
        filename: `${base}.json`,
        contentType: 'application/json; charset=utf-8',
        attributeColumns: columns,
        body: Readable.from(jsonText(jsonRows(deps, backup.id, input.objectTypeId, definitions), meta, definitions)),
      };
    }
    case 'xlsx':
      return {
        filename: `${base}.xlsx`,
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        attributeColumns: columns,
        body: xlsxStream(rows(), columns, deps.log),
      };
  }
}
