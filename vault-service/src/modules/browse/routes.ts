/** Browsing a completed backup: object type tree, object search with keyset paging, object detail. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ObjectTypeTree } from '@assets-vault/shared/contract';
import { HistoryEntryRecordSchema } from '@assets-vault/shared/snapshot';
import { ErrorResponse } from '../../plugins/error-handler.js';
import { requireAuth } from '../../plugins/session.js';
import { BackupDefinitions, backupDefinitions, backupIconPng } from './definitions.js';
import { listObjects, MAX_PAGE, objectDetail, objectTypeTree } from './service.js';

const BackupParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const IconParams = Type.Object({ id: Type.String({ maxLength: 64 }), iconId: Type.String({ maxLength: 64 }) });
const ObjectParams = Type.Object({ id: Type.String({ maxLength: 64 }), objectId: Type.String({ maxLength: 64 }) });
const ObjectQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  objectTypeId: Type.Optional(Type.String({ maxLength: 64 })),
  cursor: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE })),
});

const ObjectSummary = Type.Object({
  id: Type.String(),
  key: Type.String(),
  label: Type.String(),
  objectTypeId: Type.String(),
  created: Type.String(),
  updated: Type.String(),
});
const ObjectPage = Type.Object({
  items: Type.Array(ObjectSummary),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
const ResolvedValue = Type.Object({
  value: Type.Union([Type.String(), Type.Null()]),
  displayValue: Type.String(),
  reference: Type.Optional(Type.Object({ id: Type.String(), key: Type.String(), label: Type.String() })),
  user: Type.Optional(
    Type.Object({
      accountId: Type.Union([Type.String(), Type.Null()]),
      displayName: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  status: Type.Optional(Type.Object({ id: Type.String(), name: Type.String() })),
});
const ObjectDetailBody = Type.Object({
  ...ObjectSummary.properties,
  attributes: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      /** the Assets attribute type (0 default, 1 object reference, 2 user, …); null if not in the schema */
      type: Type.Union([Type.Integer(), Type.Null()]),
      values: Type.Array(ResolvedValue),
    }),
  ),
  history: Type.Array(HistoryEntryRecordSchema),
  issues: Type.Array(
    Type.Object({ issueId: Type.String(), issueKey: Type.String(), fieldId: Type.String(), fieldName: Type.String() }),
  ),
});

export const browseRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/backups/:id/object-types',
    {
      schema: {
        tags: ['browse'],
        summary: 'Object types of a completed backup as a tree, with object counts',
        security: [{ session: [] }],
        params: BackupParams,
        response: { 200: ObjectTypeTree, 401: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => ({ items: await objectTypeTree(app.deps, requireAuth(request).siteId, request.params.id) }),
  );

  app.get(
    '/backups/:id/objects',
    {
      schema: {
        tags: ['browse'],
        summary: 'Objects of a completed backup; q searches label, key and attribute values; keyset paging with cursor',
        security: [{ session: [] }],
        params: BackupParams,
        querystring: ObjectQuery,
        response: { 200: ObjectPage, 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => listObjects(app.deps, requireAuth(request).siteId, request.params.id, request.query),
  );

  app.get(
    '/backups/:id/objects/:objectId',
    {
      schema: {
        tags: ['browse'],
        summary: 'One object: attributes with names, references as links, history and issues',
        security: [{ session: [] }],
        params: ObjectParams,
        response: { 200: ObjectDetailBody, 401: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => objectDetail(app.deps, requireAuth(request).siteId, request.params.id, request.params.objectId),
  );

  app.get(
    '/backups/:id/definitions',
    {
      schema: {
        tags: ['browse'],
        summary:
          "The backup's schema definitions: object types with icons, descriptions and attributes (kind, cardinality, uniqueness, label, options, reference target), status and reference types",
        security: [{ session: [] }],
        params: BackupParams,
        response: { 200: BackupDefinitions, 401: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => backupDefinitions(app.deps, requireAuth(request).siteId, request.params.id),
  );

  app.get(
    '/backups/:id/icons/:iconId',
    {
      schema: {
        tags: ['browse'],
        summary: "An object type icon's picture as the backup holds it (PNG); 404 when it was made without icons",
        security: [{ session: [] }],
        params: IconParams,
        response: { 200: Type.Unknown({ description: 'image/png' }), 401: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      const png = await backupIconPng(app.deps, requireAuth(request).siteId, request.params.id, request.params.iconId);
      // a backup never changes: the picture may be kept (privately: it is behind the session)
      return reply.type('image/png').header('cache-control', 'private, max-age=86400, immutable').send(png);
    },
  );
};
