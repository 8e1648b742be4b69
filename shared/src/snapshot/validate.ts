import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { RECORD_KINDS, RECORD_SCHEMAS, type RecordKind } from './records.js';

/** Compiled once per process: record checks run for every line written and read. */
export const recordChecks = Object.fromEntries(
  RECORD_KINDS.map((kind) => [kind, TypeCompiler.Compile(RECORD_SCHEMAS[kind])]),
) as unknown as Record<RecordKind, TypeCheck<(typeof RECORD_SCHEMAS)[RecordKind]>>;

/** The first schema violation of `value` for `kind` as a path and message (never the value). */
export function firstRecordError(kind: RecordKind, value: unknown): { path: string; message: string } {
  const first = recordChecks[kind].Errors(value).First();
  return { path: first?.path || '/', message: first?.message ?? 'unknown problem' };
}
