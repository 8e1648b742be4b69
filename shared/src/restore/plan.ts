/**
 * `planRestore`: everything that can be known before the first write, answered synchronously at
 * POST time so a bad request gets a 4xx instead of a job that fails later: destination rules and
 * availability (checked live on the target), the type closure of a partial restore, attribute kinds
 * the public API cannot write, the history attribute name, and the target's object allowance.
 */
import {
  AssetsApiError,
  AssetsNotFoundError,
  AssetsTransportError,
  NoWorkspaceError,
  type AssetsClient,
} from '../assets-client/index.js';
import { AttributeKind, WRITABLE_ATTRIBUTE_KINDS, type ObjectSchema } from '../model/index.js';
import { ancestors, descendants, effectiveAttributes, readStructure, type SnapshotStructure } from './analysis.js';
import { RestorePlanError } from './errors.js';
import { HISTORY_ATTRIBUTE_NAME } from './values.js';
import { schemaInputProblems } from './schema-rules.js';
import type {
  CrossSchemaReferences,
  PlannedObjectType,
  PlannedTypeRole,
  PlanRestoreInput,
  RestoreDestination,
  RestorePlan,
} from './types.js';

/** A system schema (JSM's Services) is backed up for the record only: Assets manages it itself. */
export function checkSourceSchema(structure: SnapshotStructure): void {
  if (structure.schema.canManage === false)
    throw new RestorePlanError(
      'source_schema_not_restorable',
      `"${structure.schema.name}" is a system schema managed by Jira Service Management; it cannot be restored`,
    );
}

/** Types of a (partial) restore and why each is there, parents first. */
export function typeScope(
  structure: SnapshotStructure,
  objectTypeIds: string[] | undefined,
): Map<string, PlannedTypeRole> {
  const roles = new Map<string, PlannedTypeRole>();
  if (objectTypeIds === undefined) {
    for (const t of structure.types) roles.set(t.id, 'selected');
    return roles;
  }
  if (objectTypeIds.length === 0)
    throw new RestorePlanError('unknown_object_types', 'Choose at least one object type, or none to restore them all');
  const unknown = objectTypeIds.filter((id) => !structure.typeById.has(id));
  if (unknown.length > 0)
    throw new RestorePlanError(
      'unknown_object_types',
      `The backup has no object types with the ids ${unknown.join(', ')}`,
      {
        details: { objectTypeIds: unknown },
      },
    );
  for (const id of objectTypeIds) roles.set(id, 'selected');
  // the types a selected type's reference attributes point at, so no reference of a selected object is lost
  for (const id of objectTypeIds) {
    for (const a of effectiveAttributes(structure, id)) {
      const target = a.type === AttributeKind.Reference ? (a.typeValue ?? a.referenceObjectTypeId) : undefined;
      if (target === undefined || !structure.typeById.has(target)) continue;
      for (const t of [target, ...(a.includeChildObjectTypes === true ? descendants(structure, target) : [])])
        if (!roles.has(t)) roles.set(t, 'referenced');
    }
  }
  addParents(structure, roles);
  return orderedRoles(structure, roles);
}

/** Adds the parents of every type in `roles` (role `parent`). */
export function addParents(structure: SnapshotStructure, roles: Map<string, PlannedTypeRole>): void {
  for (const id of [...roles.keys()])
    for (const p of ancestors(structure, id)) if (!roles.has(p.id)) roles.set(p.id, 'parent');
}

/** The same map in the backup's type order (parents before children). */
export function orderedRoles(
  structure: SnapshotStructure,
  roles: Map<string, PlannedTypeRole>,
): Map<string, PlannedTypeRole> {
  const out = new Map<string, PlannedTypeRole>();
  for (const t of structure.types) {
    const role = roles.get(t.id);
    if (role !== undefined) out.set(t.id, role);
  }
  return out;
}

/** Name and key rules of a new schema (no network). */
export function checkNewSchemaInput(destination: Extract<RestoreDestination, { kind: 'new-schema' }>): void {
  const problems = schemaInputProblems(destination.name, destination.key);
  if (problems.name) throw new RestorePlanError('invalid_schema_name', problems.name);
  if (problems.key) throw new RestorePlanError('invalid_schema_key', problems.key);
}

