/**
 * Shared pieces of the restore suites: clients for emulated sites, a real backup into a memory
 * chunk store, and an independent comparison of a restored schema with its backup. The comparison
 * matches by names and the checkpoints' old → new ids, reading the target from the emulator's own
 * store, so it does not reuse the engine's structure map or its verification.
 */
import {
  ENDPOINT_BUCKETS,
  createAssetsClient,
  createFetchTransport,
  createTokenBucketPacer,
  type AssetsClient,
  type RetryOptions,
} from '../src/assets-client/index.js';
import { runBackup } from '../src/backup/index.js';
import type { EmulatorSite, SeedResult } from '@assets-vault/emulator';
import { AttributeKind, type AssetObject } from '../src/model/index.js';
import type { MemoryCheckpointStore, RestoreSnapshot } from '../src/restore/index.js';
import { snapshotFromChunks } from '../src/restore/index.js';
import {
  createMemoryChunkStore,
  readSnapshot,
  type AttributeRecord,
  type HistoryEntryRecord,
  type ObjectRecord,
  type SnapshotManifest,
  type SnapshotRecord,
} from '../src/snapshot/index.js';

/** A deterministic sequence in [0, 1) (mulberry32). */
export function random(seedValue: number): () => number {
  let a = seedValue;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A client for an emulated site with pacing opened up (the emulator does not rate-limit unless told). */
export function clientFor(
  site: EmulatorSite,
  opts: { retry?: RetryOptions; ratePerMinute?: number; concurrency?: number } = {},
): AssetsClient {
  const rate = opts.ratePerMinute ?? 10_000_000;
  return createAssetsClient({
    transport: createFetchTransport({
      siteUrl: site.info.siteUrl,
      assetsApiBase: site.info.assetsApiBase,
      auth: { type: 'basic', email: site.info.email, apiToken: site.info.apiToken },
      timeoutMs: 10_000,
    }),
    pacer: createTokenBucketPacer({
      ratePerMinute: Object.fromEntries(ENDPOINT_BUCKETS.map((b) => [b, rate])),
      concurrency: opts.concurrency ?? 16,
    }),
    retry: opts.retry ?? { baseDelayMs: 20, maxDelayMs: 200 },
  });
}

export interface Backup {
  manifest: SnapshotManifest;
  snapshot: RestoreSnapshot;
  records: SnapshotRecord[];
}

/** A backup of `schemaId` made by the real backup engine, read back through the verifying reader. */
export async function backUp(site: EmulatorSite, schemaId: string): Promise<Backup> {
  const store = createMemoryChunkStore();
  const result = await runBackup({
    client: clientFor(site),
    schemaId,
    source: { cloudId: site.info.cloudId, siteUrl: site.info.siteUrl },
    options: { history: true, icons: true, issueRefs: true },
    sink: store,
    writer: { maxChunkBytes: 256 * 1024 },
  });
  if (!result.done) throw new Error('the backup did not finish');
  const records: SnapshotRecord[] = [];
  for await (const r of readSnapshot(result.manifest, store)) records.push(r);
  return { manifest: result.manifest, snapshot: snapshotFromChunks(result.manifest, store), records };
}

export const of = <K extends SnapshotRecord['kind']>(records: SnapshotRecord[], kind: K) =>
  records.filter((r): r is Extract<SnapshotRecord, { kind: K }> => r.kind === kind);

export interface MappedObject {
  targetId: string;
  targetKey: string;
  action: 'created' | 'skipped';
}

/** source id → target id/key of objects created or skipped, from the checkpoint store. */
export function idMapOf(checkpoints: MemoryCheckpointStore): Map<string, MappedObject> {
  const out = new Map<string, MappedObject>();
  for (const row of checkpoints.snapshotRows().values()) {
    const o = row.outcome;
    if (o?.targetId === undefined || (o.action !== 'created' && o.action !== 'skipped')) continue;
    out.set(row.sourceId, { targetId: o.targetId, targetKey: o.targetKey ?? '', action: o.action });
  }
  return out;
}

/** The history text the restore must write, spelled out here from the format's definition. */
export function expectedHistory(entries: HistoryEntryRecord[]): string {
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/\r\n|\r|\n/g, '\\n');
  return [...entries]
    .sort((a, b) => a.created.localeCompare(b.created) || Number(a.id) - Number(b.id))
    .map((e) => {
      const head = `${e.created} | ${esc(e.actor.displayName ?? e.actor.key ?? 'unknown')} | ${esc(e.affectedAttribute ?? '-')}`;
      return e.oldValue === undefined && e.newValue === undefined
        ? head
        : `${head} | ${esc(e.oldValue ?? '')} → ${esc(e.newValue ?? '')}`;
    })
    .join('\n');
}

