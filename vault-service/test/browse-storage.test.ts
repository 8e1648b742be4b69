/**
 * Where browse rows live (one schema per backup, loaded inside the completing transaction) and how they
 * get there: inline and worker-thread decoding give identical rows; a refused completion leaves no
 * schema; deleting a backup drops it; the search indexer builds the trigram index and rebuilds browse
 * tables that are missing (after the upgrade that introduced them). Real Postgres, a real snapshot from
 * the emulator over HTTP.
 */
import {
  canonicalJson,
  readSnapshot,
  SnapshotIntegrityError,
  type HistoryRecord,
  type ObjectRecord,
  type SnapshotManifest,
  type SnapshotRecord,
} from '@assets-vault/shared/snapshot';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pino from 'pino';
import { systemClock } from '../src/clock.js';
import { withClientTransaction } from '../src/db/client-transaction.js';
import { createSearchIndexer } from '../src/jobs/search-indexer.js';
import { attributesJson } from '../src/modules/backup-store/browse-chunk.js';
import { listObjects } from '../src/modules/browse/service.js';
import {
  browseDb,
  browseSchemaName,
  createBrowseTables,
  dropOrphanBrowseSchemas,
  queueRebuildOfLostBrowseTables,
} from '../src/modules/backup-store/browse-tables.js';
import { markBrowseTablesLost } from '../src/modules/backup-store/repository.js';
import { deleteBackupOfSite, listBackups } from '../src/modules/backups/service.js';
import { isBackupInUseByRestore } from '../src/modules/restores/repository.js';
import { deleteBackup, findBackupForUpload, purgeDueTrash } from '../src/modules/backup-store/index.js';
import { csvField, MULTI_VALUE_SEPARATOR, prepareExport } from '../src/modules/export/service.js';
import { completeBackup } from '../src/modules/ingest/service.js';
import { parseCsv } from './helpers/csv.js';
import { createTestDatabase, TEST_POOL_SIZE, waitForLockWaiters, type TestDatabase } from './helpers/db.js';
import { insertSite } from './helpers/site.js';
import { fixtureSnapshot, labelOnlyRecords, writeSnapshot } from './helpers/snapshot.js';

const SITE = { cloudId: 'cloud-storage', siteUrl: 'https://storage.atlassian.net' };
const log = pino({ level: 'silent' });

describe('attributesJson', () => {
  it('cuts the attributes array out of a canonical object line exactly as it was written', () => {
    const tricky = [
      'plain',
      'quote " inside',
      'back\\slash',
      'ends with backslash \\',
      '] } [ { brackets',
      '\\"',
      'line\nbreak',
      'ünïcødé ✓',
      '',
    ];
    for (const text of tricky) {
      const attributes = [
        { objectTypeAttributeId: '1', objectAttributeValues: [{ value: text, displayValue: text }] },
        {
          objectTypeAttributeId: '2',
          objectAttributeValues: [
            {
              displayValue: `${text}]`,
              referencedObject: { id: '9', objectKey: 'K-9', label: `[${text}`, objectTypeId: '3' },
            },
          ],
        },
      ];
      const line = canonicalJson({
        kind: 'object',
        id: '1',
        label: `label ${text}]`,
        objectKey: 'K-1',
        attributes,
        created: 'x',
        updated: 'y',
      });
      expect(attributesJson(line)).toBe(canonicalJson(attributes));
      expect(JSON.parse(attributesJson(line)!)).toEqual(attributes);
    }
  });

  it('gives up on lines that are not laid out canonically', () => {
    expect(attributesJson('{"id":"1","attributes":[]}')).toBeUndefined();
    expect(attributesJson('{"attributes": []}')).toBeUndefined();
    expect(attributesJson('{"attributes":["unterminated')).toBeUndefined();
    expect(attributesJson('{"attributes":[]}')).toBe('[]');
  });
});