/** Turns a failure of the target into the plan error the vault answers with. */
export function targetError(err: unknown): unknown {
  if (err instanceof RestorePlanError) return err;
  if (err instanceof AssetsApiError && (err.status === 401 || err.status === 403))
    return new RestorePlanError('target_unauthorized', `The target site refused the credentials (${err.status})`, {
      cause: err,
    });
  if (
    err instanceof AssetsTransportError ||
    err instanceof NoWorkspaceError ||
    (err instanceof AssetsApiError && err.status >= 500)
  )
    return new RestorePlanError(
      'target_unreachable',
      `The target site could not be reached: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  return err;
}

/** Schemas of the target, all pages. */
export async function listSchemas(client: AssetsClient, signal: AbortSignal | undefined): Promise<ObjectSchema[]> {
  const out: ObjectSchema[] = [];
  for await (const s of client.listObjectSchemas({ includeCounts: false, ...(signal ? { signal } : {}) })) out.push(s);
  return out;
}

/** The new schema's name and key are free on the target (checked live). */
export async function checkNewSchemaFree(
  client: AssetsClient,
  destination: Extract<RestoreDestination, { kind: 'new-schema' }>,
  signal: AbortSignal | undefined,
): Promise<void> {
  const schemas = await listSchemas(client, signal);
  if (schemas.some((s) => s.objectSchemaKey === destination.key))
    throw new RestorePlanError(
      'schema_key_taken',
      `A schema with the key ${destination.key} already exists on the target`,
    );
  const name = destination.name.trim().toLocaleLowerCase('en-US');
  if (schemas.some((s) => s.name.toLocaleLowerCase('en-US') === name))
    throw new RestorePlanError(
      'schema_name_taken',
      `A schema named "${destination.name.trim()}" already exists on the target`,
    );
}

/** The existing schema, or the plan error saying why it cannot be the destination. */
export async function existingSchema(
  client: AssetsClient,
  schemaId: string,
  signal: AbortSignal | undefined,
): Promise<ObjectSchema> {
  if (!/^[0-9]+$/.test(schemaId))
    throw new RestorePlanError('target_schema_not_found', `Schema ${schemaId} does not exist on the target`);
  try {
    const schema = await client.getObjectSchema(schemaId, signal ? { signal } : {});
    if (schema.canManage === false)
      throw new RestorePlanError(
        'target_schema_not_manageable',
        `Schema "${schema.name}" is a system schema and cannot be restored into`,
      );
    return schema;
  } catch (err) {
    if (err instanceof AssetsNotFoundError)
      throw new RestorePlanError('target_schema_not_found', `Schema ${schemaId} does not exist on the target`, {
        cause: err,
      });
    throw err;
  }
}

/** Attributes of the restored types that no public endpoint can write, and the history name conflict. */
export function checkAttributes(structure: SnapshotStructure, types: Iterable<string>, history: boolean): void {
  const unsupported: string[] = [];
  const conflicts: string[] = [];
  for (const id of types) {
    const typeName = structure.typeById.get(id)?.name ?? id;
    for (const a of structure.ownAttributes.get(id) ?? []) {
      if (a.system === true) continue;
      const kindOk = WRITABLE_ATTRIBUTE_KINDS.includes(a.type);
      const defaultOk = a.type !== AttributeKind.Default || (a.defaultType?.id ?? 0) >= 0;
      if (!kindOk || !defaultOk)
        unsupported.push(`${typeName}.${a.name} (type ${a.type}${a.defaultType ? `/${a.defaultType.name}` : ''})`);
      if (history && a.name === HISTORY_ATTRIBUTE_NAME) conflicts.push(typeName);
    }
  }
  if (unsupported.length > 0)
    throw new RestorePlanError(
      'unsupported_attribute_kind',
      `The Assets API cannot write these attributes: ${unsupported.join(', ')}`,
      { details: { attributes: unsupported } },
    );
  if (conflicts.length > 0)
    throw new RestorePlanError(
      'history_attribute_conflict',
      `The backup already has an attribute named ${HISTORY_ATTRIBUTE_NAME} on ${conflicts.join(', ')}; restore without the history option`,
    );
}

/** The default handling of references into other schemas. */
export function crossSchemaMode(
  input: { crossSchema?: CrossSchemaReferences },
  sameSite: boolean,
): CrossSchemaReferences {
  return input.crossSchema ?? (sameSite ? { mode: 'keep' } : { mode: 'drop' });
}

/** Validates a restore and describes it; see the module comment. Throws RestorePlanError on bad input. */
export async function planRestore(input: PlanRestoreInput): Promise<RestorePlan> {
  const { client, destination, options, signal } = input;
  const callOpts = signal ? { signal } : {};
  if (destination.kind === 'new-schema') checkNewSchemaInput(destination);
  const structure = await readStructure(input.snapshot);
  checkSourceSchema(structure);
  const manifest = input.snapshot.manifest;
  const roles = typeScope(structure, options.objectTypeIds);
  checkAttributes(structure, roles.keys(), options.history);
  try {
    const workspaceId = await client.getWorkspaceId(callOpts);
    const sameSite = workspaceId === manifest.source.workspaceId;
    let target: RestorePlan['target'];
    const existingTypes = new Map<string, string>();
    if (destination.kind === 'new-schema') {
      await checkNewSchemaFree(client, destination, signal);
      target = { workspaceId, sameSite, schemaName: destination.name.trim(), schemaKey: destination.key };
    } else {
      const schema = await existingSchema(client, destination.schemaId, signal);
      target = {
        workspaceId,
        sameSite,
        schemaId: schema.id,
        schemaName: schema.name,
        schemaKey: schema.objectSchemaKey,
      };
      for (const t of await client.listObjectTypes(schema.id, callOpts))
        existingTypes.set(t.name.toLocaleLowerCase('en-US'), t.id);
    }
    const counts = manifest.counts.objectsByObjectType;
    const objectTypes: PlannedObjectType[] = [];
    let upper = 0,
      lower = 0;
    for (const [id, role] of roles) {
      const t = structure.typeById.get(id);
      if (t === undefined) continue;
      const n = counts[id] ?? 0;
      if (role === 'selected') lower += n;
      if (role !== 'parent') upper += n;
      const existingTargetId = existingTypes.get(t.name.toLocaleLowerCase('en-US'));
      objectTypes.push({
        sourceId: id,
        name: t.name,
        ...(t.parentObjectTypeId === undefined ? {} : { parentSourceId: t.parentObjectTypeId }),
        abstract: t.abstractObjectType,
        role,
        objectsInBackup: n,
        ...(existingTargetId === undefined ? {} : { existingTargetId }),
      });
    }
    const warnings: string[] = [];
    const usage = await client.getUsage(callOpts);
    if (input.objectAllowance !== undefined) {
      if (usage.totalObjectsCount + lower > input.objectAllowance)
        throw new RestorePlanError(
          'object_allowance_exceeded',
          `The target holds ${usage.totalObjectsCount} objects; ${lower} more would exceed its allowance of ${input.objectAllowance}`,
        );
      if (usage.totalObjectsCount + upper > input.objectAllowance)
        warnings.push(
          `Up to ${upper} objects may be created; the target's allowance of ${input.objectAllowance} may not hold them all`,
        );
    }
    const icons = new Set((await client.listGlobalIcons(callOpts)).map((i) => i.name.toLocaleLowerCase('en-US')));
    for (const t of objectTypes) {
      const icon = structure.typeById.get(t.sourceId)?.icon.name ?? '';
      if (!icons.has(icon.toLocaleLowerCase('en-US')) && t.existingTargetId === undefined)
        warnings.push(
          `Object type "${t.name}": icon "${icon}" does not exist on the target; the default icon will be used`,
        );
    }
    if (options.objectIcons && !sameSite)
      warnings.push(
        'Object icons (avatars) can only be restored on the source site; the log will list each object that has one',
      );
    const crossSchema = crossSchemaMode(input, sameSite);
    const hasForeignAttributes = [...roles.keys()].some((id) =>
      (structure.ownAttributes.get(id) ?? []).some(
        (a) => a.type === AttributeKind.Reference && a.typeValue !== undefined && !structure.typeById.has(a.typeValue),
      ),
    );
    if (hasForeignAttributes && crossSchema.mode === 'drop')
      warnings.push('References into other schemas will be left empty (no schema to re-link them to was chosen)');
    const extra = objectTypes.filter((t) => t.role !== 'selected');
    return {
      destination,
      options,
      source: {
        siteUrl: manifest.source.siteUrl,
        workspaceId: manifest.source.workspaceId,
        schemaId: manifest.schema.id,
        schemaName: structure.schema.name,
        schemaKey: structure.schema.objectSchemaKey,
      },
      target,
      objectTypes,
      extraObjectTypes: options.objectTypeIds === undefined ? [] : extra,
      objectsUpperBound: upper,
      objectsLowerBound: lower,
      usage: {
        totalObjects: usage.totalObjectsCount,
        ...(input.objectAllowance === undefined ? {} : { allowance: input.objectAllowance }),
      },
      crossSchema: crossSchema.mode,
      warnings,
    };
  } catch (err) {
    throw targetError(err);
  }
}
