import type { Executor } from '../../db/types.js';

export interface SyncedSchema {
  id: string;
  siteId: string;
  schemaId: string;
  name: string;
  key: string;
  objectCount: number;
  isSynced: boolean;
  updatedAt: Date;
}

const columns = ['id', 'site_id', 'schema_id', 'name', 'key', 'object_count', 'is_synced', 'updated_at'] as const;

function toSyncedSchema(r: {
  id: string;
  site_id: string;
  schema_id: string;
  name: string;
  key: string;
  object_count: number;
  is_synced: boolean;
  updated_at: Date;
}): SyncedSchema {
  return {
    id: r.id,
    siteId: r.site_id,
    schemaId: r.schema_id,
    name: r.name,
    key: r.key,
    objectCount: r.object_count,
    isSynced: r.is_synced,
    updatedAt: r.updated_at,
  };
}

/**
 * Inserts or updates a site's schema. `at` is when the change happened at the source: an update
 * older than the stored one (a delayed retry) is ignored, so the latest choice of the admin wins.
 * Returns the stored row when it changed, undefined when the update was stale.
 */
export async function upsertSyncedSchema(
  db: Executor,
  siteId: string,
  schema: { schemaId: string; name: string; key: string; objectCount: number; isSynced: boolean },
  at: Date,
): Promise<SyncedSchema | undefined> {
  const row = await db
    .insertInto('synced_schema')
    .values({
      site_id: siteId,
      schema_id: schema.schemaId,
      name: schema.name,
      key: schema.key,
      object_count: schema.objectCount,
      is_synced: schema.isSynced,
      updated_at: at,
    })
    .onConflict((oc) =>
      oc
        .columns(['site_id', 'schema_id'])
        .doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          key: eb.ref('excluded.key'),
          object_count: eb.ref('excluded.object_count'),
          is_synced: eb.ref('excluded.is_synced'),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .where('synced_schema.updated_at', '<=', at),
    )
    .returning(columns)
    .executeTakeFirst();
  return row && toSyncedSchema(row);
}

export async function listSyncedSchemas(
  db: Executor,
  siteId: string,
  options: { onlySynced?: boolean } = {},
): Promise<SyncedSchema[]> {
  let query = db.selectFrom('synced_schema').select(columns).where('site_id', '=', siteId);
  if (options.onlySynced) query = query.where('is_synced', '=', true);
  const rows = await query.orderBy('name').orderBy('schema_id').execute();
  return rows.map(toSyncedSchema);
}

export async function findSyncedSchema(
  db: Executor,
  siteId: string,
  schemaId: string,
): Promise<SyncedSchema | undefined> {
  const row = await db
    .selectFrom('synced_schema')
    .select(columns)
    .where('site_id', '=', siteId)
    .where('schema_id', '=', schemaId)
    .executeTakeFirst();
  return row && toSyncedSchema(row);
}
