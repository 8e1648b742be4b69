/**
 * Shared set-up of the vault benchmarks: a fresh database on the machine's Postgres (dropped at the
 * end), a site with a backup row, and a generated snapshot (SnapshotWriter, not the emulator) whose
 * chunks go straight into `backup_chunk`. Benchmarks print figures; they never pass or fail.
 */
import { randomUUID } from 'node:crypto';
import { SnapshotWriter, type SnapshotManifest, type SnapshotRecord } from '@assets-vault/shared/snapshot';
import type { Kysely } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { systemClock } from '../src/clock.js';
import { createKysely } from '../src/db/index.js';
import { migrateToLatest } from '../src/db/migrate.js';
import type { DB } from '../src/db/types.js';
import { completeBackup } from '../src/modules/ingest/service.js';

export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const CLOUD_ID = 'cloud-bench';

export interface BenchDb {
  db: Kysely<DB>;
  url: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(): Promise<BenchDb> {
  const name = `vault_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const db = createKysely(url.toString());
  await migrateToLatest(db);
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.destroy();
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** A site, a trusted user and an open (uploading) backup row. */
export async function seedBackup(db: Kysely<DB>): Promise<{ siteId: string; userId: string; backupId: string }> {
  const site = await db
    .insertInto('site')
    .values({ cloud_id: CLOUD_ID, site_url: 'https://bench.atlassian.net', installation_state: 'connected' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const user = await db
    .insertInto('trusted_user')
    .values({
      site_id: site.id,
      email: 'bench@example.test',
      status: 'active',
      invited_by_account_id: 'x',
      invited_by_name: 'X',
      invited_at: new Date(),
      activated_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const backup = await db
    .insertInto('backup')
    .values({
      site_id: site.id,
      schema_id: '1',
      schema_name: 'Bench',
      schema_key: 'BEN',
      kind: 'manual',
      options: JSON.stringify({ history: false, icons: false, issueRefs: false }),
      started_at: new Date().toISOString(),
      opened_by_webhook_id: `bench_${randomUUID()}`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { siteId: site.id, userId: user.id, backupId: backup.id };
}

const TYPES = 20;
const WORDS = [
  'alpha',
  'bravo',
  'charlie',
  'delta',
  'echo',
  'foxtrot',
  'golf',
  'hotel',
  'india',
  'juliet',
  'kilo',
  'lima',
  'mike',
  'november',
  'oscar',
  'papa',
];
const ts = '2026-11-01T10:00:00.000Z';

/** Deterministic records of a schema with `objects` objects over 20 types, 5 attributes each (one a reference). */
export function* generateRecords(objects: number): Generator<SnapshotRecord> {
  yield {
    kind: 'schema',
    id: '1',
    name: 'Bench',
    objectSchemaKey: 'BEN',
    status: 'Ok',
    created: ts,
    updated: ts,
    objectCount: objects,
    objectTypeCount: TYPES,
  } as SnapshotRecord;
  for (let t = 1; t <= TYPES; t++) {
    yield {
      kind: 'objectType',
      id: String(t),
      name: `Type ${t}`,
      icon: { id: '1', name: 'Box' },
      position: t,
      created: ts,
      updated: ts,
      objectCount: Math.floor(objects / TYPES),
      ...(t > 4 ? { parentObjectTypeId: String(((t - 1) % 4) + 1) } : {}),
      inherited: false,
      abstractObjectType: false,
      parentObjectTypeInherited: false,
    };
  }
  const attr = (t: number, i: number) => String(t * 10 + i);
  for (let t = 1; t <= TYPES; t++) {
    const names = ['Name', 'Serial', 'Owner', 'Location', 'Depends on'];
    for (let i = 0; i < names.length; i++) {
      yield {
        kind: 'attribute',
        id: attr(t, i),
        objectTypeId: String(t),
        name: names[i]!,
        label: i === 0,
        type: i === 4 ? 1 : 0,
        ...(i === 4
          ? { referenceType: { name: 'Depends on' }, referenceObjectTypeId: String(t) }
          : { defaultType: { id: 0, name: 'Text' } }),
        indexed: true,
        position: i,
      };
    }
  }
  for (let n = 1; n <= objects; n++) {
    const t = ((n - 1) % TYPES) + 1;
    const label = `${WORDS[n % WORDS.length]}-${WORDS[(n >> 4) % WORDS.length]} ${n}`;
    const ref = n > 1 ? n - 1 : n;
    yield {
      kind: 'object',
      id: String(n),
      objectKey: `BEN-${n}`,
      label,
      objectTypeId: String(t),
      created: ts,
      updated: ts,
      timestamp: 1_790_000_000_000,
      hasAvatar: false,
      attributes: [
        { objectTypeAttributeId: attr(t, 0), objectAttributeValues: [{ value: label, displayValue: label }] },
        {
          objectTypeAttributeId: attr(t, 1),
          objectAttributeValues: [
            { value: `SN${(n * 7919) % 1_000_003}`, displayValue: `SN${(n * 7919) % 1_000_003}` },
          ],
        },
        {
          objectTypeAttributeId: attr(t, 2),
          objectAttributeValues: [{ value: `user${n % 500}`, displayValue: `User ${n % 500}` }],
        },
        {
          objectTypeAttributeId: attr(t, 3),
          objectAttributeValues: [{ value: `Room ${n % 997}`, displayValue: `Room ${n % 997}` }],
        },
        {
          objectTypeAttributeId: attr(t, 4),
          objectAttributeValues: [
            {
              displayValue: `BEN-${ref}`,
              referencedType: true,
              referencedObject: {
                id: String(ref),
                objectKey: `BEN-${ref}`,
                label: `ref ${ref}`,
                objectTypeId: String(t),
              },
            },
          ],
        },
      ],
    };
  }
}

/** Writes a generated snapshot's chunks into `backup_chunk` of the backup; returns its manifest. */
export async function writeSnapshot(db: Kysely<DB>, backupId: string, objects: number): Promise<SnapshotManifest> {
  const writer = SnapshotWriter.create(
    {
      source: { cloudId: CLOUD_ID, siteUrl: 'https://bench.atlassian.net', workspaceId: 'ws-bench' },
      schema: { id: '1', name: 'Bench', key: 'BEN' },
      options: { history: false, icons: false, issueRefs: false },
    },
    {
      sink: {
        putChunk: async (c) => {
          await db
            .insertInto('backup_chunk')
            .values({
              backup_id: backupId,
              seq: c.seq,
              sha256: c.sha256,
              size_bytes: c.bytes.length,
              bytes: Buffer.from(c.bytes),
            })
            .execute();
        },
      },
      gzipLevel: 1,
    },
  );
  for (const r of generateRecords(objects)) await writer.write(r);
  return writer.finish();
}

/** Samples RSS every 25 ms; `stop()` returns the peak in MB. */
export function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 25);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      return Math.round(peak / 1024 / 1024);
    },
  };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** Completes a bench backup through the real ingest path (verify every chunk, materialise the browse rows). */
export async function completeBenchBackup(db: Kysely<DB>, backupId: string, manifest: SnapshotManifest): Promise<void> {
  await completeBackup(
    {
      db,
      log: pino({ level: 'warn' }),
      clock: systemClock,
      config: { allowInsecureSiteUrls: false, allowedSiteHosts: [] },
    },
    { backupId, manifest },
  );
}
