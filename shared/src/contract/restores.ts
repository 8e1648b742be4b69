/**
 * The restore API's request and response shapes (pinned in the lead's restore-api.md): the single source
 * of the routes' types, their validation and the OpenAPI document. The vault's session routes
 * (`/api/v1/restores`) and the signed Forge site API (forge-site.ts) both take and answer them; the web UI and
 * the Forge screens build on these names.
 */
import { Type, type Static } from '@sinclair/typebox';

const Id = Type.String({ minLength: 1, maxLength: 64 });
const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** Assets rules are checked by the service (400 `invalid_schema_key` / `invalid_schema_name`), not here. */
const SchemaName = Type.String({ maxLength: 255, description: 'name of the new schema' });
const SchemaKey = Type.String({
  maxLength: 64,
  description: 'key of the new schema: 2–10 upper-case letters and digits, starting with a letter',
});

/** A target instance entered in the restore form; `save: true` stores it (like POST /target-instances). */
export const NewTargetInstance = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    url: Type.String({ minLength: 1, maxLength: 2048, description: 'the Jira site URL (https://…atlassian.net)' }),
    email: Type.String({ minLength: 3, maxLength: 320 }),
    apiToken: Type.String({ minLength: 1, maxLength: 4096, description: 'never returned, never logged' }),
    assetsApiBaseUrl: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2048 })),
    save: Type.Boolean({ description: 'store it as a target instance of the site (encrypted token)' }),
  },
  { additionalProperties: false },
);
export type NewTargetInstance = Static<typeof NewTargetInstance>;

export const CurrentInstanceDestination = Type.Object(
  { kind: Type.Literal('current-instance'), schemaName: SchemaName, schemaKey: SchemaKey },
  { additionalProperties: false, description: "a new schema on the site itself, with the site's stored credentials" },
);
export const ExistingSchemaDestination = Type.Object(
  {
    kind: Type.Literal('existing-schema'),
    schemaId: Type.String({ pattern: '^[0-9]{1,18}$' }),
    createDuplicates: Type.Boolean({
      description: 'false: objects whose ID exists in the schema are not created again (counted as skipped)',
    }),
    targetInstanceId: Type.Optional(Id),
  },
  {
    additionalProperties: false,
    description: 'an existing schema of the current instance, or of a target instance when targetInstanceId is set',
  },
);
export const AnotherInstanceDestination = Type.Object(
  {
    kind: Type.Literal('another-instance'),
    targetInstanceId: Type.Optional(Id),
    newTarget: Type.Optional(NewTargetInstance),
    schemaName: SchemaName,
    schemaKey: SchemaKey,
  },
  {
    additionalProperties: false,
    description: 'a new schema on another site: a stored target instance or a new one (exactly one of the two)',
  },
);
export const RestoreDestinationInput = Type.Union(
  [CurrentInstanceDestination, ExistingSchemaDestination, AnotherInstanceDestination],
  { description: 'tagged by kind' },
);
export type RestoreDestinationInput = Static<typeof RestoreDestinationInput>;

export const RestoreOptionsInput = Type.Object(
  {
    objectIcons: Type.Boolean({ description: "objects' own avatars (restorable on the source site only)" }),
    history: Type.Boolean({ description: 'write each object history into a Textarea attribute OBJECT_HISTORY' }),
    objectTypeIds: Type.Optional(
      Type.Array(Id, {
        maxItems: 1000,
        description: "the backup's object type ids to restore (their parents and referenced types come along)",
      }),
    ),
    crossSchemaMatch: Type.Optional(
      Type.Object(
        {
          schemaId: Id,
          by: Type.Union([Type.Literal('key'), Type.Literal('label')]),
        },
        {
          additionalProperties: false,
          description:
            'references into other schemas point at the object of the same key (or label) in this schema of the target; unmatched ones are left empty and logged',
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export type RestoreOptionsInput = Static<typeof RestoreOptionsInput>;

export const RestoreRequest = Type.Object(
  { backupId: Id, destination: RestoreDestinationInput, options: RestoreOptionsInput },
  { additionalProperties: false },
);
export type RestoreRequest = Static<typeof RestoreRequest>;

export const RestoreStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('in_progress'),
  Type.Literal('completed'),
  Type.Literal('error'),
]);
export type RestoreStatus = Static<typeof RestoreStatus>;

export const RestoreAccepted = Type.Object({ id: Type.String(), status: Type.Literal('pending') });
export type RestoreAccepted = Static<typeof RestoreAccepted>;

export const RestorePreview = Type.Object({
  objectTypes: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      role: Type.Union([Type.Literal('selected'), Type.Literal('parent'), Type.Literal('referenced')]),
    }),
  ),
  /** objects the restore creates at most (selected types plus every object of referenced types) */
  objectCount: Type.Integer(),
  warnings: Type.Array(Type.String()),
});
export type RestorePreview = Static<typeof RestorePreview>;

