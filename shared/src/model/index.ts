/**
 * The Assets (JSM Cloud) entities exactly as the REST API returns them, as TypeBox schemas: one
 * definition gives the TypeScript type, the emulator's contract tests and the client's validation.
 * Field-by-field source: shared/docs/assets-cloud-api.md §4 (data model) and §5/§6 (request bodies).
 *
 * Wire rules encoded here:
 * - entity ids are decimal strings; counts, positions, `timestamp`, `defaultType.id`, `type` and
 *   `category` are numbers (§2.1);
 * - absent optional fields are omitted, never null (§10);
 * - unknown extra fields are allowed (objects are open), so a newer API never breaks parsing.
 * The client coerces before it validates (numbers where strings are expected, `"true"` for true),
 * the emulator is checked without coercion, so it must emit the canonical form.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

export const IdString = Type.String({ pattern: '^[0-9]+$', description: 'numeric id as a string' });
/** ISO-8601 UTC with milliseconds, e.g. 2024-05-02T09:14:07.311Z */
export const IsoTimestamp = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?Z$' });

// ---------------------------------------------------------------------------------------------
// Rate-limit buckets (§7.2): the client's pacer and the emulator's limiter name the same limits.

export const ENDPOINT_BUCKETS = [
  'object.get',
  'object.create',
  'object.update',
  'object.delete',
  'object.aql',
  'object.aql.totalcount',
  'objecttype.attributes',
  'object.history',
  'objectconnectedtickets',
  'jira.search',
  'jira.issue',
  'jira.issue.write',
  'default',
] as const;
export type EndpointBucket = (typeof ENDPOINT_BUCKETS)[number];

/** Documented per-minute limits; endpoints without a documented figure get 1,000. */
export const DOCUMENTED_LIMITS_PER_MINUTE: Readonly<Record<EndpointBucket, number>> = Object.freeze({
  'object.get': 2000,
  'object.create': 2000,
  'objecttype.attributes': 2000,
  objectconnectedtickets: 2000,
  'object.aql': 1000,
  'object.aql.totalcount': 500,
  'object.update': 1000,
  'object.delete': 1000,
  'object.history': 1000,
  'jira.search': 1000,
  'jira.issue': 1000,
  'jira.issue.write': 1000,
  default: 1000,
});

// ---------------------------------------------------------------------------------------------
// Attribute kinds and default types (§4.3)

/** `ObjectTypeAttribute.type`: 0 default, 1 object reference, 2 user, 4 group, 7 status. */
export const AttributeKind = {
  Default: 0,
  Reference: 1,
  User: 2,
  Confluence: 3,
  Group: 4,
  Version: 5,
  Project: 6,
  Status: 7,
} as const;
export type AttributeKind = (typeof AttributeKind)[keyof typeof AttributeKind];
/** Kinds the Cloud API documents and our restore engine can write. */
export const WRITABLE_ATTRIBUTE_KINDS: readonly number[] = [0, 1, 2, 4, 7];

/** `defaultType.id` / `defaultTypeId` for type 0 attributes. */
export const DefaultType = {
  None: -1,
  Text: 0,
  Integer: 1,
  Boolean: 2,
  Double: 3,
  Date: 4,
  Time: 5,
  DateTime: 6,
  Url: 7,
  Email: 8,
  Textarea: 9,
  Select: 10,
  IpAddress: 11,
} as const;
export type DefaultTypeId = (typeof DefaultType)[keyof typeof DefaultType];
export const DEFAULT_TYPE_NAMES: Record<number, string> = {
  [-1]: 'None',
  0: 'Text',
  1: 'Integer',
  2: 'Boolean',
  3: 'Double',
  4: 'Date',
  5: 'Time',
  6: 'DateTime',
  7: 'Url',
  8: 'Email',
  9: 'Textarea',
  10: 'Select',
  11: 'IP Address',
};

/** Status categories: 0 inactive (red), 1 active (green), 2 pending (yellow). */
export const StatusCategory = { Inactive: 0, Active: 1, Pending: 2 } as const;

// ---------------------------------------------------------------------------------------------
// Entities (§4)