describe('per-backup browse storage', () => {
  let testDb: TestDatabase;
  let manifest: SnapshotManifest;
  let chunks: Map<number, Uint8Array>;
  const objects: ObjectRecord[] = [];
  let siteId = '';
  const deps = () => ({
    db: testDb.db,
    log,
    clock: systemClock,
    config: { allowInsecureSiteUrls: false, allowedSiteHosts: [] },
  });

  beforeAll(async () => {
    ({ manifest, chunks } = await fixtureSnapshot({
      name: 'storage',
      objects: 240,
      source: SITE,
      options: { history: true, icons: false, issueRefs: true },
      maxChunkRecords: 50,
    }));
    for await (const r of readSnapshot(manifest, { getChunk: async (seq) => chunks.get(seq) }))
      if (r.kind === 'object') objects.push(r);
    testDb = await createTestDatabase();
    siteId = await insertSite(testDb.db, SITE);
  }, 90_000);

  afterAll(async () => {
    await testDb?.drop();
  });

  /** An uploading backup with a snapshot's chunks stored (by default the fixture's; optionally one of them altered). */
  async function storedBackup(
    alter?: { seq: number },
    snapshot: { manifest: SnapshotManifest; chunks: Map<number, Uint8Array> } = { manifest, chunks },
  ): Promise<string> {
    const { id } = await testDb.db
      .insertInto('backup')
      .values({
        site_id: siteId,
        schema_id: snapshot.manifest.schema.id,
        schema_name: snapshot.manifest.schema.name,
        schema_key: snapshot.manifest.schema.key,
        kind: 'manual',
        options: JSON.stringify(snapshot.manifest.options),
        started_at: snapshot.manifest.createdAt,
        opened_by_webhook_id: `storage_${Math.random()}`,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const [seq, bytes] of snapshot.chunks) {
      const stored = Buffer.from(bytes);
      if (alter?.seq === seq) stored.writeUInt8(stored[stored.length - 5]! ^ 0xff, stored.length - 5);
      await testDb.db
        .insertInto('backup_chunk')
        .values({
          backup_id: id,
          seq,
          sha256: snapshot.manifest.chunks[seq]!.sha256,
          size_bytes: stored.length,
          bytes: stored,
        })
        .execute();
    }
    return id;
  }

  async function schemaExists(backupId: string): Promise<boolean> {
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_namespace where nspname = ${browseSchemaName(backupId)}`.execute(testDb.db);
    return rows[0]!.n === 1;
  }

  /** Every browse row of a backup, in a stable order, JSON columns parsed. */
  async function browseRows(backupId: string) {
    const db = browseDb(testDb.db, backupId);
    return {
      types: await db.selectFrom('browse_object_type').selectAll().orderBy('id').execute(),
      attributes: await db.selectFrom('browse_attribute').selectAll().orderBy('id').execute(),
      objects: await db.selectFrom('browse_object').selectAll().orderBy('seq').execute(),
      history: await db.selectFrom('browse_history').selectAll().orderBy('object_id').execute(),
      issueRefs: await db
        .selectFrom('browse_issue_ref')
        .selectAll()
        .orderBy('object_id')
        .orderBy('issue_id')
        .orderBy('field_id')
        .execute(),
    };
  }

  it('the snapshot under test spans enough chunks for the worker threads and carries history and issue references', () => {
    expect(manifest.chunks.length).toBeGreaterThanOrEqual(6);
    expect(manifest.counts.byKind.history ?? 0).toBeGreaterThan(0);
    expect(manifest.counts.byKind.issueRef ?? 0).toBeGreaterThan(0);
  });

  it('decoding in worker threads and inline loads identical rows, equal to the snapshot', async () => {
    const inline = await storedBackup();
    const threaded = await storedBackup();
    await completeBackup({ ...deps(), materialise: { workers: 0 } }, { backupId: inline, manifest });
    await completeBackup({ ...deps(), materialise: { workers: 2 } }, { backupId: threaded, manifest });
    const a = await browseRows(inline);
    const b = await browseRows(threaded);
    expect(b).toEqual(a);
    expect(a.objects.map((o) => o.id)).toEqual(objects.map((o) => o.id));
    expect(a.objects.map((o) => JSON.parse(o.attributes) as unknown)).toEqual(objects.map((o) => o.attributes));
    expect(a.history.length).toBe(manifest.counts.byKind.history);
    expect(a.issueRefs.length).toBeGreaterThan(0);
    const counted = Object.fromEntries(a.types.filter((t) => t.object_count > 0).map((t) => [t.id, t.object_count]));
    expect(counted).toEqual(manifest.counts.objectsByObjectType);
  });

  it('a completion refused by verification leaves no browse schema and the backup uploading, in either decoding mode', async () => {
    for (const workers of [0, 2]) {
      const id = await storedBackup({ seq: 3 });
      await expect(
        completeBackup({ ...deps(), materialise: { workers } }, { backupId: id, manifest }),
      ).rejects.toMatchObject({ code: 'chunk_hash_mismatch', seq: 3 });
      await expect(
        completeBackup({ ...deps(), materialise: { workers } }, { backupId: id, manifest }),
      ).rejects.toBeInstanceOf(SnapshotIntegrityError);
      expect(await schemaExists(id)).toBe(false);
      const row = await testDb.db
        .selectFrom('backup')
        .select(['status', 'browse_built_at'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'uploading', browse_built_at: null });
    }
  });

  it('stores any text exactly (NUL shown as U+FFFD), exact times, and refuses a snapshot holding an impossible date', async () => {
    const awkward = [
      'tab\there',
      'line\nbreak\r\n',
      'back\\slash \\N',
      'nul\0inside',
      'ünïcødé ✓ 🗄️',
      '',
      ' '.repeat(3),
      '\\.',
    ];
    const ts = (n: number) => new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 123) + n * 86_400_001).toISOString();
    const records = (created: (n: number) => string): SnapshotRecord[] => [
      ...labelOnlyRecords({
        typeName: 'Odd\ttype',
        keyPrefix: 'ODD',
        labels: awkward,
        typeTime: ts(0),
        created,
        updated: (n) => ts(n + 1),
      }),
      {
        kind: 'history',
        objectId: '1',
        entries: [
          {
            id: '5',
            type: 0,
            created: ts(2),
            actor: { key: 'a', displayName: awkward.join('|') },
            newValue: awkward.join('|'),
          },
        ],
      },
      {
        kind: 'issueRef',
        issueId: '7',
        issueKey: 'IT-7',
        fieldId: 'customfield_1',
        fieldName: 'nul\0 and\ttab',
        objectIds: ['1', '2'],
      },
    ];
    const snapshotOf = (created: (n: number) => string) =>
      writeSnapshot(
        {
          source: { ...SITE, workspaceId: 'ws-storage' },
          schema: { id: '900', name: 'Odd', key: 'ODD' },
          options: { history: true, icons: false, issueRefs: true },
        },
        records(created),
        4,
      );
    const good = await snapshotOf(ts);
    for (const workers of [0, 2]) {
      const id = await storedBackup(undefined, good);
      await completeBackup({ ...deps(), materialise: { workers } }, { backupId: id, manifest: good.manifest });
      const rows = await browseRows(id);
      const shown = (text: string) => text.replaceAll('\0', '\uFFFD');
      expect(
        rows.objects.map((o) => [
          o.label,
          o.created.toISOString(),
          o.updated.toISOString(),
          JSON.parse(o.attributes) as unknown,
        ]),
      ).toEqual(
        awkward.map((text, n) => [
          shown(text),
          ts(n),
          ts(n + 1),
          [{ objectTypeAttributeId: '10', objectAttributeValues: [{ value: text, displayValue: text }] }],
        ]),
      );
      expect(rows.objects.map((o) => o.search_text)).toEqual(
        awkward.map((text, n) => shown(`${text} ODD-${n + 1} ${text}`.toLowerCase())),
      );
      expect(JSON.parse(rows.history[0]!.entries)).toEqual((records(ts)[2 + awkward.length] as HistoryRecord).entries);
      expect(rows.issueRefs.map((r) => [r.object_id, r.field_name])).toEqual([
        ['1', 'nul\uFFFD and\ttab'],
        ['2', 'nul\uFFFD and\ttab'],
      ]);
    }
    const impossible = await snapshotOf((n) => (n === 3 ? '2026-02-30T10:00:00.000Z' : ts(n)));
    const id = await storedBackup(undefined, impossible);
    await expect(
      completeBackup({ ...deps(), materialise: { workers: 0 } }, { backupId: id, manifest: impossible.manifest }),
    ).rejects.toMatchObject({
      code: 'invalid_record',
      message: expect.stringContaining('object 4 has an impossible created time'),
    });
    expect(await schemaExists(id)).toBe(false);
  });

  it('two completions of one backup at once load it once', async () => {
    const id = await storedBackup();
    const results = await Promise.all([
      completeBackup(deps(), { backupId: id, manifest }),
      completeBackup(deps(), { backupId: id, manifest }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['completed', 'completed']);
    expect((await browseRows(id)).objects.length).toBe(objects.length);
  });

  it('a deleted backup waits in the trash with its browse schema; the purge drops both', async () => {
    const id = await storedBackup();
    await completeBackup(deps(), { backupId: id, manifest });
    expect(await schemaExists(id)).toBe(true);
    const { purgeAfter } = await deleteBackupOfSite(
      { db: testDb.db, clock: systemClock, config: { backupTrashDays: 7 }, backupInUse: isBackupInUseByRestore },
      siteId,
      id,
      'admin@storage.test',
    );
    // invisible to browsing, still there to be restored
    await expect(listObjects({ db: testDb.db }, siteId, id, {})).rejects.toThrow('Backup not found');
    expect(await schemaExists(id)).toBe(true);
    expect(await purgeDueTrash(testDb.db, new Date(purgeAfter.getTime() - 1000))).toBe(0);
    expect(await purgeDueTrash(testDb.db, purgeAfter)).toBe(1);
    expect(await schemaExists(id)).toBe(false);
    expect(await testDb.db.selectFrom('backup_chunk').select('seq').where('backup_id', '=', id).execute()).toEqual([]);
    expect(await testDb.db.selectFrom('backup').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
  });

  it('more completions at once than the pool has connections all finish (chunks are read on the completing connection)', async () => {
    const ids = await Promise.all(Array.from({ length: TEST_POOL_SIZE + 1 }, () => storedBackup()));
    const results = await Promise.all(
      ids.map((backupId) => completeBackup({ ...deps(), materialise: { workers: 0 } }, { backupId, manifest })),
    );
    expect(results.map((r) => r.status)).toEqual(ids.map(() => 'completed'));
    for (const id of ids) expect((await browseRows(id)).objects.length).toBe(objects.length);
  }, 60_000);

  it('a backup deleted while its completion is in flight takes the browse schema the completion commits with it', async () => {
    const id = await storedBackup();
    let deleting: Promise<boolean> | undefined;
    // what a completion holds until it commits: the backup's row lock and its new, not yet visible, browse schema
    await withClientTransaction(testDb.db, async (tx) => {
      expect(await findBackupForUpload(tx.db, id)).toBeDefined();
      await createBrowseTables(tx.db, id);
      deleting = deleteBackup(testDb.db, siteId, id); // what Forge's backup.deleted event runs
      await waitForLockWaiters(testDb, 1);
    });
    expect(await deleting).toBe(true);
    expect(await schemaExists(id)).toBe(false);
    expect(await testDb.db.selectFrom('backup').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
  });

  it('housekeeping drops a browse schema whose backup is gone and keeps the others', async () => {
    const kept = await storedBackup();
    await completeBackup(deps(), { backupId: kept, manifest });
    const orphan = randomUUID();
    await createBrowseTables(testDb.db, orphan);
    expect(await schemaExists(orphan)).toBe(true);
    expect(await dropOrphanBrowseSchemas(testDb.db)).toBe(1);
    expect(await schemaExists(orphan)).toBe(false);
    expect(await schemaExists(kept)).toBe(true);
    expect(await dropOrphanBrowseSchemas(testDb.db)).toBe(0);
  });

  it('exports attribute columns named like Object.prototype members as plain columns', async () => {
    const id = await storedBackup();
    await completeBackup(deps(), { backupId: id, manifest });
    // two attributes some objects have and others lack, renamed after members every JS object inherits
    const used = [...new Set(objects.flatMap((o) => o.attributes.map((a) => a.objectTypeAttributeId)))].filter((attr) =>
      objects.some((o) => !o.attributes.some((a) => a.objectTypeAttributeId === attr)),
    );
    const renamed = { constructor: used[0]!, __proto__: used[1]! };
    for (const [name, attrId] of Object.entries(renamed)) {
      await browseDb(testDb.db, id).updateTable('browse_attribute').set({ name }).where('id', '=', attrId).execute();
    }
    const csvExport = await prepareExport(
      { db: testDb.db, log },
      { siteId, actor: 'admin@storage.test', backupId: id, format: 'csv' },
    );
    let text = '';
    for await (const part of csvExport.body) text += String(part);
    const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
    const cellOf = (o: ObjectRecord, attrId: string) =>
      o.attributes
        .filter((a) => a.objectTypeAttributeId === attrId)
        .map((a) => a.objectAttributeValues.map((v) => v.displayValue).join(MULTI_VALUE_SEPARATOR))
        .join('');
    for (const [name, attrId] of Object.entries(renamed)) {
      const column = header!.indexOf(name);
      expect(column).toBeGreaterThan(3);
      expect(rows.map((r) => r[column])).toEqual(
        objects.map((o) => parseCsv(csvField(cellOf(o, attrId)))[0]?.[0] ?? ''),
      );
    }
  });

  it('a CSV export holds no formula cell, whichever separator a spreadsheet splits it on', async () => {
    const id = await storedBackup();
    await completeBackup(deps(), { backupId: id, manifest });
    // what an attacker with write access to Assets can type into a text attribute or a label
    const hostile = [
      'Printer;=2+3;',
      'Desk,=HYPERLINK("http://evil.test","x")',
      "=cmd|' /C calc'!A0",
      'quiet; +1',
      'a;"=1+1"',
      'line\n@SUM(1)',
      'tab\t-3',
      'full width \uFF1D1+1',
      ';;-@',
    ];
    const [victim, second] = objects;
    const attr = victim!.attributes[0]!.objectTypeAttributeId;
    const attributes = [
      { objectTypeAttributeId: attr, objectAttributeValues: hostile.map((v) => ({ value: v, displayValue: v })) },
    ];
    await browseDb(testDb.db, id)
      .updateTable('browse_attribute')
      .set({ name: 'Hostile attribute' })
      .where('id', '=', attr)
      .execute();
    await browseDb(testDb.db, id)
      .updateTable('browse_object')
      .set({ attributes: JSON.stringify(attributes), label: 'Label;=1+1' })
      .where('id', '=', victim!.id)
      .execute();
    await browseDb(testDb.db, id)
      .updateTable('browse_object')
      .set({ label: '@SUM(A1)' })
      .where('id', '=', second!.id)
      .execute();
    const csvExport = await prepareExport(
      { db: testDb.db, log },
      { siteId, actor: 'admin@storage.test', backupId: id, format: 'csv' },
    );
    let text = '';
    for await (const part of csvExport.body) text += String(part);
    text = text.replace(/^\uFEFF/, '');

    const formula = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
    const formulaCells = (cells: string[]) => cells.filter((c) => formula.test(c.replace(/^[ "]+/, '')));
    // English locales (comma), German/French/Dutch ones (semicolon), and the most pessimistic reading:
    // a cell may start after any separator, quote or line break, quoting ignored
    for (const separator of [',', ';']) expect(formulaCells(parseCsv(text, separator).flat())).toEqual([]);
    expect(formulaCells(text.split(/[,;\t\r\n]/))).toEqual([]);

    // read with the file's own convention, every value is there, each formula start behind a quote mark
    const [header, ...rows] = parseCsv(text);
    const row = rows.find((r) => r[0] === victim!.id)!;
    expect(row[2]).toBe("Label;'=1+1");
    expect(rows.find((r) => r[0] === second!.id)![2]).toBe("'@SUM(A1)");
    const cell = row[header!.indexOf('Hostile attribute')]!;
    expect(cell.split(' | ')).toEqual([
      "Printer;'=2+3;",
      'Desk,\'=HYPERLINK("http://evil.test","x")',
      // after the join, not at a cell start in either convention
      "=cmd|' /C calc'!A0",
      "quiet; '+1",
      'a;"\'=1+1"',
      "line\n'@SUM(1)",
      "tab\t'-3",
      'full width \uFF1D1+1',
      ";;'-@",
    ]);
    // `-` in the middle of a value, or after a space that follows a letter, is left alone
    expect(csvField('Printer - black')).toBe('Printer - black');
    expect(csvField('2-3')).toBe('2-3');
  });

  it('the search indexer builds a trigram index that search can use, and rebuilds browse tables that are missing', async () => {
    const id = await storedBackup();
    await completeBackup(deps(), { backupId: id, manifest });
    const before = await browseRows(id);
    const indexer = createSearchIndexer({ db: testDb.db, log, clock: systemClock });
    while (await indexer.runOnce()) {
      /* every completed backup of this suite */
    }
    const indexed = await testDb.db
      .selectFrom('backup')
      .select(['search_indexed_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(indexed.search_indexed_at).toBeInstanceOf(Date);
    const row = (await listBackups({ db: testDb.db }, siteId, manifest.schema.id, {})).find((b) => b.id === id);
    expect(row).toMatchObject({ browse: 'ready', search: 'indexed' });
    const plan = await withSeqScanOff(
      `select seq from ${browseSchemaName(id)}.browse_object where search_text like '%${objects[7]!.objectKey.toLowerCase()}%'`,
    );
    expect(plan).toContain('browse_object_search_trgm');

    // the state after migration 0007: a completed backup without browse tables
    await sql`drop schema ${sql.id(browseSchemaName(id))} cascade`.execute(testDb.db);
    await testDb.db
      .updateTable('backup')
      .set({ browse_built_at: null, search_indexed_at: null })
      .where('id', '=', id)
      .execute();
    await expect(listObjects({ db: testDb.db }, siteId, id, {})).rejects.toMatchObject({
      code: 'browse_pending',
      statusCode: 409,
    });
    expect(await indexer.runOnce()).toBe(true);
    expect(await browseRows(id)).toEqual(before);
    const q = objects[11]!.label;
    const found = await listObjects({ db: testDb.db }, siteId, id, { q });
    expect(found.items.map((i) => i.id)).toEqual(
      objects
        .filter((o) =>
          `${o.label} ${o.objectKey} ${o.attributes.flatMap((a) => a.objectAttributeValues.map((v) => v.displayValue)).join(' ')}`
            .toLowerCase()
            .includes(q.toLowerCase()),
        )
        .map((o) => o.id)
        .slice(0, 50),
    );
    expect(await indexer.runOnce()).toBe(false);
  });

  it('browse tables emptied by crash recovery (they are unlogged) are noticed and rebuilt from the chunks', async () => {
    const id = await storedBackup();
    await completeBackup(deps(), { backupId: id, manifest });
    const firstBuiltAt = (await builtAt(id))!;
    const before = await browseRows(id);
    const persistence = await sql<{
      relpersistence: string;
    }>`select c.relpersistence from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${browseSchemaName(id)} and c.relname = 'browse_object'`.execute(testDb.db);
    expect(persistence.rows[0]?.relpersistence).toBe('u');
    expect(await queueRebuildOfLostBrowseTables(testDb.db)).toBe(0);

    // what Postgres does to unlogged tables after a crash: every one of them is emptied
    for (const table of [
      'browse_state',
      'browse_object_type',
      'browse_attribute',
      'browse_object',
      'browse_history',
      'browse_issue_ref',
    ]) {
      await sql`truncate ${sql.id(browseSchemaName(id), table)}`.execute(testDb.db);
    }
    expect(await queueRebuildOfLostBrowseTables(testDb.db)).toBe(1);
    await expect(listObjects({ db: testDb.db }, siteId, id, {})).rejects.toMatchObject({ code: 'browse_pending' });
    const indexer = createSearchIndexer({ db: testDb.db, log, clock: systemClock });
    while (await indexer.runOnce()) {
      /* rebuilds it */
    }
    expect(await browseRows(id)).toEqual(before);
    expect((await listObjects({ db: testDb.db }, siteId, id, { limit: 500 })).items).toHaveLength(objects.length);
    // a check that saw the loss before this rebuild does not queue another one
    expect(await markBrowseTablesLost(testDb.db, id, firstBuiltAt)).toBe(false);
    expect(await builtAt(id)).not.toBeNull();

    // noticed on access too, without waiting for housekeeping
    await sql`truncate ${sql.id(browseSchemaName(id), 'browse_state')}`.execute(testDb.db);
    await expect(listObjects({ db: testDb.db }, siteId, id, {})).rejects.toMatchObject({
      code: 'browse_pending',
      statusCode: 409,
    });
    expect(await builtAt(id)).toBeNull();
  });

  async function builtAt(backupId: string): Promise<Date | null> {
    return (
      await testDb.db
        .selectFrom('backup')
        .select('browse_built_at')
        .where('id', '=', backupId)
        .executeTakeFirstOrThrow()
    ).browse_built_at;
  }

  async function withSeqScanOff(query: string): Promise<string> {
    return testDb.db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${sql.raw(query)}`.execute(trx);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  }
});