export interface GraphExpectation {
  backup: Backup;
  target: EmulatorSite;
  targetSchemaId: string;
  /** old → new ids of the objects expected on the target (created or left in place) */
  idMap: Map<string, MappedObject>;
  /** the backup objects this restore handles (default: all); references to others are left empty */
  objects?: Set<string>;
  /** the objects to compare (default: `objects`) */
  check?: Set<string>;
  /** where a reference into another schema must point on the target (undefined: left empty) */
  foreign: (sourceObjectId: string) => string | undefined;
  history: boolean;
  /** objects' avatars expected on the target (same site with the option) */
  avatars: boolean;
}

/**
 * Every backup object on the target with the same type (by name), label, values in order, references
 * through the id map, statuses by name, users, groups, history text and avatar; no value the backup
 * did not have. Returns the differences found (empty = equal), so a test shows them all at once.
 */
export function graphDifferences(x: GraphExpectation): string[] {
  const diffs: string[] = [];
  const types = new Map(of(x.backup.records, 'objectType').map((t) => [t.id, t]));
  const attrs = new Map(of(x.backup.records, 'attribute').map((a) => [a.id, a]));
  const statuses = new Map(of(x.backup.records, 'statusType').map((s) => [s.id, s]));
  const histories = new Map(of(x.backup.records, 'history').map((h) => [h.objectId, h.entries]));
  const typeIds = new Set(types.keys());
  const store = x.target.store;
  const compared = x.check ?? x.objects;
  const objects = of(x.backup.records, 'object').filter((o) => compared === undefined || compared.has(o.id));
  const seenTargets = new Set<string>();
  for (const o of objects) {
    const mapped = x.idMap.get(o.id);
    if (mapped === undefined) {
      diffs.push(`${o.objectKey}: no target object`);
      continue;
    }
    if (seenTargets.has(mapped.targetId)) diffs.push(`${o.objectKey}: target ${mapped.targetId} given twice`);
    seenTargets.add(mapped.targetId);
    const t = store.renderObject(mapped.targetId);
    if (t === undefined) {
      diffs.push(`${o.objectKey}: target ${mapped.targetId} does not exist`);
      continue;
    }
    if (t.objectType.objectSchemaId !== x.targetSchemaId)
      diffs.push(`${o.objectKey}: in schema ${t.objectType.objectSchemaId}`);
    if (t.objectType.name !== types.get(o.objectTypeId)?.name)
      diffs.push(`${o.objectKey}: type ${t.objectType.name}, expected ${types.get(o.objectTypeId)?.name}`);
    if (t.label !== o.label) diffs.push(`${o.objectKey}: label "${t.label}", expected "${o.label}"`);
    diffs.push(...valueDifferences(x, o, t, { attrs, statuses, typeIds }, histories.get(o.id)));
    if (x.avatars && o.hasAvatar && (!t.hasAvatar || t.avatar.avatarUUID !== o.avatar?.avatarUUID))
      diffs.push(`${o.objectKey}: avatar not restored`);
    if (!x.avatars && t.hasAvatar && mapped.action === 'created')
      diffs.push(`${o.objectKey}: has an avatar it should not have`);
  }
  return diffs;
}