export const IconSchema = Type.Object({
  id: IdString,
  name: Type.String(),
  url16: Type.String(),
  url48: Type.String(),
});
export type Icon = Static<typeof IconSchema>;

export const ObjectSchemaSchema = Type.Object({
  workspaceId: Type.String(),
  globalId: Type.String(),
  id: IdString,
  name: Type.String(),
  objectSchemaKey: Type.String(),
  description: Type.Optional(Type.String()),
  status: Type.Optional(Type.String()),
  created: IsoTimestamp,
  updated: IsoTimestamp,
  objectCount: Type.Number(),
  objectTypeCount: Type.Number(),
  canManage: Type.Optional(Type.Boolean()),
});
export type ObjectSchema = Static<typeof ObjectSchemaSchema>;

export const ObjectTypeSchema = Type.Object({
  workspaceId: Type.String(),
  globalId: Type.String(),
  id: IdString,
  name: Type.String(),
  description: Type.Optional(Type.String()),
  icon: IconSchema,
  position: Type.Number(),
  created: IsoTimestamp,
  updated: IsoTimestamp,
  objectCount: Type.Number(),
  /** Declared a number by the spec, seen as a string too: accept both, the client normalises to string. */
  parentObjectTypeId: Type.Optional(Type.Union([Type.Number(), Type.String()])),
  type: Type.Optional(Type.Number()),
  objectSchemaId: IdString,
  inherited: Type.Boolean(),
  abstractObjectType: Type.Boolean(),
  parentObjectTypeInherited: Type.Boolean(),
});
export type ObjectType = Static<typeof ObjectTypeSchema>;

export const StatusSchema = Type.Object({
  workspaceId: Type.Optional(Type.String()),
  globalId: Type.Optional(Type.String()),
  id: IdString,
  name: Type.String(),
  description: Type.Optional(Type.String()),
  category: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)]),
  /** absent = a global status */
  objectSchemaId: Type.Optional(IdString),
});
export type Status = Static<typeof StatusSchema>;

export const ReferenceTypeSchema = Type.Object({
  workspaceId: Type.String(),
  globalId: Type.String(),
  id: Type.Optional(IdString),
  name: Type.String(),
  description: Type.Optional(Type.String()),
  /** hex without '#' */
  color: Type.Optional(Type.String()),
  url16: Type.Optional(Type.String()),
  removable: Type.Optional(Type.Boolean()),
  objectSchemaId: Type.Optional(IdString),
});
export type ReferenceType = Static<typeof ReferenceTypeSchema>;

export const ObjectTypeAttributeSchema = Type.Object({
  workspaceId: Type.String(),
  globalId: Type.String(),
  id: IdString,
  objectType: Type.Optional(ObjectTypeSchema),
  name: Type.String(),
  description: Type.Optional(Type.String()),
  label: Type.Boolean(),
  /** Missing on some default attributes in official examples: read as 0 when `defaultType` is present. */
  type: Type.Optional(Type.Number()),
  defaultType: Type.Optional(Type.Object({ id: Type.Number(), name: Type.String() })),
  typeValue: Type.Optional(Type.String()),
  typeValueMulti: Type.Optional(Type.Array(Type.String())),
  additionalValue: Type.Optional(Type.String()),
  referenceType: Type.Optional(ReferenceTypeSchema),
  referenceObjectTypeId: Type.Optional(IdString),
  referenceObjectType: Type.Optional(ObjectTypeSchema),
  editable: Type.Optional(Type.Boolean()),
  system: Type.Optional(Type.Boolean()),
  indexed: Type.Boolean(),
  sortable: Type.Optional(Type.Boolean()),
  summable: Type.Optional(Type.Boolean()),
  minimumCardinality: Type.Optional(Type.Number()),
  maximumCardinality: Type.Optional(Type.Number()),
  suffix: Type.Optional(Type.String()),
  removable: Type.Optional(Type.Boolean()),
  hidden: Type.Optional(Type.Boolean()),
  includeChildObjectTypes: Type.Optional(Type.Boolean()),
  uniqueAttribute: Type.Optional(Type.Boolean()),
  regexValidation: Type.Optional(Type.String()),
  qlQuery: Type.Optional(Type.String()),
  iql: Type.Optional(Type.String()),
  options: Type.Optional(Type.String()),
  position: Type.Number(),
});
export type ObjectTypeAttribute = Static<typeof ObjectTypeAttributeSchema>;

