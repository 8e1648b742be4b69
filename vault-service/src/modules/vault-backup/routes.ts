/** "Backup now" from the vault with the site's stored credentials, and the job's progress. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { forModule } from '../../deps.js';
import { requireAuth } from '../../plugins/session.js';
import { ErrorResponse } from '../../plugins/error-handler.js';
import type { VaultBackupJob } from './repository.js';
import { getVaultBackupJob, requestVaultBackup } from './service.js';

const JobView = Type.Object({
  id: Type.String(),
  schemaId: Type.String(),
  status: Type.Union([
    Type.Literal('queued'),
    Type.Literal('running'),
    Type.Literal('completed'),
    Type.Literal('failed'),
  ]),
  progress: Type.Unknown(),
  backupId: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Integer(),
  /** a fixed message for people (never the underlying error text) */
  error: Type.Union([Type.String(), Type.Null()]),
  /** its stable code: assets_unreachable, assets_unauthorized, site_address_refused, runner_lost, … */
  errorCode: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
});
const view = (j: VaultBackupJob) => ({
  id: j.id,
  schemaId: j.schemaId,
  status: j.status,
  progress: j.progress ?? null,
  backupId: j.status === 'completed' ? j.backupId : null,
  attempts: j.attempts,
  error: j.lastError?.message ?? null,
  errorCode: j.lastError?.code ?? null,
  createdAt: j.createdAt.toISOString(),
  finishedAt: j.finishedAt?.toISOString() ?? null,
});

export const vaultBackupRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const deps = forModule(app.deps, 'vault-backup');

  app.post(
    '/schemas/:schemaId/backups',
    {
      schema: {
        tags: ['backups'],
        summary:
          'Back up the schema now from the vault with the stored credentials (202 + job id); only schemas the site chose, unless unsyncedSchema is true',
        security: [{ session: [] }],
        params: Type.Object({ schemaId: Type.String({ pattern: '^[0-9]{1,18}$' }) }),
        // no body = the defaults (history on, icons and issue references off)
        body: Type.Union([
          Type.Null(),
          Type.Object(
            {
              history: Type.Optional(Type.Boolean()),
              icons: Type.Optional(Type.Boolean()),
              issueRefs: Type.Optional(Type.Boolean()),
              unsyncedSchema: Type.Optional(
                Type.Boolean({
                  description:
                    'true: back up a schema the site did not choose in the Forge app (audited as such); otherwise such a schema is a 409 schema_not_synced',
                }),
              ),
            },
            { additionalProperties: false },
          ),
        ]),
        response: {
          202: Type.Object({ jobId: Type.String(), status: Type.String() }),
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          409: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request);
      const { unsyncedSchema, ...options } = request.body ?? {};
      const job = await requestVaultBackup(deps, auth.siteId, {
        schemaId: request.params.schemaId,
        actor: auth.email,
        options,
        ...(unsyncedSchema !== undefined ? { unsyncedSchema } : {}),
      });
      app.workers.vaultBackups?.wake();
      return reply
        .code(202)
        .header('location', `/api/v1/backup-jobs/${job.id}`)
        .send({ jobId: job.id, status: job.status });
    },
  );

  app.get(
    '/backup-jobs/:jobId',
    {
      schema: {
        tags: ['backups'],
        summary: 'A vault-side backup job: status, progress, the completed backup',
        security: [{ session: [] }],
        params: Type.Object({ jobId: Type.String() }),
        response: { 200: JobView, 401: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => view(await getVaultBackupJob(deps, requireAuth(request).siteId, request.params.jobId)),
  );
};
