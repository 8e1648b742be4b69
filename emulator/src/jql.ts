/**
 * The JQL subset the emulator answers on `POST /rest/api/3/search/jql` (assets-cloud-api.md §9.3):
 * `cf[N] is [not] EMPTY`, `cf[N] [NOT] IN aqlFunction("<AQL>")` (also with `customfield_N` or the
 * field's quoted name), `project = X`, `key|issuekey = X | IN (...)`, `summary ~ "text"`, `AND`,
 * `OR`, parentheses and `ORDER BY key|id|created|updated [ASC|DESC]`. Issues render like Jira's.
 */
import { createHash } from 'node:crypto';
import type { JiraIssue } from '@assets-vault/shared/model';
import { badRequestMessage } from './errors.js';
import type { IssueRec, JiraFieldRec } from './store/records.js';
import type { SiteStore } from './store/site-store.js';

type JqlNode =
  | { kind: 'and' | 'or'; items: JqlNode[] }
  | { kind: 'empty'; field: string; negate: boolean }
  | { kind: 'aql'; field: string; aql: string; negate: boolean }
  | { kind: 'eq'; field: string; values: string[]; negate: boolean }
  | { kind: 'contains'; field: string; text: string };

export interface JqlQuery {
  where?: JqlNode;
  orderBy?: { field: string; desc: boolean };
}

type Tok = { t: 'str' | 'word' | 'op' | 'lp' | 'rp' | 'comma'; v: string };

function jqlError(detail: string) {
  return badRequestMessage(`Error in the JQL Query: ${detail}`);
}

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(') {
      out.push({ t: 'lp', v: c });
      i++;
      continue;
    }
    if (c === ')') {
      out.push({ t: 'rp', v: c });
      i++;
      continue;
    }
    if (c === ',') {
      out.push({ t: 'comma', v: c });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1,
        v = '';
      while (j < s.length && s[j] !== c) {
        if (s[j] === '\\' && j + 1 < s.length) j++;
        v += s[j];
        j++;
      }
      if (j >= s.length) throw jqlError('unterminated string');
      out.push({ t: 'str', v });
      i = j + 1;
      continue;
    }
    const two = s.slice(i, i + 2);
    if (two === '!=' || two === '!~') {
      out.push({ t: 'op', v: two });
      i += 2;
      continue;
    }
    if (c === '=' || c === '~') {
      out.push({ t: 'op', v: c });
      i++;
      continue;
    }
    const m = /^[A-Za-z0-9_\-.[\]]+/.exec(s.slice(i));
    if (!m) throw jqlError(`unexpected character '${c}'`);
    out.push({ t: 'word', v: m[0] });
    i += m[0].length;
  }
  return out;
}

