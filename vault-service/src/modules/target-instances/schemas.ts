/** Wire shapes of the target-instance routes (restore-api.md): the one source of their types and OpenAPI. */
import { Type, type Static } from '@sinclair/typebox';
import type { TargetInstance } from './service.js';

export const TargetInstanceView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    url: Type.String({ description: 'The Jira site (https origin)' }),
    email: Type.String({ description: 'The account the API token belongs to' }),
    assetsApiBaseUrl: Type.Union([Type.String(), Type.Null()], {
      description: 'The Assets API gateway, when not the default https://api.atlassian.com',
    }),
    createdAt: Type.String({ format: 'date-time' }),
    createdBy: Type.String(),
    lastCheckedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'Last time the vault reached the site with these credentials (saved, or schemas listed)',
    }),
  },
  { description: 'A site backups can be restored to. Its API token is stored encrypted and never returned.' },
);
export type TargetInstanceView = Static<typeof TargetInstanceView>;

export const TargetInstanceList = Type.Object({ items: Type.Array(TargetInstanceView) });

export const TargetInstanceInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
    url: Type.String({ minLength: 1, maxLength: 2048, description: 'https://your-site.atlassian.net' }),
    email: Type.String({ minLength: 3, maxLength: 320, pattern: '^[^\\s@]+@[^\\s@]+$' }),
    apiToken: Type.String({ minLength: 1, maxLength: 4096, writeOnly: true }),
    assetsApiBaseUrl: Type.Optional(
      Type.String({
        pattern: '^https?://',
        maxLength: 2048,
        description: 'https://api.atlassian.com (default) or the site itself; like the site credentials',
      }),
    ),
  },
  { additionalProperties: false },
);

export const TargetInstanceParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const SchemaOptionList = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      objectSchemaKey: Type.String(),
      objectCount: Type.Number(),
    }),
  ),
});

/** Named fields only, so a new column (or the token) never reaches the wire by accident. */
export function toTargetInstanceView(t: TargetInstance): TargetInstanceView {
  return {
    id: t.id,
    name: t.name,
    url: t.url,
    email: t.email,
    assetsApiBaseUrl: t.assetsApiBaseUrl,
    createdAt: t.createdAt.toISOString(),
    createdBy: t.createdBy,
    lastCheckedAt: t.lastCheckedAt?.toISOString() ?? null,
  };
}
