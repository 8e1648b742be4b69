/**
 * Re-linking references into other schemas (the seed product lists this as "coming soon"). Three
 * resolvers: the same site keeps references whose object still exists; `idMapResolver` follows the
 * id map of a schema restored earlier on the target; `matchingResolver` matches objects of a schema
 * the user picks by key or by label. What none of them can re-link is left empty and logged.
 */
import { AssetsNotFoundError, type AssetsClient } from '../assets-client/index.js';
import type { AssetObject } from '../model/index.js';
import type { CrossSchemaResolver, ForeignObjectRef } from './types.js';

const BATCH = 100;

/** A double-quoted AQL string. */
export const aqlString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

async function* batches<T>(items: readonly T[], size = BATCH): AsyncGenerator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** Target objects matching an AQL query, without attributes. */
async function search(client: AssetsClient, ql: string, signal: AbortSignal | undefined): Promise<AssetObject[]> {
  const out: AssetObject[] = [];
  for await (const o of client.aqlObjects(ql, {
    includeAttributes: false,
    pageSize: BATCH,
    ...(signal ? { signal } : {}),
  }))
    out.push(o);
  return out;
}

/** Same site: a reference stays when its object (and its type) still exist. */
export function sameSiteResolver(client: AssetsClient): CrossSchemaResolver {
  return {
    async objects(refs, { signal }) {
      const out = new Map<string, string>();
      for await (const batch of batches(refs)) {
        const found = await search(client, `objectId IN (${batch.map((r) => r.id).join(', ')})`, signal);
        for (const o of found) out.set(o.id, o.id);
      }
      return out;
    },
    async objectType(id, { signal }) {
      try {
        return (await client.getObjectType(id, signal ? { signal } : {})).id;
      } catch (err) {
        if (err instanceof AssetsNotFoundError) return undefined;
        throw err;
      }
    },
  };
}

/**
 * The id map of another schema restored earlier on the same target (the vault builds it from that
 * restore's checkpoints): object types and objects by their source ids.
 */
export function idMapResolver(map: {
  objectTypes: Record<string, string>;
  objects: (sourceIds: string[]) => Promise<Map<string, string>> | Map<string, string>;
}): CrossSchemaResolver {
  return {
    async objects(refs) {
      return await map.objects(refs.map((r) => r.id));
    },
    async objectType(id) {
      return map.objectTypes[id];
    },
  };
}

export interface MatchingResolverOptions {
  /** the target schema the user picked */
  schemaId: string;
  /** `key`: same object key; `label`: same label (and type name, when known) */
  by: 'key' | 'label';
  /** names of the foreign source types, when the caller knows them (e.g. from that schema's backup) */
  objectTypeNames?: Record<string, string>;
}

/**
 * Matches foreign objects in a schema of the target by key or by label. An object type is the type
 * of the given name there, or else the type most matched objects of that source type landed in.
 * A label that several objects share is ambiguous and not re-linked.
 */
export function matchingResolver(client: AssetsClient, opts: MatchingResolverOptions): CrossSchemaResolver {
  const landed = new Map<string, Map<string, number>>();
  let typesByName: Map<string, string> | undefined;
  const typeIdByName = async (signal: AbortSignal | undefined) => {
    if (typesByName === undefined) {
      const types = await client.listObjectTypes(opts.schemaId, signal ? { signal } : {});
      typesByName = new Map(types.map((t) => [t.name.toLocaleLowerCase('en-US'), t.id]));
    }
    return typesByName;
  };
  const note = (ref: ForeignObjectRef, o: AssetObject) => {
    const counts = landed.get(ref.objectTypeId) ?? new Map<string, number>();
    counts.set(o.objectType.id, (counts.get(o.objectType.id) ?? 0) + 1);
    landed.set(ref.objectTypeId, counts);
  };
  return {
    async objects(refs, { signal }) {
      const out = new Map<string, string>();
      const names = await typeIdByName(signal);
      if (opts.by === 'key') {
        for await (const batch of batches(refs)) {
          const found = await search(
            client,
            `objectSchemaId = ${opts.schemaId} AND Key IN (${batch.map((r) => aqlString(r.objectKey)).join(', ')})`,
            signal,
          );
          const byKey = new Map(found.map((o) => [o.objectKey, o]));
          for (const r of batch) {
            const o = byKey.get(r.objectKey);
            if (o === undefined) continue;
            out.set(r.id, o.id);
            note(r, o);
          }
        }
        return out;
      }
      const labelAttributes = new Set(
        (await client.listSchemaAttributes(opts.schemaId, signal ? { signal } : {}))
          .filter((a) => a.label)
          .map((a) => a.name),
      );
      for await (const batch of batches(refs)) {
        const labels = [...new Set(batch.map((r) => r.label))].map(aqlString).join(', ');
        const clauses = [...labelAttributes].map((name) => `${aqlString(name)} IN (${labels})`);
        if (clauses.length === 0) break;
        const found = await search(client, `objectSchemaId = ${opts.schemaId} AND (${clauses.join(' OR ')})`, signal);
        for (const r of batch) {
          const wantedType = opts.objectTypeNames?.[r.objectTypeId];
          const wantedTypeId = wantedType === undefined ? undefined : names.get(wantedType.toLocaleLowerCase('en-US'));
          const hits = found.filter(
            (o) => o.label === r.label && (wantedTypeId === undefined || o.objectType.id === wantedTypeId),
          );
          const hit = hits[0];
          if (hits.length !== 1 || hit === undefined) continue;
          out.set(r.id, hit.id);
          note(r, hit);
        }
      }
      return out;
    },
    async objectType(sourceTypeId, { signal }) {
      const name = opts.objectTypeNames?.[sourceTypeId];
      if (name !== undefined) return (await typeIdByName(signal)).get(name.toLocaleLowerCase('en-US'));
      const counts = [...(landed.get(sourceTypeId) ?? new Map<string, number>())].sort((a, b) => b[1] - a[1]);
      return counts[0]?.[0];
    },
  };
}