export function parseJql(input: string): JqlQuery {
  const toks = tokenize(input);
  let p = 0;
  const peek = () => toks[p];
  const next = () => {
    const t = toks[p++];
    if (!t) throw jqlError('unexpected end of query');
    return t;
  };
  const kw = (t: Tok | undefined, w: string) => t?.t === 'word' && t.v.toLowerCase() === w;

  const value = (): string => {
    const t = next();
    if (t.t !== 'str' && t.t !== 'word') throw jqlError(`expected a value, found '${t.v}'`);
    return t.v;
  };
  const list = (): string[] => {
    if (next().t !== 'lp') throw jqlError("expected '('");
    const vals: string[] = [];
    for (;;) {
      vals.push(value());
      const t = next();
      if (t.t === 'rp') return vals;
      if (t.t !== 'comma') throw jqlError("expected ',' or ')'");
    }
  };

  const clause = (): JqlNode => {
    if (peek()?.t === 'lp') {
      next();
      const inner = or();
      if (next().t !== 'rp') throw jqlError("expected ')'");
      return inner;
    }
    const f = next();
    if (f.t !== 'str' && f.t !== 'word') throw jqlError(`expected a field, found '${f.v}'`);
    const field = f.v;
    const op = next();
    if (kw(op, 'is')) {
      const negate = kw(peek(), 'not');
      if (negate) next();
      const e = next();
      if (!kw(e, 'empty') && !kw(e, 'null')) throw jqlError('expected EMPTY');
      return { kind: 'empty', field, negate };
    }
    let negate = false;
    let operator = op;
    if (kw(op, 'not')) {
      negate = true;
      operator = next();
      if (!kw(operator, 'in')) throw jqlError('expected IN after NOT');
    }
    if (kw(operator, 'in')) {
      if (kw(peek(), 'aqlfunction')) {
        next();
        if (next().t !== 'lp') throw jqlError("expected '(' after aqlFunction");
        const aql = next();
        if (aql.t !== 'str') throw jqlError('aqlFunction takes one quoted AQL string');
        if (next().t !== 'rp') throw jqlError("expected ')' after the AQL string");
        return { kind: 'aql', field, aql: aql.v, negate };
      }
      return { kind: 'eq', field, values: list(), negate };
    }
    if (operator.t === 'op' && (operator.v === '=' || operator.v === '!='))
      return { kind: 'eq', field, values: [value()], negate: operator.v === '!=' };
    if (operator.t === 'op' && operator.v === '~') return { kind: 'contains', field, text: value() };
    throw jqlError(`operator '${operator.v}' is not supported`);
  };
  const and = (): JqlNode => {
    const items = [clause()];
    while (kw(peek(), 'and')) {
      next();
      items.push(clause());
    }
    return items.length === 1 ? (items[0] as JqlNode) : { kind: 'and', items };
  };
  const or = (): JqlNode => {
    const items = [and()];
    while (kw(peek(), 'or')) {
      next();
      items.push(and());
    }
    return items.length === 1 ? (items[0] as JqlNode) : { kind: 'or', items };
  };

  const q: JqlQuery = {};
  if (toks.length > 0 && !kw(peek(), 'order')) q.where = or();
  if (kw(peek(), 'order')) {
    next();
    if (!kw(next(), 'by')) throw jqlError('expected BY');
    const field = value().toLowerCase();
    let desc = false;
    if (kw(peek(), 'asc')) next();
    else if (kw(peek(), 'desc')) {
      next();
      desc = true;
    }
    q.orderBy = { field, desc };
  }
  if (peek()) throw jqlError(`unexpected '${peek()?.v}'`);
  return q;
}

/** Resolves `cf[10191]`, `customfield_10191` or a field name to the field record. */
export function resolveField(store: SiteStore, name: string): JiraFieldRec | undefined {
  const cf = /^cf\[(\d+)\]$/i.exec(name);
  const id = cf ? `customfield_${cf[1]}` : name;
  return store.field(id) ?? store.fieldList().find((f) => f.name.toLowerCase() === name.toLowerCase());
}

