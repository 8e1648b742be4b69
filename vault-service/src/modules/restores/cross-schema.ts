/**
 * References into other schemas. When the user picks a schema of the target (`crossSchemaMatch`), they
 * point at the objects of the same key or label there. Otherwise, when a restore goes to another site,
 * they follow the schemas restored there earlier from the same source site (their id maps, newest
 * restore first), so restoring the HR schema and then the inventory that references it links the two
 * again. Without either they are left empty and logged (the engine's default); on the source site itself
 * they stay on their objects.
 */
import type { AssetsClient } from '@assets-vault/shared/assets-client';
import { idMapResolver, matchingResolver, type CrossSchemaReferences } from '@assets-vault/shared/restore';
import type { Executor } from '../../db/types.js';
import { listEarlierRestoreMaps, targetIdsIn } from './repository.js';

const BATCH = 1_000;

const sameSite = (a: string, b: string) => a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();

/** How the restore links references into other schemas; undefined for the engine's default. */
export async function crossSchemaReferences(
  db: Executor,
  siteId: string,
  input: {
    sourceSiteUrl: string;
    targetSiteUrl: string;
    restoreId?: string;
    /** the user's pick, and the client of the run that searches the target for it */
    match?: { schemaId: string; by: 'key' | 'label'; client: AssetsClient };
  },
): Promise<CrossSchemaReferences | undefined> {
  if (input.match)
    return {
      mode: 'resolver',
      resolver: matchingResolver(input.match.client, { schemaId: input.match.schemaId, by: input.match.by }),
    };
  if (sameSite(input.sourceSiteUrl, input.targetSiteUrl)) return undefined;
  const earlier = await listEarlierRestoreMaps(db, siteId, {
    targetSiteUrl: input.targetSiteUrl,
    sourceSiteUrl: input.sourceSiteUrl,
    ...(input.restoreId === undefined ? {} : { exclude: input.restoreId }),
  });
  if (earlier.length === 0) return undefined;
  // newest first: a type restored twice maps to its latest copy
  const objectTypes: Record<string, string> = {};
  for (const r of [...earlier].reverse()) Object.assign(objectTypes, r.objectTypes);
  const ids = earlier.map((r) => r.id);
  return {
    mode: 'resolver',
    resolver: idMapResolver({
      objectTypes,
      async objects(sourceIds) {
        const out = new Map<string, string>();
        for (let i = 0; i < sourceIds.length; i += BATCH)
          for (const [k, v] of await targetIdsIn(db, ids, sourceIds.slice(i, i + BATCH))) out.set(k, v);
        return out;
      },
    }),
  };
}
