/** A snapshot of an emulator site's schema, uploaded the way the Forge app does (signed calls), for tests. */
import { createAssetsClient, createFetchTransport } from '@assets-vault/shared/assets-client';
import { runBackup, type BackupOptions } from '@assets-vault/shared/backup';
import type { EmulatorSite } from '@assets-vault/emulator';
import { createMemoryChunkStore } from '@assets-vault/shared/snapshot';
import { signWebhook } from '@assets-vault/shared/webhooks';
import { TEST_WEBHOOK_SECRET } from './app.js';
import type { TestSnapshot } from './snapshot.js';

/** Reads `schemaId` of `site` with the shared backup engine over HTTP into memory. */
export async function snapshotOfSite(
  site: EmulatorSite,
  schemaId: string,
  source: { cloudId: string; siteUrl: string },
  options: BackupOptions,
  maxChunkRecords = 500,
): Promise<TestSnapshot> {
  const client = createAssetsClient({
    transport: createFetchTransport({
      siteUrl: site.info.siteUrl,
      assetsApiBase: site.info.assetsApiBase,
      auth: { type: 'basic', email: site.info.email, apiToken: site.info.apiToken },
    }),
  });
  const store = createMemoryChunkStore();
  const result = await runBackup({ client, schemaId, source, options, sink: store, writer: { maxChunkRecords } });
  if (!result.done) throw new Error('backup did not finish');
  return { manifest: result.manifest, chunks: store.chunks };
}

async function signedCall(
  baseUrl: string,
  method: 'POST' | 'PUT',
  path: string,
  id: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${baseUrl}/api/v1/forge${path}`, {
    method,
    body,
    headers: {
      ...signWebhook({ secrets: TEST_WEBHOOK_SECRET, id, body }),
      'content-type': typeof body === 'string' ? 'application/json' : 'application/octet-stream',
      ...headers,
    },
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
}

/** Opens, fills and completes a backup through the signed upload routes; returns its id. */
export async function uploadSnapshot(
  baseUrl: string,
  site: { cloudId: string; siteUrl: string },
  snapshot: TestSnapshot,
  kind: 'manual' | 'scheduled',
): Promise<string> {
  const { manifest } = snapshot;
  const opened = await signedCall(
    baseUrl,
    'POST',
    '/backups',
    `bkc_${manifest.contentSha256.slice(0, 16)}_${kind}`,
    JSON.stringify({
      ...site,
      schema: { id: manifest.schema.id, name: manifest.schema.name, key: manifest.schema.key },
      kind,
      startedAt: manifest.createdAt,
      options: manifest.options,
    }),
  );
  const id = String(opened.backupId);
  for (const [seq, bytes] of snapshot.chunks) {
    const sha = manifest.chunks[seq]?.sha256 ?? '';
    await signedCall(baseUrl, 'PUT', `/backups/${id}/chunks/${seq}`, `chunk_${id}_${seq}_${sha}`, bytes, {
      'x-content-sha256': sha,
    });
  }
  await signedCall(baseUrl, 'POST', `/backups/${id}/complete`, `complete_${id}`, JSON.stringify(manifest));
  return id;
}
