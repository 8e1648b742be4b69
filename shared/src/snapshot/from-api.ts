/**
 * API entities → snapshot records. Each function copies the API object and removes only what is
 * derivable (workspaceId, globalId, `_links`, duplicates), volatile (user avatar/HTML renderings)
 * or secret (the avatar media JWT), and reduces embedded entities to the ids a restore maps.
 * Unknown fields a newer API adds are kept, so a backup loses nothing we did not decide to drop.
 */
import type {
  AssetObject,
  GlobalConfig,
  Icon,
  JiraUser,
  ObjectAttributeValue,
  ObjectHistory,
  ObjectSchema,
  ObjectType,
  ObjectTypeAttribute,
  ReferenceType,
  Status,
} from '../model/index.js';
import type {
  AttributeRecord,
  HistoryRecord,
  IconRecord,
  IssueRefRecord,
  ObjectRecord,
  ObjectTypeRecord,
  ReferenceTypeRecord,
  SchemaConfigRecord,
  SchemaRecord,
  StatusTypeRecord,
  UserRef,
  ValueRecord,
} from './records.js';

/** Drops keys whose value is undefined, so records hold absent fields as absent. */
function defined<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}

const idString = (v: number | string | undefined): string | undefined => (v === undefined ? undefined : String(v));

export function toSchemaRecord(schema: ObjectSchema): SchemaRecord {
  const { workspaceId: _w, globalId: _g, ...rest } = schema;
  return defined({ ...rest, kind: 'schema' as const });
}

export function toSchemaConfigRecord(config: GlobalConfig): SchemaConfigRecord {
  return defined({ ...config, kind: 'schemaConfig' as const });
}

/** `images` are the PNG bytes, present when the backup captures icons. */
export function toIconRecord(icon: Icon, images: { png16?: Uint8Array; png48?: Uint8Array } = {}): IconRecord {
  return defined({
    ...icon,
    kind: 'icon' as const,
    png16Base64: images.png16 ? Buffer.from(images.png16).toString('base64') : undefined,
    png48Base64: images.png48 ? Buffer.from(images.png48).toString('base64') : undefined,
  });
}

export function toStatusTypeRecord(status: Status): StatusTypeRecord {
  const { workspaceId: _w, globalId: _g, ...rest } = status;
  return defined({ ...rest, kind: 'statusType' as const });
}

export function toReferenceTypeRecord(referenceType: ReferenceType): ReferenceTypeRecord {
  const { workspaceId: _w, globalId: _g, ...rest } = referenceType;
  return defined({ ...rest, kind: 'referenceType' as const });
}

export function toObjectTypeRecord(objectType: ObjectType): ObjectTypeRecord {
  const { workspaceId: _w, globalId: _g, objectSchemaId: _s, icon, parentObjectTypeId, ...rest } = objectType;
  return defined({
    ...rest,
    kind: 'objectType' as const,
    icon: { id: icon.id, name: icon.name },
    parentObjectTypeId: idString(parentObjectTypeId),
  });
}

/** `ownerObjectTypeId`: the type that defines the attribute (from `objectType` when embedded). */
export function toAttributeRecord(attribute: ObjectTypeAttribute, ownerObjectTypeId: string): AttributeRecord {
  const {
    workspaceId: _w,
    globalId: _g,
    objectType: _o,
    referenceObjectType: _ro,
    referenceType,
    type,
    ...rest
  } = attribute;
  return defined({
    ...rest,
    kind: 'attribute' as const,
    objectTypeId: ownerObjectTypeId,
    type: type ?? 0,
    referenceType: referenceType ? defined({ id: referenceType.id, name: referenceType.name }) : undefined,
  });
}

const USER_REF_KEYS = ['key', 'name', 'displayName', 'emailAddress', 'isDeleted'] as const;

/** The parts of a Jira user that identify a person; avatar URLs and HTML renderings are dropped. */
export function toUserRef(user: JiraUser): UserRef {
  const out: Record<string, unknown> = {};
  for (const key of USER_REF_KEYS) if (user[key] !== undefined) out[key] = user[key];
  return out as UserRef;
}

// Called for every attribute value of every object: one pass over the keys, no intermediate copies.
export function toValueRecord(value: ObjectAttributeValue): ValueRecord {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value) as Array<keyof ObjectAttributeValue>) {
    const v = value[key];
    if (v === undefined) continue;
    switch (key) {
      case 'referencedObject': {
        const ref = value.referencedObject;
        if (ref)
          out.referencedObject = {
            id: ref.id,
            objectKey: ref.objectKey,
            label: ref.label,
            objectTypeId: ref.objectType.id,
          };
        break;
      }
      case 'user':
        if (value.user) out.user = toUserRef(value.user);
        break;
      case 'group':
        if (value.group) out.group = { name: value.group.name };
        break;
      case 'status':
        if (value.status)
          out.status = { id: value.status.id, name: value.status.name, category: value.status.category };
        break;
      default:
        out[key] = v;
    }
  }
  return out as ValueRecord;
}

export function toObjectRecord(object: AssetObject): ObjectRecord {
  const { workspaceId: _w, globalId: _g, _links: _l, name: _n, objectType, avatar, attributes, ...rest } = object;
  let avatarRecord: ObjectRecord['avatar'];
  if (object.hasAvatar) {
    const { workspaceId: _aw, globalId: _ag, objectId: _ao, mediaClientConfig: _secret, ...keep } = avatar;
    avatarRecord = defined(keep);
  }
  return defined({
    ...rest,
    kind: 'object' as const,
    objectTypeId: objectType.id,
    avatar: avatarRecord,
    attributes: (attributes ?? []).map((a) => ({
      objectTypeAttributeId: a.objectTypeAttributeId,
      objectAttributeValues: a.objectAttributeValues.map(toValueRecord),
    })),
  });
}

/** One object's history, oldest first (by `created`, then numeric id) whatever order the API used. */
export function toHistoryRecord(objectId: string, entries: readonly ObjectHistory[]): HistoryRecord {
  const sorted = [...entries].sort((a, b) =>
    a.created < b.created ? -1 : a.created > b.created ? 1 : Number(a.id) - Number(b.id),
  );
  return {
    kind: 'history',
    objectId,
    entries: sorted.map((e) => {
      const { objectId: _o, actor, ...rest } = e;
      return defined({ ...rest, actor: toUserRef(actor) });
    }),
  };
}

export function toIssueRefRecord(input: Omit<IssueRefRecord, 'kind'>): IssueRefRecord {
  return { kind: 'issueRef', ...input };
}
