/**
 * Rewrites the ids an AQL string embeds (attribute `qlQuery` filters, assets-cloud-api.md §8 rule 4):
 * `objectSchemaId`, `objectTypeId`, `objectId` and `Key`/`objectKey` comparisons get the target's
 * ids and keys, `objectSchema = "Name"` the target schema's name. Everything else is kept byte for
 * byte. Values without a mapping are kept and reported, never guessed.
 */

export interface AqlMaps {
  schemaId?: (id: string) => string | undefined;
  schemaName?: (name: string) => string | undefined;
  objectTypeId?: (id: string) => string | undefined;
  objectId?: (id: string) => string | undefined;
  objectKey?: (key: string) => string | undefined;
}

export interface AqlRewrite {
  query: string;
  /** values the maps did not know (left as they were) */
  unmapped: string[];
}

interface Token {
  kind: 'str' | 'word' | 'op' | 'lp' | 'rp' | 'comma';
  value: string;
  start: number;
  end: number;
  quote?: string;
}

function tokenize(input: string): Token[] | undefined {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      out.push({ kind: c === '(' ? 'lp' : c === ')' ? 'rp' : 'comma', value: c, start: i, end: i + 1 });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const start = i++;
      let value = '';
      while (i < input.length && input[i] !== c) {
        if (input[i] === '\\' && i + 1 < input.length) i++;
        value += input[i];
        i++;
      }
      if (i >= input.length) return undefined;
      i++;
      out.push({ kind: 'str', value, start, end: i, quote: c });
      continue;
    }
    const op = /^(==|!=|<=|>=|=|<|>)/.exec(input.slice(i));
    if (op) {
      out.push({ kind: 'op', value: op[0], start: i, end: i + op[0].length });
      i += op[0].length;
      continue;
    }
    const word = /^[^\s()",'=!<>]+/.exec(input.slice(i));
    if (!word) return undefined;
    out.push({ kind: 'word', value: word[0], start: i, end: i + word[0].length });
    i += word[0].length;
  }
  return out;
}

const quote = (value: string, q: string) => `${q}${value.replace(/\\/g, '\\\\').split(q).join(`\\${q}`)}${q}`;

/** Rewrites `query` with `maps`; a query that does not tokenize is returned unchanged with itself as unmapped. */
export function rewriteAql(query: string, maps: AqlMaps): AqlRewrite {
  const tokens = tokenize(query);
  if (tokens === undefined) return { query, unmapped: [query] };
  const fields: Record<string, ((v: string) => string | undefined) | undefined> = {
    objectschemaid: maps.schemaId,
    objectschema: maps.schemaName,
    objecttypeid: maps.objectTypeId,
    objectid: maps.objectId,
    key: maps.objectKey,
    objectkey: maps.objectKey,
  };
  const edits: { start: number; end: number; text: string }[] = [];
  const unmapped: string[] = [];
  const rewriteValue = (tok: Token | undefined, map: (v: string) => string | undefined) => {
    if (tok === undefined || (tok.kind !== 'str' && tok.kind !== 'word')) return;
    const mapped = map(tok.value);
    if (mapped === undefined) {
      unmapped.push(tok.value);
      return;
    }
    if (mapped === tok.value) return;
    edits.push({ start: tok.start, end: tok.end, text: tok.quote ? quote(mapped, tok.quote) : mapped });
  };
  for (let i = 0; i < tokens.length; i++) {
    const field = tokens[i];
    if (field === undefined || (field.kind !== 'word' && field.kind !== 'str')) continue;
    const map = fields[field.value.toLowerCase()];
    if (map === undefined) continue;
    // a value position (the right-hand side of an earlier comparison) is not a field
    const before = tokens[i - 1];
    if (before?.kind === 'op' || (before?.kind === 'word' && /^(in|like)$/i.test(before.value))) continue;
    let j = i + 1;
    const op = tokens[j];
    if (op?.kind === 'op') {
      rewriteValue(tokens[j + 1], map);
      i = j + 1;
      continue;
    }
    if (op?.kind === 'word' && op.value.toLowerCase() === 'not') j++;
    if (tokens[j]?.kind === 'word' && tokens[j]?.value.toLowerCase() === 'in' && tokens[j + 1]?.kind === 'lp') {
      j += 2;
      while (j < tokens.length && tokens[j]?.kind !== 'rp') {
        if (tokens[j]?.kind !== 'comma') rewriteValue(tokens[j], map);
        j++;
      }
      i = j;
    }
  }
  let out = query;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { query: out, unmapped };
}