/** Keys of matching issues, in result order. */
export function searchIssues(store: SiteStore, jql: string): IssueRec[] {
  const q = parseJql(jql);
  const aqlCache = new Map<string, Set<number>>();
  const evalNode = (issue: IssueRec, n: JqlNode): boolean => {
    switch (n.kind) {
      case 'and':
        return n.items.every((i) => evalNode(issue, i));
      case 'or':
        return n.items.some((i) => evalNode(issue, i));
      case 'empty': {
        const f = requireField(n.field);
        const empty = f.custom ? isEmptyValue(issue.custom.get(f.id)) : false;
        return n.negate ? !empty : empty;
      }
      case 'aql': {
        const f = requireField(n.field);
        if (f.schema?.items !== 'cmdb-object-field')
          throw jqlError(`aqlFunction() cannot be used with the field '${n.field}'`);
        let ids = aqlCache.get(n.aql);
        if (!ids) aqlCache.set(n.aql, (ids = new Set(store.aqlIds(n.aql))));
        const matchSet = ids;
        const hit = store.issueObjectIds(issue, f.id).some((id) => matchSet.has(id));
        return n.negate ? !hit : hit;
      }
      case 'eq': {
        const field = n.field.toLowerCase();
        let actual: string[];
        if (field === 'project') actual = [issue.projectKey];
        else if (field === 'key' || field === 'issuekey' || field === 'id') actual = [issue.key, String(issue.id)];
        else if (field === 'status') actual = [issue.status];
        else if (field === 'issuetype' || field === 'type') actual = [issue.issueType];
        else throw jqlError(`the operator '=' is not supported for the field '${n.field}' in this emulator`);
        const hit = n.values.some((v) => actual.some((a) => a.toLowerCase() === v.toLowerCase()));
        return n.negate ? !hit : hit;
      }
      case 'contains': {
        if (n.field.toLowerCase() !== 'summary' && n.field.toLowerCase() !== 'text')
          throw jqlError(`'~' is only supported on summary`);
        return issue.summary.toLowerCase().includes(n.text.toLowerCase());
      }
    }
  };
  const requireField = (name: string): JiraFieldRec => {
    const f = resolveField(store, name);
    if (!f) throw jqlError(`Field '${name}' does not exist or you do not have permission to view it.`);
    return f;
  };
  const where = q.where;
  const out = store.issueList().filter((i) => !where || evalNode(i, where));
  const order = q.orderBy ?? { field: 'key', desc: true };
  const dir = order.desc ? -1 : 1;
  const sortKey = (i: IssueRec): number => {
    switch (order.field) {
      case 'created':
        return i.created;
      case 'updated':
        return i.updated;
      case 'key':
      case 'id':
      case 'issuekey':
        return i.id;
      default:
        throw jqlError(`ORDER BY ${order.field} is not supported in this emulator`);
    }
  };
  out.sort((a, b) => (sortKey(a) - sortKey(b)) * dir || a.id - b.id);
  return out;
}

function isEmptyValue(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0) || v === '';
}

/** Opaque page token bound to the query, so a token from another query is refused. */
export function encodePageToken(jql: string, offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset, h: jqlHash(jql) })).toString('base64url');
}
export function decodePageToken(jql: string, token: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; h?: unknown };
    if (typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0 && parsed.h === jqlHash(jql))
      return parsed.o;
  } catch {
    // fall through to the 400
  }
  throw badRequestMessage('The provided next page token is invalid or expired.');
}
const jqlHash = (jql: string) => createHash('sha256').update(jql).digest('base64url').slice(0, 12);

const jiraTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

/** Renders an issue with the requested fields (`*all`/`*navigable` = every field). */
export function renderIssue(
  store: SiteStore,
  issue: IssueRec,
  fields: string[] | undefined,
  siteUrl: string,
): JiraIssue {
  const want = (id: string) =>
    fields === undefined || fields.includes('*all') || fields.includes('*navigable') || fields.includes(id);
  const out: Record<string, unknown> = {};
  if (want('summary')) out.summary = issue.summary;
  if (want('status'))
    out.status = { name: issue.status, statusCategory: { key: issue.status === 'Done' ? 'done' : 'new' } };
  if (want('issuetype')) out.issuetype = { name: issue.issueType };
  if (want('project')) out.project = { key: issue.projectKey, name: `${issue.projectKey} service desk` };
  if (want('reporter')) {
    const u = store.user(issue.reporter);
    out.reporter = { accountId: issue.reporter, displayName: u?.displayName ?? 'Former user' };
  }
  if (want('created')) out.created = jiraTime(issue.created);
  if (want('updated')) out.updated = jiraTime(issue.updated);
  for (const f of store.fieldList()) {
    if (!f.custom || !want(f.id)) continue;
    const v = issue.custom.get(f.id);
    // Jira sends null for an unset custom field
    out[f.id] = isEmptyValue(v) ? null : structuredClone(v);
  }
  return { id: String(issue.id), key: issue.key, self: `${siteUrl}/rest/api/3/issue/${issue.id}`, fields: out };
}
