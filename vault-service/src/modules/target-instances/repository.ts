/** `target_instance` rows of one site. The API token is not here (credentials store, service.ts). */
import type { Selectable } from 'kysely';
import type { TargetInstanceTable } from '../../db/tables/target-instance.js';
import type { Executor } from '../../db/types.js';

export interface TargetInstance {
  id: string;
  name: string;
  url: string;
  email: string;
  assetsApiBaseUrl: string | null;
  workspaceId: string;
  createdBy: string;
  createdAt: Date;
  lastCheckedAt: Date | null;
}

const columns = [
  'id',
  'name',
  'url',
  'email',
  'assets_api_base_url',
  'workspace_id',
  'created_by',
  'created_at',
  'last_checked_at',
] as const;

type Row = Pick<Selectable<TargetInstanceTable>, (typeof columns)[number]>;

const toTargetInstance = (r: Row): TargetInstance => ({
  id: r.id,
  name: r.name,
  url: r.url,
  email: r.email,
  assetsApiBaseUrl: r.assets_api_base_url,
  workspaceId: r.workspace_id,
  createdBy: r.created_by,
  createdAt: r.created_at,
  lastCheckedAt: r.last_checked_at,
});

// A malformed id cannot exist; answering "not found" keeps Postgres from raising a cast error.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The one row `query` reads or deletes by a target's id, undefined for an id that is no UUID. */
async function byId(id: string, query: () => Promise<Row | undefined>): Promise<TargetInstance | undefined> {
  if (!UUID.test(id)) return undefined;
  const row = await query();
  return row && toTargetInstance(row);
}

export async function listTargetInstanceRows(db: Executor, siteId: string): Promise<TargetInstance[]> {
  const rows = await db
    .selectFrom('target_instance')
    .select(columns)
    .where('site_id', '=', siteId)
    .orderBy('name')
    .orderBy('id')
    .execute();
  return rows.map(toTargetInstance);
}

export function findTargetInstance(db: Executor, siteId: string, id: string): Promise<TargetInstance | undefined> {
  return byId(id, () =>
    db
      .selectFrom('target_instance')
      .select(columns)
      .where('site_id', '=', siteId)
      .where('id', '=', id)
      .executeTakeFirst(),
  );
}

/** Whether the site already has a target of that name (case-insensitive, like the unique index). */
export async function targetNameTaken(db: Executor, siteId: string, name: string): Promise<boolean> {
  const row = await db
    .selectFrom('target_instance')
    .select('id')
    .where('site_id', '=', siteId)
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
    .executeTakeFirst();
  return row !== undefined;
}

/** The new row, or undefined when the name was taken meanwhile (unique index, no error raised). */
export async function insertTargetInstance(
  db: Executor,
  siteId: string,
  input: Pick<TargetInstance, 'name' | 'url' | 'email' | 'assetsApiBaseUrl' | 'workspaceId' | 'createdBy'> & {
    checkedAt: Date;
  },
): Promise<TargetInstance | undefined> {
  const row = await db
    .insertInto('target_instance')
    .values({
      site_id: siteId,
      name: input.name,
      url: input.url,
      email: input.email,
      assets_api_base_url: input.assetsApiBaseUrl,
      workspace_id: input.workspaceId,
      created_by: input.createdBy,
      last_checked_at: input.checkedAt,
    })
    .onConflict((oc) => oc.doNothing())
    .returning(columns)
    .executeTakeFirst();
  return row && toTargetInstance(row);
}

export function deleteTargetInstanceRow(db: Executor, siteId: string, id: string): Promise<TargetInstance | undefined> {
  return byId(id, () =>
    db
      .deleteFrom('target_instance')
      .where('site_id', '=', siteId)
      .where('id', '=', id)
      .returning(columns)
      .executeTakeFirst(),
  );
}

export async function markTargetChecked(db: Executor, siteId: string, id: string, at: Date): Promise<void> {
  await db
    .updateTable('target_instance')
    .set({ last_checked_at: at })
    .where('site_id', '=', siteId)
    .where('id', '=', id)
    .execute();
}
