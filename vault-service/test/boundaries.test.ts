/**
 * The vault's structure, checked on its source: the backup store is the only owner of its tables (no
 * other file imports its inner files or table types, or names `backup`, `backup_chunk` or a browse
 * table in a query), and no import cycles, neither between files nor between modules of src/modules.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');
const STORE = path.join(SRC, 'modules/backup-store');
const STORE_API = path.join(STORE, 'index.ts');
const STORE_TABLE_TYPES = [path.join(SRC, 'db/tables/backup.ts'), path.join(SRC, 'db/tables/browse.ts')];
/** Migrations create the tables (typed against nothing); db/types.ts assembles the one DB type. */
const SCHEMA_FILES = (file: string) =>
  file.startsWith(path.join(SRC, 'db/migrations/')) || file === path.join(SRC, 'db/types.ts');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const files = sourceFiles(SRC);
const text = new Map(files.map((f) => [f, fs.readFileSync(f, 'utf8')]));
const rel = (file: string) => path.relative(SRC, file);

/** Relative imports of a file (static, re-exports, `import type` and dynamic), resolved to files of src/. */
function importsOf(file: string): string[] {
  const source = text.get(file) ?? '';
  const specifiers = [
    ...source.matchAll(/\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g),
    ...source.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g),
    ...source.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
  ].map((m) => m[1] ?? '');
  return specifiers
    .filter((s) => s.startsWith('.'))
    .map((s) => path.resolve(path.dirname(file), s.replace(/\.js$/, '.ts')))
    .filter((target) => text.has(target));
}

const graph = new Map(files.map((f) => [f, importsOf(f)]));

