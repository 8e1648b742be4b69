/**
 * Lenient parsing at the edge (assets-cloud-api.md §0): normalise what the API is known to vary
 * (numbers for id strings, "true" for true, missing `type` on default attributes, numeric
 * parentObjectTypeId, null for absent, other ISO-8601 spellings), then validate with the model
 * schema. Well-formed bodies take the fast path: one compiled check and no conversion.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value, type ValueError } from '@sinclair/typebox/value';
import { IsoTimestamp } from '../model/index.js';
import { AssetsResponseError } from './errors.js';

interface Checker {
  Check(value: unknown): boolean;
  Errors(value: unknown): Iterable<ValueError>;
}

const checkers = new WeakMap<TSchema, Checker>();

/** A compiled checker, or the interpreted one where code generation is not allowed (a locked-down runtime). */
export function checkerFor(schema: TSchema): Checker {
  let checker = checkers.get(schema);
  if (checker === undefined) {
    try {
      checker = TypeCompiler.Compile(schema);
    } catch {
      checker = { Check: (v) => Value.Check(schema, v), Errors: (v) => Value.Errors(schema, v) };
    }
    checkers.set(schema, checker);
  }
  return checker;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Shape fixes that apply wherever the entity appears (lists, embedded in objects and attributes):
 * `parentObjectTypeId` to a string, `type` = 0 on attributes that carry `defaultType` but no `type`.
 * Mutates the freshly parsed JSON in place.
 */
export function normaliseAssetsShapes(value: unknown): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (const item of node) if (item !== null && typeof item === 'object') stack.push(item);
      continue;
    }
    if (!isRecord(node)) continue;
    if (typeof node.parentObjectTypeId === 'number') node.parentObjectTypeId = String(node.parentObjectTypeId);
    if (node.type === undefined && isRecord(node.defaultType)) node.type = 0;
    for (const key in node) {
      const child = node[key];
      if (child !== null && typeof child === 'object') stack.push(child);
    }
  }
}

/** Assets page envelopes: `isLast`/`last` are the same flag; either may be missing or a string. */
export function normalisePageFlags(value: unknown): void {
  if (!isRecord(value)) return;
  if (value.isLast === undefined) value.isLast = value.last ?? false;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parentOf(
  root: unknown,
  pointer: string,
): { parent: Record<string, unknown> | unknown[]; key: string } | undefined {
  const parts = pointer.split('/').slice(1).map(unescapePointer);
  const key = parts.pop();
  if (key === undefined) return undefined;
  let node: unknown = root;
  for (const part of parts) {
    if (Array.isArray(node)) node = node[Number(part)];
    else if (isRecord(node)) node = node[part];
    else return undefined;
  }
  if (Array.isArray(node) || isRecord(node)) return { parent: node, key };
  return undefined;
}

const ISO_PATTERN = IsoTimestamp.pattern;

/** One repair pass driven by the validation errors; returns true when something changed. */
function repair(root: unknown, errors: Iterable<ValueError>): boolean {
  let changed = false;
  let seen = 0;
  for (const error of errors) {
    if (++seen > 200) break;
    const at = parentOf(root, error.path);
    if (at === undefined || Array.isArray(at.parent)) continue;
    const current = at.parent[at.key];
    if (current === null) {
      // "absent" sent as null: drop it; a required field then fails with a clear "expected" message
      delete at.parent[at.key];
      changed = true;
    } else if (typeof current === 'string' && error.schema.pattern === ISO_PATTERN) {
      const ms = Date.parse(current);
      if (!Number.isNaN(ms)) {
        at.parent[at.key] = new Date(ms).toISOString();
        changed = true;
      }
    }
  }
  return changed;
}

/**
 * Validates a parsed body against `schema` after coercion; throws AssetsResponseError when it
 * still does not fit. `what` names the request (method and path) for the error.
 */
export function coerce<T extends TSchema>(
  schema: T,
  value: unknown,
  what: { method: string; path: string },
): Static<T> {
  const checker = checkerFor(schema);
  if (checker.Check(value)) return value as Static<T>;
  let converted: unknown = Value.Convert(schema, value);
  for (let round = 0; round < 3; round++) {
    if (checker.Check(converted)) return converted as Static<T>;
    if (!repair(converted, checker.Errors(converted))) break;
    converted = Value.Convert(schema, converted);
  }
  if (checker.Check(converted)) return converted as Static<T>;
  const problems: { path: string; message: string }[] = [];
  for (const error of checker.Errors(converted)) {
    problems.push({ path: error.path, message: error.message });
    if (problems.length >= 10) break;
  }
  throw new AssetsResponseError(what.method, what.path, problems);
}
