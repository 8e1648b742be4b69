/**
 * The AQL subset the emulator understands (assets-cloud-api.md §3.5): `objectSchemaId`,
 * `objectTypeId`, `objectType = "Name"`, `objectSchema`, `objectId`, `Key`, `label` and attributes
 * by name (quoted or bare, dot-navigation through references), operators `=` (case-insensitive),
 * `==`, `!=`, `<`, `>`, `<=`, `>=`, `LIKE`, `IN`, `NOT IN`, `IS [NOT] EMPTY`, `AND`, `OR`,
 * parentheses and `ORDER BY <field> [ASC|DESC]`. Anything else is a 400, like a syntax error on
 * the real service.
 */
import { badRequestMessage } from './errors.js';

export type AqlOp =
  '=' | '==' | '!=' | '<' | '>' | '<=' | '>=' | 'like' | 'not like' | 'in' | 'not in' | 'empty' | 'not empty';

export type AqlNode =
  | { kind: 'and'; items: AqlNode[] }
  | { kind: 'or'; items: AqlNode[] }
  | { kind: 'not'; item: AqlNode }
  | { kind: 'cmp'; field: string[]; op: AqlOp; values: string[] };

export interface AqlQuery {
  where?: AqlNode;
  orderBy?: { field: string[]; desc: boolean };
}

type Token = { t: 'str' | 'word' | 'op' | 'lp' | 'rp' | 'comma'; v: string; pos: number };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(') {
      tokens.push({ t: 'lp', v: c, pos: i++ });
      continue;
    }
    if (c === ')') {
      tokens.push({ t: 'rp', v: c, pos: i++ });
      continue;
    }
    if (c === ',') {
      tokens.push({ t: 'comma', v: c, pos: i++ });
      continue;
    }
    if (c === '"' || c === "'") {
      const start = i++;
      let out = '';
      while (i < input.length && input[i] !== c) {
        if (input[i] === '\\' && i + 1 < input.length) i++;
        out += input[i];
        i++;
      }
      if (i >= input.length) throw aqlError(`unterminated string at position ${start}`);
      i++;
      tokens.push({ t: 'str', v: out, pos: start });
      continue;
    }
    const two = input.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '<=' || two === '>=') {
      tokens.push({ t: 'op', v: two, pos: i });
      i += 2;
      continue;
    }
    if (c === '=' || c === '<' || c === '>') {
      tokens.push({ t: 'op', v: c, pos: i++ });
      continue;
    }
    const m = /^[A-Za-z0-9_\-.:@/+]+/.exec(input.slice(i));
    if (!m) throw aqlError(`unexpected character '${c}' at position ${i}`);
    tokens.push({ t: 'word', v: m[0], pos: i });
    i += m[0].length;
  }
  return tokens;
}

function aqlError(detail: string) {
  return badRequestMessage(`AQL: ${detail}`);
}

const isKw = (tok: Token | undefined, kw: string) => tok?.t === 'word' && tok.v.toLowerCase() === kw;