const STORE_TABLE = String.raw`(?:backup|backup_chunk|browse_[a-z_]+)`;
const STORE_TABLE_ACCESS = [
  // Kysely: selectFrom('backup'), updateTable('backup_chunk as c'), …
  new RegExp(String.raw`\b(?:selectFrom|insertInto|updateTable|deleteFrom|mergeInto)\(\s*['"]${STORE_TABLE}\b`),
  // a column reference as a first argument: whereRef('backup_chunk.backup_id', …), select(['backup.id', …])
  new RegExp(String.raw`\(\s*\[?\s*['"]${STORE_TABLE}\.[a-z_]+['"]`),
  // another Postgres schema: a backup's browse tables
  /\bwithSchema\(/,
  // SQL text: from backup, join backup_chunk, into browse_object, update backup, …
  new RegExp(String.raw`\b(?:from|join|into|update|table)\s+"?${STORE_TABLE}"?(?:\s|$|\)|;|,)`, 'i'),
  // a backup's browse schema by name
  /['"`]backup_(?:[0-9a-f]{32}|\$\{)/,
];

/** Lines of a file (comments aside) matching any of `patterns`, as `line: text`. */
function linesMatching(file: string, patterns: RegExp[]): string[] {
  return (text.get(file) ?? '')
    .split('\n')
    .map((line, i) => ({ line, i }))
    .filter(({ line }) => !/^\s*(\*|\/\/|\/\*)/.test(line) && patterns.some((p) => p.test(line)))
    .map(({ line, i }) => `${i + 1}: ${line.trim()}`);
}

/** Lines of a file that query a table of the backup store. */
const storeTableAccess = (file: string) => linesMatching(file, STORE_TABLE_ACCESS);

/**
 * Tables with one owning module (a folder of src/modules): no file outside it (the schema files aside)
 * names them in a query. Add a module's tables here when it creates them.
 */
const OWNED_TABLES: Record<string, string> = {
  target_instance: 'modules/target-instances',
  pacing_bucket: 'modules/pacing',
  restore_job: 'modules/restores',
  restore_object: 'modules/restores',
  restore_issue_fields_job: 'modules/restores',
  restore_issue_field: 'modules/restores',
};

/** Lines of a file that query `table`, Kysely or SQL text. */
function tableAccess(file: string, table: string): string[] {
  return linesMatching(file, [
    new RegExp(String.raw`\b(?:selectFrom|insertInto|updateTable|deleteFrom|mergeInto)\(\s*['"]${table}\b`),
    new RegExp(String.raw`\(\s*\[?\s*['"]${table}\.[a-z_]+['"]`),
    new RegExp(String.raw`\b(?:from|join|into|update|table)\s+"?${table}"?(?:\s|$|\)|;|,)`, 'i'),
  ]);
}

/** Strongly connected components with more than one member (or a self-import): the cycles. */
function cycles(nodes: Map<string, string[]>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    indexOf.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of nodes.get(node) ?? []) {
      if (!indexOf.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, indexOf.get(next)!));
    }
    if (low.get(node) === indexOf.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (nodes.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const node of nodes.keys()) if (!indexOf.has(node)) visit(node);
  return found;
}

describe('source boundaries', () => {
  it('finds the source and its imports (the checks below look at something)', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(graph.get(path.join(SRC, 'app.ts'))).toContain(STORE_API);
  });

  it('has no import cycle between files', () => {
    expect(cycles(graph).map((c) => c.map(rel))).toEqual([]);
  });

  it('has no import cycle between the modules of src/modules', () => {
    const moduleOf = (file: string) => /^modules\/([^/]+)\//.exec(rel(file))?.[1];
    const modules = new Map<string, string[]>();
    for (const [file, targets] of graph) {
      const from = moduleOf(file);
      if (!from) continue;
      const edges = modules.get(from) ?? [];
      for (const target of targets) {
        const to = moduleOf(target);
        if (to && to !== from && !edges.includes(to)) edges.push(to);
      }
      modules.set(from, edges);
    }
    expect(modules.get('browse')).toContain('backup-store');
    expect(cycles(modules)).toEqual([]);
  });

  it('reaches the backup store only through its index.ts', () => {
    const offenders = [...graph]
      .filter(([file]) => !file.startsWith(STORE + path.sep))
      .flatMap(([file, targets]) =>
        targets.filter((t) => t.startsWith(STORE + path.sep) && t !== STORE_API).map((t) => `${rel(file)} → ${rel(t)}`),
      );
    expect(offenders).toEqual([]);
  });

  it("imports the store's table types nowhere else", () => {
    const offenders = [...graph]
      .filter(([file]) => !file.startsWith(STORE + path.sep) && !SCHEMA_FILES(file))
      .flatMap(([file, targets]) => targets.filter((t) => STORE_TABLE_TYPES.includes(t)).map(() => rel(file)));
    expect(offenders).toEqual([]);
  });

  it("queries the store's tables nowhere else (Kysely or SQL text)", () => {
    const offenders = files
      .filter((file) => !file.startsWith(STORE + path.sep) && !SCHEMA_FILES(file))
      .flatMap((file) => storeTableAccess(file).map((hit) => `${rel(file)}:${hit}`));
    expect(offenders).toEqual([]);
  });

  it('queries every other owned table only from its owning module', () => {
    for (const [table, owner] of Object.entries(OWNED_TABLES)) {
      const ownerDir = path.join(SRC, owner) + path.sep;
      // the owner does query it: the check looks at something
      expect(files.filter((f) => f.startsWith(ownerDir)).flatMap((f) => tableAccess(f, table)).length).toBeGreaterThan(
        0,
      );
      const offenders = files
        .filter((file) => !file.startsWith(ownerDir) && !SCHEMA_FILES(file))
        .flatMap((file) => tableAccess(file, table).map((hit) => `${rel(file)}:${hit}`));
      expect(offenders).toEqual([]);
    }
  });

  it('would notice such a query: the same check finds the ones the store itself makes', () => {
    const hits = sourceFiles(STORE).flatMap((file) => storeTableAccess(file));
    for (const expected of [
      /selectFrom\('backup'\)/,
      /insertInto\('backup_chunk'\)/,
      /selectFrom\('browse_object'\)/,
      /withSchema\(/,
      /from backup b/,
      /whereRef\('backup_chunk\.backup_id'/,
    ])
      expect(hits.some((hit) => expected.test(hit))).toBe(true);
  });
});