export const AvatarSchema = Type.Object({
  workspaceId: Type.String(),
  globalId: Type.Optional(Type.String()),
  id: Type.Optional(Type.String()),
  avatarUUID: Type.Optional(Type.String()),
  url16: Type.String(),
  url48: Type.String(),
  url72: Type.String(),
  url144: Type.String(),
  url288: Type.String(),
  objectId: IdString,
  /** short-lived media token: never store it in a backup */
  mediaClientConfig: Type.Optional(
    Type.Object({
      clientId: Type.String(),
      mediaBaseUrl: Type.String(),
      mediaJwtToken: Type.String(),
      fileId: Type.String(),
    }),
  ),
});
export type Avatar = Static<typeof AvatarSchema>;

export const JiraUserSchema = Type.Object({
  avatarUrl: Type.Optional(Type.String()),
  displayName: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  /** the Atlassian accountId on Cloud */
  key: Type.Optional(Type.String()),
  emailAddress: Type.Optional(Type.String()),
  html: Type.Optional(Type.String()),
  renderedLink: Type.Optional(Type.String()),
  isDeleted: Type.Optional(Type.Boolean()),
  lastSeenVersion: Type.Optional(Type.String()),
  self: Type.Optional(Type.String()),
});
export type JiraUser = Static<typeof JiraUserSchema>;

export const GroupValueSchema = Type.Object({ avatarUrl: Type.String(), name: Type.String() });

/** An object as embedded elsewhere (references): no attributes. */
export const ObjectSummarySchema = Type.Object({
  workspaceId: Type.String(),
  globalId: Type.String(),
  id: IdString,
  label: Type.String(),
  objectKey: Type.String(),
  avatar: AvatarSchema,
  objectType: ObjectTypeSchema,
  created: IsoTimestamp,
  updated: IsoTimestamp,
  hasAvatar: Type.Boolean(),
  timestamp: Type.Number(),
  name: Type.Optional(Type.String()),
  _links: Type.Object({ self: Type.String() }),
});

export const ObjectAttributeValueSchema = Type.Object({
  value: Type.Optional(Type.String()),
  displayValue: Type.String(),
  searchValue: Type.Optional(Type.String()),
  referencedType: Type.Optional(Type.Boolean()),
  referencedObject: Type.Optional(ObjectSummarySchema),
  user: Type.Optional(JiraUserSchema),
  group: Type.Optional(GroupValueSchema),
  status: Type.Optional(StatusSchema),
  additionalValue: Type.Optional(Type.String()),
});
export type ObjectAttributeValue = Static<typeof ObjectAttributeValueSchema>;

export const ObjectAttributeSchema = Type.Object({
  workspaceId: Type.String(),
  globalId: Type.Optional(Type.String()),
  id: Type.Optional(Type.String()),
  objectTypeAttribute: Type.Optional(ObjectTypeAttributeSchema),
  objectTypeAttributeId: IdString,
  objectAttributeValues: Type.Array(ObjectAttributeValueSchema),
  objectId: Type.Optional(IdString),
});
export type ObjectAttribute = Static<typeof ObjectAttributeSchema>;

export const AssetObjectSchema = Type.Composite([
  ObjectSummarySchema,
  Type.Object({
    attributes: Type.Optional(Type.Array(ObjectAttributeSchema)),
    extendedInfo: Type.Optional(Type.Object({ openIssuesExists: Type.Boolean(), attachmentsExists: Type.Boolean() })),
  }),
]);
export type AssetObject = Static<typeof AssetObjectSchema>;