export const IssueFieldsStatus = Type.Union([
  Type.Literal('not_started'),
  Type.Literal('pending'),
  Type.Literal('in_progress'),
  Type.Literal('completed'),
  Type.Literal('error'),
]);
export type IssueFieldsStatus = Static<typeof IssueFieldsStatus>;

export const RestoreSummary = Type.Object({
  id: Type.String(),
  backupId: Type.String(),
  backupCreatedAt: DateTime,
  source: Type.Object({
    schemaId: Type.String(),
    schemaName: Type.String(),
    schemaKey: Type.String(),
    siteUrl: Type.String(),
  }),
  destination: Type.Object({
    kind: Type.Union([
      Type.Literal('current-instance'),
      Type.Literal('existing-schema'),
      Type.Literal('another-instance'),
    ]),
    siteUrl: Type.String(),
    targetInstanceId: Type.Optional(Type.String()),
    targetName: Type.Optional(Type.String()),
    schemaId: Type.Optional(Type.String()),
    schemaName: Type.String(),
    schemaKey: Type.String(),
    schemaUrl: Type.Optional(Type.String({ description: 'the restored schema in Assets, when known' })),
    createDuplicates: Type.Optional(Type.Boolean()),
  }),
  options: Type.Object({
    objectIcons: Type.Boolean(),
    history: Type.Boolean(),
    objectTypeIds: Nullable(Type.Array(Type.String())),
  }),
  status: RestoreStatus,
  /** "Operation success" or the cause */
  resultMessage: Nullable(Type.String()),
  progress: Type.Object({
    phase: Type.String(),
    done: Type.Integer(),
    total: Type.Integer(),
    objectsPerMinute: Nullable(Type.Number()),
    etaSeconds: Nullable(Type.Number()),
  }),
  counts: Type.Object({
    created: Type.Integer(),
    skipped: Type.Integer(),
    failed: Type.Integer(),
    warnings: Type.Integer(),
  }),
  createdBy: Type.String(),
  createdAt: DateTime,
  startedAt: Nullable(DateTime),
  endedAt: Nullable(DateTime),
  issueFields: Type.Object({
    status: IssueFieldsStatus,
    updatedFields: Type.Integer(),
    failedFields: Type.Integer(),
    updatedAt: Nullable(DateTime),
    message: Nullable(Type.String()),
  }),
});
export type RestoreSummary = Static<typeof RestoreSummary>;

export const RestoreDetail = Type.Intersect([
  RestoreSummary,
  Type.Object({
    verification: Type.Optional(
      Type.Object({
        ok: Type.Boolean(),
        /** differences found between the target and the backup */
        issues: Type.Integer(),
        sample: Type.Array(Type.String()),
      }),
    ),
    warningsSample: Type.Array(Type.String()),
  }),
]);
export type RestoreDetail = Static<typeof RestoreDetail>;

export const RestoreListQuery = Type.Object({
  schemaId: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: "the backup's (source) schema" })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});
export type RestoreListQuery = Static<typeof RestoreListQuery>;

export const RestoreList = Type.Object({ items: Type.Array(RestoreSummary), nextCursor: Type.Optional(Type.String()) });
export type RestoreList = Static<typeof RestoreList>;

export const IssueFieldsAccepted = Type.Object({
  id: Type.String(),
  issueFields: Type.Object({ status: Type.Literal('pending') }),
});
export type IssueFieldsAccepted = Static<typeof IssueFieldsAccepted>;