/** Parses an AQL string; throws a 400 EmulatorHttpError on anything outside the subset. */
export function parseAql(input: string): AqlQuery {
  const tokens = tokenize(input);
  let p = 0;
  const peek = () => tokens[p];
  const next = () => {
    const tok = tokens[p++];
    if (!tok) throw aqlError('unexpected end of query');
    return tok;
  };

  function parseField(): string[] {
    const tok = next();
    if (tok.t === 'str') {
      const path = [tok.v];
      // "Owner"."Email" style navigation
      while (peek()?.t === 'word' && peek()?.v.startsWith('.')) {
        const rest = next().v.slice(1);
        path.push(...rest.split('.').filter(Boolean));
      }
      return path;
    }
    if (tok.t === 'word') return tok.v.split('.');
    throw aqlError(`expected an attribute name at position ${tok.pos}`);
  }

  function parseValue(): string {
    const tok = next();
    if (tok.t === 'str' || tok.t === 'word') {
      if (tok.t === 'word' && peek()?.t === 'lp') throw aqlError(`function ${tok.v}() is not supported`);
      return tok.v;
    }
    throw aqlError(`expected a value at position ${tok.pos}`);
  }

  function parseList(): string[] {
    const open = next();
    if (open.t !== 'lp') throw aqlError(`expected '(' at position ${open.pos}`);
    const values: string[] = [];
    if (peek()?.t === 'rp') {
      next();
      return values;
    }
    for (;;) {
      values.push(parseValue());
      const tok = next();
      if (tok.t === 'rp') return values;
      if (tok.t !== 'comma') throw aqlError(`expected ',' or ')' at position ${tok.pos}`);
    }
  }

  function parseComparison(): AqlNode {
    const field = parseField();
    const tok = next();
    if (tok.t === 'op') return { kind: 'cmp', field, op: tok.v as AqlOp, values: [parseValue()] };
    if (tok.t === 'word') {
      const w = tok.v.toLowerCase();
      if (w === 'in') return { kind: 'cmp', field, op: 'in', values: parseList() };
      if (w === 'like') return { kind: 'cmp', field, op: 'like', values: [parseValue()] };
      if (w === 'not') {
        const after = next();
        if (isKw(after, 'in')) return { kind: 'cmp', field, op: 'not in', values: parseList() };
        if (isKw(after, 'like')) return { kind: 'cmp', field, op: 'not like', values: [parseValue()] };
        throw aqlError(`unexpected '${after.v}' after NOT at position ${after.pos}`);
      }
      if (w === 'is') {
        if (isKw(peek(), 'not')) {
          next();
          if (!isKw(next(), 'empty')) throw aqlError('expected EMPTY after IS NOT');
          return { kind: 'cmp', field, op: 'not empty', values: [] };
        }
        if (!isKw(next(), 'empty')) throw aqlError('expected EMPTY after IS');
        return { kind: 'cmp', field, op: 'empty', values: [] };
      }
    }
    throw aqlError(`unsupported operator '${tok.v}' at position ${tok.pos}`);
  }

  function parsePrimary(): AqlNode {
    if (peek()?.t === 'lp') {
      next();
      const inner = parseOr();
      const close = next();
      if (close.t !== 'rp') throw aqlError(`expected ')' at position ${close.pos}`);
      return inner;
    }
    if (isKw(peek(), 'not') && tokens[p + 1]?.t === 'lp') {
      next();
      return { kind: 'not', item: parsePrimary() };
    }
    return parseComparison();
  }

  function parseAnd(): AqlNode {
    const items = [parsePrimary()];
    while (isKw(peek(), 'and')) {
      next();
      items.push(parsePrimary());
    }
    return items.length === 1 ? (items[0] as AqlNode) : { kind: 'and', items };
  }

  function parseOr(): AqlNode {
    const items = [parseAnd()];
    while (isKw(peek(), 'or')) {
      next();
      items.push(parseAnd());
    }
    return items.length === 1 ? (items[0] as AqlNode) : { kind: 'or', items };
  }

  const query: AqlQuery = {};
  if (tokens.length > 0 && !isKw(peek(), 'order')) query.where = parseOr();
  if (isKw(peek(), 'order')) {
    next();
    if (!isKw(next(), 'by')) throw aqlError('expected BY after ORDER');
    const field = parseField();
    let desc = false;
    if (isKw(peek(), 'asc')) next();
    else if (isKw(peek(), 'desc')) {
      next();
      desc = true;
    }
    query.orderBy = { field, desc };
  }
  const rest = peek();
  if (rest) throw aqlError(`unexpected '${rest.v}' at position ${rest.pos}`);
  return query;
}

/** Compares one stored value with one query value under an operator (AQL `=` ignores case). */
export function matchValue(op: AqlOp, stored: string, wanted: string): boolean {
  switch (op) {
    case '=':
    case 'in':
      return stored.toLowerCase() === wanted.toLowerCase();
    case '==':
      return stored === wanted;
    case 'like':
      return stored.toLowerCase().includes(wanted.toLowerCase());
    case '<':
    case '>':
    case '<=':
    case '>=': {
      const a = Number(stored),
        b = Number(wanted);
      const c =
        Number.isFinite(a) && Number.isFinite(b) && stored.trim() !== '' && wanted.trim() !== ''
          ? a - b
          : stored < wanted
            ? -1
            : stored > wanted
              ? 1
              : 0;
      return op === '<' ? c < 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c >= 0;
    }
    default:
      return false;
  }
}