export const ObjectHistorySchema = Type.Object({
  actor: JiraUserSchema,
  id: IdString,
  /** attribute NAME, not id */
  affectedAttribute: Type.Optional(Type.String()),
  oldValue: Type.Optional(Type.String()),
  newValue: Type.Optional(Type.String()),
  /** opaque change code: back it up raw, never interpret beyond 0 = created */
  type: Type.Number(),
  created: IsoTimestamp,
  objectId: IdString,
});
export type ObjectHistory = Static<typeof ObjectHistorySchema>;

export const GlobalConfigSchema = Type.Object({
  allowOtherObjectSchema: Type.Optional(Type.Boolean()),
  validateQuickCreate: Type.Optional(Type.Boolean()),
  quickCreateObjects: Type.Optional(Type.Boolean()),
});
export type GlobalConfig = Static<typeof GlobalConfigSchema>;

export const UsageSchema = Type.Object({
  totalObjectsCount: Type.Number(),
  perSchemaUsageInfo: Type.Array(
    Type.Object({
      /** a number here, unlike everywhere else (§3.8) */
      schemaId: Type.Number(),
      schemaName: Type.String(),
      schemaCreatedAt: Type.Optional(Type.String()),
      objectCount: Type.Number(),
    }),
  ),
});
export type Usage = Static<typeof UsageSchema>;

export const ConnectedTicketsSchema = Type.Object({
  tickets: Type.Array(
    Type.Object({
      workspaceId: Type.Optional(Type.String()),
      globalId: Type.Optional(Type.String()),
      id: Type.String(),
      key: Type.String(),
      title: Type.Optional(Type.String()),
      reporter: Type.Optional(Type.String()),
      created: Type.Optional(Type.String()),
      updated: Type.Optional(Type.String()),
      status: Type.Optional(
        Type.Object({
          name: Type.String(),
          description: Type.Optional(Type.String()),
          colorName: Type.Optional(Type.String()),
        }),
      ),
      type: Type.Optional(
        Type.Object({
          name: Type.String(),
          description: Type.Optional(Type.String()),
          iconUrl: Type.Optional(Type.String()),
        }),
      ),
      priority: Type.Optional(Type.Object({ name: Type.String(), iconUrl: Type.Optional(Type.String()) })),
    }),
  ),
  allTicketsQuery: Type.Optional(Type.String()),
});
export type ConnectedTickets = Static<typeof ConnectedTicketsSchema>;

// ---------------------------------------------------------------------------------------------
// Envelopes (§2.2)

/** Assets page: `GET /objectschema/list`. `isLast`/`last` carry the same value. */
export const AssetsPageSchema = <T extends TSchema>(item: T) =>
  Type.Object({
    startAt: Type.Number(),
    maxResults: Type.Number(),
    /** deprecated on /object/aql: may be absent, capped or approximate; never a loop condition */
    total: Type.Optional(Type.Number()),
    isLast: Type.Boolean(),
    last: Type.Optional(Type.Boolean()),
    values: Type.Array(item),
  });
export const ObjectSchemaPageSchema = AssetsPageSchema(ObjectSchemaSchema);
export type ObjectSchemaPage = Static<typeof ObjectSchemaPageSchema>;

/** `POST /object/aql`: the Assets page plus the attribute definitions used on the page. */
export const AqlPageSchema = Type.Composite([
  AssetsPageSchema(AssetObjectSchema),
  Type.Object({ objectTypeAttributes: Type.Optional(Type.Array(ObjectTypeAttributeSchema)) }),
]);
export type AqlPage = Static<typeof AqlPageSchema>;

export const TotalCountSchema = Type.Object({ totalCount: Type.Number() });

/** JSM paged DTO: workspace discovery. */
export const JsmPageSchema = <T extends TSchema>(item: T) =>
  Type.Object({
    size: Type.Number(),
    start: Type.Number(),
    limit: Type.Number(),
    isLastPage: Type.Boolean(),
    _links: Type.Optional(
      Type.Object({
        base: Type.Optional(Type.String()),
        context: Type.Optional(Type.String()),
        self: Type.Optional(Type.String()),
      }),
    ),
    values: Type.Array(item),
  });
export const WorkspaceSchema = Type.Object({ workspaceId: Type.String() });
export const WorkspacePageSchema = JsmPageSchema(WorkspaceSchema);
export type WorkspacePage = Static<typeof WorkspacePageSchema>;

