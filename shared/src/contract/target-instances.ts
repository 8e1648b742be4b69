/**
 * Target instances (restore-api.md): sites a backup can be restored to, and the schema options of a site for the
 * "existing schema" dropdown. The vault's session routes and the signed Forge site API answer these shapes.
 */
import { Type, type Static } from '@sinclair/typebox';

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
export type TargetInstanceList = Static<typeof TargetInstanceList>;

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
export type SchemaOptionList = Static<typeof SchemaOptionList>;
