/**
 * `POST /api/v1/forge/events` (architecture.md "Events"): the envelope, each type's data, and the
 * check the vault applies before anything is written. Checked strictly (no coercion).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ValidationError } from '../errors.js';

// RFC 3339 date-time as JavaScript and Forge produce it (`2026-11-25T10:00:00Z`, optional fraction/offset).
const DATE_TIME = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$';

export const ForgeEventEnvelope = Type.Object({
  type: Type.String({ minLength: 1, maxLength: 100, description: 'Event type, e.g. trusted_user.invited' }),
  cloudId: Type.String({ minLength: 1, maxLength: 128, description: 'Atlassian cloudId from the Forge context' }),
  siteUrl: Type.String({ minLength: 1, maxLength: 2048, description: 'Site URL from the Forge context, https://…' }),
  occurredAt: Type.String({ pattern: DATE_TIME, description: 'When the change happened (RFC 3339)' }),
  data: Type.Record(Type.String(), Type.Unknown()),
});
export type ForgeEventEnvelope = Static<typeof ForgeEventEnvelope>;

export const ForgeActor = Type.Object({
  accountId: Type.String({ minLength: 1, maxLength: 128 }),
  displayName: Type.String({ maxLength: 255 }),
});
export type ForgeActor = Static<typeof ForgeActor>;

export const InstallationConnectedData = Type.Object({
  workspaceId: Type.Union([Type.String({ minLength: 1, maxLength: 128 }), Type.Null()]),
  appVersion: Type.String({ maxLength: 64 }),
});
export const TrustedUserInvitedData = Type.Object({
  email: Type.String({ minLength: 3, maxLength: 254 }),
  invitedBy: ForgeActor,
});
export const TrustedUserRemovedData = Type.Object({
  email: Type.String({ minLength: 3, maxLength: 254 }),
  removedBy: ForgeActor,
});
export const SchemaSyncedData = Type.Object({
  schemaId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
  name: Type.String({ minLength: 1, maxLength: 255 }),
  key: Type.String({ minLength: 1, maxLength: 64 }),
  objectCount: Type.Integer({ minimum: 0, maximum: 2_147_483_647 }),
  /** false: the admin stopped backing this schema up. Default true. */
  synced: Type.Optional(Type.Boolean()),
});
export const BackupDeletedData = Type.Object({
  backupId: Type.String({ minLength: 1, maxLength: 128 }),
});

/** The one map of event types to their data schema; an unknown type is a 422. */
export const forgeEventDataSchemas = {
  'installation.connected': InstallationConnectedData,
  'trusted_user.invited': TrustedUserInvitedData,
  'trusted_user.removed': TrustedUserRemovedData,
  'schema.synced': SchemaSyncedData,
  'backup.deleted': BackupDeletedData,
} as const satisfies Record<string, TSchema>;

export type ForgeEventType = keyof typeof forgeEventDataSchemas;

/** The `data` of one event type. */
export type ForgeEventData<K extends ForgeEventType> = Static<(typeof forgeEventDataSchemas)[K]>;

export type ForgeEvent = {
  [K in ForgeEventType]: { type: K; cloudId: string; siteUrl: string; occurredAt: string; data: ForgeEventData<K> };
}[ForgeEventType];

export const ForgeEventResponse = Type.Object({
  status: Type.Literal('processed'),
  webhookId: Type.String(),
  type: Type.String(),
  result: Type.Record(Type.String(), Type.Unknown()),
});
export type ForgeEventResponse = Static<typeof ForgeEventResponse>;

/** Checks a parsed body against the envelope and its type's data schema; a 422 `ValidationError` otherwise. */
export function parseForgeEvent(body: unknown): ForgeEvent {
  if (!Value.Check(ForgeEventEnvelope, body)) {
    throw invalidEvent('Event does not match the envelope {type, cloudId, siteUrl, occurredAt, data}', [
      ...Value.Errors(ForgeEventEnvelope, body),
    ]);
  }
  if (!Object.hasOwn(forgeEventDataSchemas, body.type)) {
    throw new ValidationError(`Unknown event type "${body.type.slice(0, 100)}"`, {
      statusCode: 422,
      code: 'unknown_event_type',
    });
  }
  const schema = forgeEventDataSchemas[body.type as ForgeEventType];
  if (!Value.Check(schema, body.data)) {
    throw invalidEvent(`Invalid data for ${body.type}`, [...Value.Errors(schema, body.data)]);
  }
  if (Number.isNaN(Date.parse(body.occurredAt))) throw invalidEvent('occurredAt is not a valid date', []);
  return body as ForgeEvent;
}

function invalidEvent(message: string, errors: { path: string; message: string }[]): ValidationError {
  return new ValidationError(message, {
    statusCode: 422,
    code: 'invalid_event',
    details: errors.slice(0, 20).map((e) => ({ field: e.path, message: e.message })),
  });
}