/** Jira-style error envelope of 400 responses (§7.1): attribute problems keyed `rlabs-insight-attribute-<id>`. */
export const JiraErrorBodySchema = Type.Object({
  errorMessages: Type.Array(Type.String()),
  errors: Type.Record(Type.String(), Type.String()),
});
export type JiraErrorBody = Static<typeof JiraErrorBodySchema>;
export const attributeErrorKey = (objectTypeAttributeId: string) => `rlabs-insight-attribute-${objectTypeAttributeId}`;

// ---------------------------------------------------------------------------------------------
// Request bodies (§3, §5, §6). Ids are sent as strings; the server also accepts numbers.

const IdIn = Type.Union([IdString, Type.Number()]);

export const ObjectSchemaCreateSchema = Type.Object({
  name: Type.String({ minLength: 1 }),
  objectSchemaKey: Type.String({ minLength: 1 }),
  description: Type.Optional(Type.String()),
});
export type ObjectSchemaCreate = Static<typeof ObjectSchemaCreateSchema>;
export const ObjectSchemaUpdateSchema = Type.Partial(ObjectSchemaCreateSchema);
export type ObjectSchemaUpdate = Static<typeof ObjectSchemaUpdateSchema>;

export const ObjectTypeCreateSchema = Type.Object({
  name: Type.String({ minLength: 1 }),
  objectSchemaId: IdIn,
  iconId: IdIn,
  description: Type.Optional(Type.String()),
  parentObjectTypeId: Type.Optional(IdIn),
  inherited: Type.Optional(Type.Boolean()),
  abstractObjectType: Type.Optional(Type.Boolean()),
});
export type ObjectTypeCreate = Static<typeof ObjectTypeCreateSchema>;

export const ObjectTypeUpdateSchema = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1 })),
  description: Type.Optional(Type.String()),
  iconId: Type.Optional(IdIn),
  inherited: Type.Optional(Type.Boolean()),
  abstractObjectType: Type.Optional(Type.Boolean()),
});
export type ObjectTypeUpdate = Static<typeof ObjectTypeUpdateSchema>;

export const ObjectTypePositionSchema = Type.Object({
  /** the new parent; omitted = root */
  toObjectTypeId: Type.Optional(IdIn),
  position: Type.Number(),
});
export type ObjectTypePosition = Static<typeof ObjectTypePositionSchema>;

const NumberIn = Type.Union([Type.Number(), Type.String({ pattern: '^-?[0-9]+$' })]);

export const ObjectTypeAttributeCreateSchema = Type.Object({
  name: Type.String({ minLength: 1 }),
  type: NumberIn,
  defaultTypeId: Type.Optional(NumberIn),
  label: Type.Optional(Type.Boolean()),
  description: Type.Optional(Type.String()),
  typeValue: Type.Optional(Type.String()),
  additionalValue: Type.Optional(Type.String()),
  typeValueMulti: Type.Optional(Type.Array(Type.String())),
  minimumCardinality: Type.Optional(NumberIn),
  maximumCardinality: Type.Optional(NumberIn),
  suffix: Type.Optional(Type.String()),
  includeChildObjectTypes: Type.Optional(Type.Boolean()),
  hidden: Type.Optional(Type.Boolean()),
  uniqueAttribute: Type.Optional(Type.Boolean()),
  summable: Type.Optional(Type.Boolean()),
  indexed: Type.Optional(Type.Boolean()),
  regexValidation: Type.Optional(Type.String()),
  qlQuery: Type.Optional(Type.String()),
  iql: Type.Optional(Type.String()),
  options: Type.Optional(Type.String()),
});
export type ObjectTypeAttributeCreate = Static<typeof ObjectTypeAttributeCreateSchema>;
export const ObjectTypeAttributeUpdateSchema = Type.Partial(ObjectTypeAttributeCreateSchema);
export type ObjectTypeAttributeUpdate = Static<typeof ObjectTypeAttributeUpdateSchema>;