function valueDifferences(
  x: GraphExpectation,
  o: ObjectRecord,
  t: AssetObject,
  backup: { attrs: Map<string, AttributeRecord>; statuses: Map<string, { name: string }>; typeIds: Set<string> },
  history: HistoryEntryRecord[] | undefined,
): string[] {
  const { attrs, statuses, typeIds } = backup;
  const diffs: string[] = [];
  const actual = new Map<string, { kind: number; values: string[] }>();
  for (const a of t.attributes ?? []) {
    const def = a.objectTypeAttribute;
    if (def === undefined || def.system === true) continue;
    const kind = def.type ?? 0;
    actual.set(def.name, {
      kind,
      values: a.objectAttributeValues.map((v) =>
        kind === AttributeKind.Reference
          ? (v.referencedObject?.id ?? '?')
          : kind === AttributeKind.Status
            ? (v.status?.name ?? '?')
            : (v.value ?? '?'),
      ),
    });
  }
  const expected = new Map<string, string[]>();
  for (const a of o.attributes) {
    const def = attrs.get(a.objectTypeAttributeId);
    if (def === undefined || def.system === true) continue;
    const values: string[] = [];
    for (const v of a.objectAttributeValues) {
      if (def.type === AttributeKind.Reference) {
        const ref = v.referencedObject;
        if (ref === undefined) continue;
        const target = typeIds.has(ref.objectTypeId)
          ? x.objects === undefined || x.objects.has(ref.id)
            ? x.idMap.get(ref.id)?.targetId
            : undefined
          : x.foreign(ref.id);
        if (target !== undefined) values.push(target);
      } else if (def.type === AttributeKind.Status) values.push(statuses.get(v.status?.id ?? '')?.name ?? '?');
      else values.push(v.value ?? '?');
    }
    if (values.length > 0) expected.set(def.name, values);
  }
  if (x.history && history !== undefined && history.length > 0)
    expected.set('OBJECT_HISTORY', [expectedHistory(history)]);
  for (const name of new Set([...expected.keys(), ...actual.keys()])) {
    const want = expected.get(name) ?? [];
    const got = actual.get(name)?.values ?? [];
    if (JSON.stringify(want) !== JSON.stringify(got))
      diffs.push(
        `${o.objectKey}.${name}: ${JSON.stringify(got).slice(0, 200)}, expected ${JSON.stringify(want).slice(0, 200)}`,
      );
  }
  return diffs;
}

/**
 * The restored structure equals the backup's, by names: types (parent, abstract, inherited, icon,
 * sibling order), each type's own attributes in order with their definitions, statuses of the schema
 * and the schema's properties. `types` limits the check to a partial restore.
 */
