/** A snapshot of an emulator site's schema, uploaded the way the Forge app does (signed calls), for tests. */
import { createAssetsClient, createFetchTransport, type AssetsClient } from '@assets-vault/shared/assets-client';
import { runBackup, type BackupOptions } from '@assets-vault/shared/backup';
import { forgeApiPaths } from '@assets-vault/shared/contract';
import type { EmulatorSite } from '@assets-vault/emulator';
import { createMemoryChunkStore } from '@assets-vault/shared/snapshot';
import { openBackupRequest, signedForgeCall } from './forge.js';
import type { TestSnapshot } from './snapshot.js';

/** An Assets client for an emulator site, over HTTP with the site's basic credentials. */
export function clientForSite(site: EmulatorSite): AssetsClient {
  return createAssetsClient({
    transport: createFetchTransport({
      siteUrl: site.info.siteUrl,
      assetsApiBase: site.info.assetsApiBase,
      auth: { type: 'basic', email: site.info.email, apiToken: site.info.apiToken },
    }),
  });
}

/** Reads `schemaId` of `site` with the shared backup engine over HTTP into memory. */
export async function snapshotOfSite(
  site: EmulatorSite,
  schemaId: string,
  source: { cloudId: string; siteUrl: string },
  options: BackupOptions,
  maxChunkRecords = 500,
): Promise<TestSnapshot> {
  const client = clientForSite(site);
  const store = createMemoryChunkStore();
  const result = await runBackup({ client, schemaId, source, options, sink: store, writer: { maxChunkRecords } });
  if (!result.done) throw new Error('backup did not finish');
  return { manifest: result.manifest, chunks: store.chunks };
}

/** A signed Forge API call that throws unless the vault answers one of `ok`. */
async function expectedCall(
  ok: number[],
  ...call: Parameters<typeof signedForgeCall>
): Promise<Record<string, unknown>> {
  const res = await signedForgeCall(...call);
  if (!ok.includes(res.status)) {
    const [, method, path] = call;
    throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

/**
 * Opens a backup of `snapshot` through the signed upload routes (`openId` is the webhook id of the
 * open call), uploads `chunks` (all of the snapshot's by default) and completes it unless `complete`
 * is false. Returns its id; throws on any answer but a healthy vault's (201 or 200, then 200s).
 */
export async function uploadThroughForgeApi(
  baseUrl: string,
  site: { cloudId: string; siteUrl: string },
  snapshot: TestSnapshot,
  options: { openId: string; kind?: 'manual' | 'scheduled'; chunks?: Map<number, Uint8Array>; complete?: boolean },
): Promise<string> {
  const { manifest } = snapshot;
  const openBody = JSON.stringify(openBackupRequest(manifest, site, options.kind ?? 'manual'));
  const opened = await expectedCall([200, 201], baseUrl, 'POST', forgeApiPaths.backups, options.openId, openBody);
  const id = String(opened.backupId);
  for (const [seq, bytes] of options.chunks ?? snapshot.chunks) {
    const sha = manifest.chunks[seq]?.sha256 ?? '';
    await expectedCall([200], baseUrl, 'PUT', forgeApiPaths.chunk(id, seq), `chunk_${id}_${seq}_${sha}`, bytes, {
      'x-content-sha256': sha,
    });
  }
  if (options.complete !== false)
    await expectedCall([200], baseUrl, 'POST', forgeApiPaths.complete(id), `complete_${id}`, JSON.stringify(manifest));
  return id;
}

/** Opens, fills and completes a backup through the signed upload routes; returns its id. */
export async function uploadSnapshot(
  baseUrl: string,
  site: { cloudId: string; siteUrl: string },
  snapshot: TestSnapshot,
  kind: 'manual' | 'scheduled',
): Promise<string> {
  const openId = `bkc_${snapshot.manifest.contentSha256.slice(0, 16)}_${kind}`;
  return uploadThroughForgeApi(baseUrl, site, snapshot, { openId, kind });
}