/** `POST /object/create` and `PUT /object/{id}`: every value is a string, whatever the kind. */
export const ObjectInSchema = Type.Object({
  objectTypeId: IdIn,
  attributes: Type.Array(
    Type.Object({
      objectTypeAttributeId: IdIn,
      objectAttributeValues: Type.Array(Type.Object({ value: Type.String() })),
    }),
  ),
  hasAvatar: Type.Optional(Type.Boolean()),
  avatarUUID: Type.Optional(Type.String()),
});
export type ObjectIn = Static<typeof ObjectInSchema>;

export const StatusTypeInSchema = Type.Object({
  name: Type.String({ minLength: 1 }),
  category: NumberIn,
  description: Type.Optional(Type.String()),
  objectSchemaId: Type.Optional(IdIn),
});
export type StatusTypeIn = Static<typeof StatusTypeInSchema>;

export const ReferenceTypeInSchema = Type.Object({
  name: Type.String({ minLength: 1 }),
  description: Type.Optional(Type.String()),
  color: Type.Optional(Type.String()),
  objectSchemaId: Type.Optional(IdIn),
});
export type ReferenceTypeIn = Static<typeof ReferenceTypeInSchema>;

export const AqlQuerySchema = Type.Object({ qlQuery: Type.String() });

// ---------------------------------------------------------------------------------------------
// Jira (§9): fields, issues and the Assets custom field value

export const ASSETS_FIELD_CUSTOM_TYPE = 'com.atlassian.jira.plugins.cmdb:cmdb-object-cftype';

export const JiraFieldSchema = Type.Object({
  id: Type.String(),
  key: Type.Optional(Type.String()),
  name: Type.String(),
  custom: Type.Boolean(),
  schema: Type.Optional(
    Type.Object({
      type: Type.String(),
      items: Type.Optional(Type.String()),
      custom: Type.Optional(Type.String()),
      customId: Type.Optional(Type.Number()),
    }),
  ),
});
export type JiraField = Static<typeof JiraFieldSchema>;

/** One Assets object on an issue field: `id` is the object's globalId `<workspaceId>:<objectId>`. */
export const AssetsFieldValueSchema = Type.Object({
  workspaceId: Type.String(),
  id: Type.String(),
  objectId: Type.String(),
});
export type AssetsFieldValue = Static<typeof AssetsFieldValueSchema>;

export const JiraIssueSchema = Type.Object({
  id: IdString,
  key: Type.String(),
  self: Type.Optional(Type.String()),
  fields: Type.Record(Type.String(), Type.Unknown()),
});
export type JiraIssue = Static<typeof JiraIssueSchema>;

/** `POST /rest/api/3/search/jql` (enhanced search): token paging, no total. */
export const JiraSearchResultSchema = Type.Object({
  issues: Type.Array(JiraIssueSchema),
  nextPageToken: Type.Optional(Type.String()),
  isLast: Type.Optional(Type.Boolean()),
});
export type JiraSearchResult = Static<typeof JiraSearchResultSchema>;

export const JiraSearchRequestSchema = Type.Object({
  jql: Type.String(),
  fields: Type.Optional(Type.Array(Type.String())),
  maxResults: Type.Optional(Type.Number()),
  nextPageToken: Type.Optional(Type.String()),
});
export type JiraSearchRequest = Static<typeof JiraSearchRequestSchema>;

export const JiraIssueUpdateSchema = Type.Object({
  fields: Type.Record(Type.String(), Type.Unknown()),
});
export type JiraIssueUpdate = Static<typeof JiraIssueUpdateSchema>;

// ---------------------------------------------------------------------------------------------
// Appended by the emulator work: shapes the model did not cover yet.

/** `GET /object/{id}/referenceinfo` (§3.10): one entry per (referencing type, reference type). */
export const ObjectReferenceInfoSchema = Type.Object({
  referenceTypes: Type.Optional(Type.Array(ReferenceTypeSchema)),
  objectType: Type.Optional(ObjectTypeSchema),
  numberOfReferencedObjects: Type.Number(),
  openIssuesExists: Type.Boolean(),
});
export type ObjectReferenceInfo = Static<typeof ObjectReferenceInfoSchema>;
