/** Signed snapshot upload from the Forge app: open, chunks, complete (architecture.md). */
import {
  BackupParams,
  CHUNK_SHA256_HEADER,
  ChunkParams,
  ChunkResponse,
  CompleteResponse,
  OpenBackupBody,
  OpenBackupResponse,
} from '@assets-vault/shared/contract';
import { ValidationError } from '@assets-vault/shared/errors';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { forModule } from '../../deps.js';
import { verifiedCall } from '../../plugins/forge-signature.js';
import { ErrorResponse } from '../../plugins/error-handler.js';
import { completeBackup, openBackup, storeChunk } from './service.js';

/** A chunk is at most 4 MiB of NDJSON before gzip (shared/SNAPSHOT_FORMAT.md); 8 MiB leaves room for one large record. */
export const CHUNK_BODY_LIMIT_BYTES = 8 * 1024 * 1024;
/** A manifest lists every chunk: a million objects make ~250 chunks, far below this. */
const MANIFEST_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

const signed = { security: [{ webhookSignature: [] }], tags: ['forge'] };

/** Signed routes: registered in the Forge subtree, behind `forgeSignature`. */
export const ingestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const deps = forModule(app.deps, 'ingest');
  // the same per-route, per-client limit as events; counted before the signature check, so unsigned floods hit it too
  const rateLimit = { rateLimit: { max: app.config.forgeEventsRateLimitPerMinute, timeWindow: '1 minute' } };

  app.post(
    '/backups',
    {
      bodyLimit: 64 * 1024,
      attachValidation: true,
      config: rateLimit,
      schema: {
        ...signed,
        summary: 'Open a backup upload (signed); a retry with the same webhook-id returns the same backup',
        body: OpenBackupBody,
        response: {
          200: OpenBackupResponse,
          201: OpenBackupResponse,
          401: ErrorResponse,
          409: ErrorResponse,
          413: ErrorResponse,
          422: ErrorResponse,
          429: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const call = verifiedCall(request);
      if (request.validationError) {
        throw new ValidationError('Body must be {cloudId, siteUrl, schema:{id,name,key}, kind, startedAt, options}', {
          statusCode: 422,
          code: 'invalid_backup',
          details: request.validationError.validation.map((v: { instancePath: string; message?: string }) => ({
            field: v.instancePath,
            message: v.message,
          })),
        });
      }
      const opened = await openBackup(deps, { webhookId: call.id, bodySha256: call.bodySha256, body: request.body });
      return reply.code(opened.created ? 201 : 200).send({ backupId: opened.backupId });
    },
  );

  app.put(
    '/backups/:backupId/chunks/:seq',
    {
      bodyLimit: CHUNK_BODY_LIMIT_BYTES,
      config: rateLimit,
      schema: {
        ...signed,
        summary: 'Upload one gzip NDJSON chunk (signed over the raw bytes; header x-content-sha256)',
        params: ChunkParams,
        response: {
          200: ChunkResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          404: ErrorResponse,
          409: ErrorResponse,
          413: ErrorResponse,
          429: ErrorResponse,
        },
      },
    },
    async (request) => {
      const call = verifiedCall(request);
      const header = request.headers[CHUNK_SHA256_HEADER];
      const result = await storeChunk(deps, {
        backupId: request.params.backupId,
        seq: request.params.seq,
        webhookId: call.id,
        declaredSha256: typeof header === 'string' ? header : undefined,
        bytes: call.rawBody,
      });
      return { seq: request.params.seq, sha256: result.sha256, stored: result.stored };
    },
  );

  app.post(
    '/backups/:backupId/complete',
    {
      bodyLimit: MANIFEST_BODY_LIMIT_BYTES,
      config: rateLimit,
      schema: {
        ...signed,
        summary: 'Complete a backup: the vault verifies every chunk against the manifest (signed)',
        params: BackupParams,
        response: {
          200: CompleteResponse,
          401: ErrorResponse,
          404: ErrorResponse,
          409: ErrorResponse,
          413: ErrorResponse,
          422: ErrorResponse,
          429: ErrorResponse,
        },
      },
    },
    async (request) => {
      verifiedCall(request);
      const completed = await completeBackup(deps, { backupId: request.params.backupId, manifest: request.body });
      // its browse tables are in: the search indexer builds their trigram index now, not at its next poll
      app.workers.searchIndexer?.wake();
      return completed;
    },
  );
};