export function structureDifferences(
  backup: Backup,
  target: EmulatorSite,
  targetSchemaId: string,
  opts: { types?: Set<string>; history: boolean },
): string[] {
  const diffs: string[] = [];
  const bTypes = of(backup.records, 'objectType').filter((t) => opts.types === undefined || opts.types.has(t.id));
  const bById = new Map(of(backup.records, 'objectType').map((t) => [t.id, t]));
  const tTypes = target.store.objectTypes(targetSchemaId);
  const tById = new Map(tTypes.map((t) => [t.id, t]));
  const nameOf = (id: string | number | undefined, map: Map<string, { name: string }>) =>
    id === undefined ? undefined : map.get(String(id))?.name;
  if (JSON.stringify(tTypes.map((t) => t.name).sort()) !== JSON.stringify(bTypes.map((t) => t.name).sort()))
    diffs.push(
      `types ${tTypes
        .map((t) => t.name)
        .sort()
        .join(',')}, expected ${bTypes
        .map((t) => t.name)
        .sort()
        .join(',')}`,
    );
  const statusName = new Map(of(backup.records, 'statusType').map((s) => [s.id, s.name]));
  const tStatusName = new Map(target.store.statuses(targetSchemaId).map((s) => [s.id, s.name]));
  const refTypeName = new Map(of(backup.records, 'referenceType').map((r) => [r.id ?? '', r.name]));
  const tRefTypeName = new Map(target.store.referenceTypes(targetSchemaId).map((r) => [r.id ?? '', r.name]));
  for (const b of bTypes) {
    const t = tTypes.find((x) => x.name === b.name);
    if (t === undefined) continue;
    if (nameOf(t.parentObjectTypeId, tById) !== nameOf(b.parentObjectTypeId, bById))
      diffs.push(`${b.name}: parent differs`);
    if (t.abstractObjectType !== b.abstractObjectType || t.inherited !== b.inherited)
      diffs.push(`${b.name}: flags differ`);
    if (t.icon.name !== b.icon.name) diffs.push(`${b.name}: icon ${t.icon.name}, expected ${b.icon.name}`);
    const bSiblings = bTypes
      .filter((s) => s.parentObjectTypeId === b.parentObjectTypeId)
      .sort((p, q) => p.position - q.position)
      .map((s) => s.name);
    const tSiblings = tTypes
      .filter((s) => String(s.parentObjectTypeId) === String(t.parentObjectTypeId))
      .sort((p, q) => p.position - q.position)
      .map((s) => s.name);
    if (JSON.stringify(bSiblings) !== JSON.stringify(tSiblings))
      diffs.push(`${b.name}: sibling order ${tSiblings.join(',')}`);
    // a reference attribute pointing at a type outside a partial restore is not created
    const outside = (a: AttributeRecord) =>
      a.type === AttributeKind.Reference &&
      bById.has(a.typeValue ?? '') &&
      opts.types !== undefined &&
      !opts.types.has(a.typeValue ?? '');
    const bAttrs = of(backup.records, 'attribute')
      .filter((a) => a.objectTypeId === b.id && a.system !== true && !outside(a))
      .sort((p, q) => p.position - q.position);
    const tAttrs = target.store
      .attributes(t.id)
      .filter((a) => a.objectType?.id === t.id && a.system !== true && a.name !== 'OBJECT_HISTORY');
    if (JSON.stringify(tAttrs.map((a) => a.name)) !== JSON.stringify(bAttrs.map((a) => a.name)))
      diffs.push(
        `${b.name}: attributes ${tAttrs.map((a) => a.name).join(',')}, expected ${bAttrs.map((a) => a.name).join(',')}`,
      );
    for (const ba of bAttrs) {
      const ta = tAttrs.find((a) => a.name === ba.name);
      if (ta === undefined) continue;
      const def = (a: {
        type?: number;
        defaultType?: { id: number };
        label: boolean;
        description?: string;
        minimumCardinality?: number;
        maximumCardinality?: number;
        uniqueAttribute?: boolean;
        options?: string;
        suffix?: string;
        includeChildObjectTypes?: boolean;
        hidden?: boolean;
        qlQuery?: string;
        additionalValue?: string;
      }) => ({
        type: a.type ?? 0,
        defaultType: a.defaultType?.id,
        label: a.label,
        description: a.description,
        min: a.minimumCardinality,
        max: a.maximumCardinality,
        unique: a.uniqueAttribute,
        options: a.options || undefined,
        suffix: a.suffix,
        children: a.includeChildObjectTypes,
        hidden: a.hidden,
        // a filter embeds ids: the tests compare it after mapping
        ql: a.qlQuery === undefined ? undefined : 'set',
      });
      const want = {
        ...def(ba),
        typeValue: ba.typeValue === undefined ? undefined : (nameOf(ba.typeValue, bById) ?? 'foreign'),
        additionalValue:
          ba.type === AttributeKind.Reference ? refTypeName.get(ba.additionalValue ?? '') : ba.additionalValue,
        statuses: ba.typeValueMulti?.map((s) => (ba.type === AttributeKind.Status ? statusName.get(s) : s)),
      };
      const got = {
        ...def(ta),
        typeValue:
          ta.typeValue === undefined
            ? undefined
            : (nameOf(ta.typeValue, tById) ?? (bById.has(ba.typeValue ?? '') ? '?' : 'foreign')),
        additionalValue:
          ta.type === AttributeKind.Reference ? tRefTypeName.get(ta.additionalValue ?? '') : ta.additionalValue,
        statuses: ta.typeValueMulti?.map((s) => (ta.type === AttributeKind.Status ? tStatusName.get(s) : s)),
      };
      if (JSON.stringify(want) !== JSON.stringify(got))
        diffs.push(`${b.name}.${ba.name}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
    }
    if (opts.history) {
      const own = target.store.attributes(t.id).filter((a) => a.name === 'OBJECT_HISTORY');
      if (own.length !== (b.abstractObjectType && !b.inherited ? 0 : 1))
        diffs.push(`${b.name}: ${own.length} OBJECT_HISTORY attributes`);
    }
  }
  const backupSchemaStatuses = of(backup.records, 'statusType').filter((s) => s.objectSchemaId !== undefined);
  for (const s of backupSchemaStatuses) {
    const t = target.store
      .statuses(targetSchemaId)
      .find((x) => x.name === s.name && x.objectSchemaId === targetSchemaId);
    if (t === undefined || t.category !== s.category || t.description !== s.description)
      diffs.push(`status ${s.name} differs`);
  }
  const config = of(backup.records, 'schemaConfig')[0];
  const tConfig = target.data.schema(Number(targetSchemaId))?.config;
  if (config?.allowOtherObjectSchema !== undefined && tConfig?.allowOtherObjectSchema !== config.allowOtherObjectSchema)
    diffs.push('allowOtherObjectSchema not copied');
  return diffs;
}

/**
 * Adds what the generated fixture lacks, through the emulator store's own validated methods: a type
 * with an icon only this site has, a deeper inherited tree (Hardware → abstract "Mobile device" → "Tablet"), a child type without inheritance
 * ("Room" under Location) with a required reference filtered by AQL, a multi-valued Select whose
 * values are not in option order, a multi-line change in a history, and self-references.
 */
export function enrichFixture(site: EmulatorSite, seed: SeedResult): void {
  const store = site.data;
  const actor = site.actorAccountId;
  const schemaId = seed.schemaId;
  const typeId = (name: string) => seed.objectTypeIds[name] ?? '';
  const attr = (key: string) => seed.attributeIds[key] ?? '';
  const icon = (name: string) => String(store.iconList().find((i) => i.name === name)?.id ?? 1);
  const refType = (name: string) =>
    String(store.refTypeList(undefined, false).find((r) => r.name === name && r.schemaId === undefined)?.id);
  const status = (name: string) => String(store.statusList(Number(schemaId)).find((s) => s.name === name)?.id);
  const mobile = store.createType({
    name: 'Mobile device',
    objectSchemaId: schemaId,
    iconId: icon('Phone'),
    parentObjectTypeId: typeId('Hardware'),
    inherited: true,
    abstractObjectType: true,
  });
  const battery = store.createAttribute(String(mobile.id), { name: 'Battery cycles', type: 0, defaultTypeId: 1 });
  // an icon uploaded on this site only (through the UI; the public API has no upload)
  const customIcon = store.addIcon({ name: 'Custom tablet' }).id;
  const tablet = store.createType({
    name: 'Tablet',
    objectSchemaId: schemaId,
    iconId: String(customIcon),
    parentObjectTypeId: String(mobile.id),
  });
  const accessories = store.createAttribute(String(tablet.id), {
    name: 'Accessories',
    type: 0,
    defaultTypeId: 10,
    options: 'Pen,Keyboard,Case,Charger',
    maximumCardinality: 3,
    description: 'Several values, kept in their order',
  });
  const room = store.createType({
    name: 'Room',
    objectSchemaId: schemaId,
    iconId: icon('Room'),
    parentObjectTypeId: typeId('Location'),
  });
  const building = store.createAttribute(String(room.id), {
    name: 'Building',
    type: 1,
    typeValue: typeId('Location'),
    additionalValue: refType('Location'),
    minimumCardinality: 1,
    qlQuery: `objectTypeId = ${typeId('Location')}`,
  });
  const roomName = store.view(room.id).attrs.find((a) => a.typeId === room.id && a.label);
  const locations = [...store.idsOfType(Number(typeId('Location')))];
  const values = (list: [string, string[]][]) =>
    list.map(([id, vals]) => ({ objectTypeAttributeId: id, objectAttributeValues: vals.map((value) => ({ value })) }));
  for (let i = 0; i < 6; i++) {
    const o = store.createObject(
      {
        objectTypeId: String(tablet.id),
        attributes: values([
          [attr('Hardware.Name'), [`TAB-${i + 1}`]],
          [attr('Hardware.Serial Number'), [`SN-TAB-${i + 1}`]],
          [attr('Hardware.Status'), [status(i % 2 === 0 ? 'Active' : 'Closed')]],
          [String(accessories.id), i % 2 === 0 ? ['Case', 'Pen'] : ['Charger', 'Keyboard', 'Case']],
          [String(battery.id), [String(100 + i)]],
        ]),
      },
      actor,
    );
    store.updateObject(
      String(o.id),
      {
        objectTypeId: String(tablet.id),
        attributes: values([[attr('Hardware.Notes'), [`line one\nline two "quoted" \\ back`]]]),
      },
      actor,
    );
  }
  for (let i = 0; i < 4; i++) {
    store.createObject(
      {
        objectTypeId: String(room.id),
        attributes: values([
          [String(roomName?.id), [`Room ${i + 1}`]],
          [String(building.id), [String(locations[i % locations.length])]],
        ]),
      },
      actor,
    );
  }
  // self-references: a location that is its own parent, software that depends on itself
  const selfLocation = store.object(locations[3] ?? -1);
  if (selfLocation)
    store.setValuesUnchecked(selfLocation, Number(attr('Location.Parent location')), [String(selfLocation.id)]);
  const software = [...store.idsOfType(Number(typeId('Software')))].slice(0, 2);
  for (const id of software) {
    const o = store.object(id);
    const depends = Number(attr('Software.Depends on'));
    if (o) store.setValuesUnchecked(o, depends, [String(id), ...(o.values.get(depends) ?? [])]);
  }
}

/**
 * After interruptions or faults: the target schema holds exactly the backup's objects, each source
 * object mapped to its own target object, and the graph equals the backup (same site, all options).
 */
export function exactlyOnceDifferences(
  backup: Backup,
  site: EmulatorSite,
  targetSchemaId: string,
  checkpoints: MemoryCheckpointStore,
): string[] {
  const objects = of(backup.records, 'object').length;
  const idMap = idMapOf(checkpoints);
  const diffs: string[] = [];
  if (site.store.objectCount(targetSchemaId) !== objects)
    diffs.push(`${site.store.objectCount(targetSchemaId)} objects in the target schema, ${objects} expected`);
  if (idMap.size !== objects) diffs.push(`${idMap.size} objects mapped, ${objects} expected`);
  if (new Set([...idMap.values()].map((m) => m.targetId)).size !== idMap.size)
    diffs.push('a target object is mapped twice');
  return [
    ...diffs,
    ...graphDifferences({
      backup,
      target: site,
      targetSchemaId,
      idMap,
      foreign: (id) => id,
      history: true,
      avatars: true,
    }),
  ];
}
