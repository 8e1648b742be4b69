/** Signs Forge calls the way the Forge app does (Standard Webhooks over the exact body bytes). */
import { randomUUID } from 'node:crypto';
import type { OpenBackupBody } from '@assets-vault/shared/contract';
import type { SnapshotManifest } from '@assets-vault/shared/snapshot';
import { signWebhook } from '@assets-vault/shared/webhooks';
import { TEST_WEBHOOK_SECRET } from './app.js';

export interface ForgeEventBody {
  type: string;
  cloudId: string;
  siteUrl: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

export function forgeEvent(
  type: string,
  data: Record<string, unknown>,
  site: { cloudId: string; siteUrl: string },
  occurredAt = new Date(),
): ForgeEventBody {
  return { type, cloudId: site.cloudId, siteUrl: site.siteUrl, occurredAt: occurredAt.toISOString(), data };
}

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

export function signEvent(
  event: unknown,
  options: { id?: string; secret?: string | string[]; timestampSec?: number; body?: string } = {},
): SignedRequest {
  const body = options.body ?? JSON.stringify(event);
  const headers = signWebhook({
    secrets: options.secret ?? TEST_WEBHOOK_SECRET,
    id: options.id ?? `msg_${randomUUID()}`,
    body,
    ...(options.timestampSec === undefined ? {} : { timestampSec: options.timestampSec }),
  });
  return { body, headers: { ...headers, 'content-type': 'application/json' } };
}

/** POSTs a signed request to /api/v1/forge/events over real HTTP. */
export async function postSigned(
  baseUrl: string,
  request: SignedRequest,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${baseUrl}/api/v1/forge/events`, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}

export async function sendEvent(baseUrl: string, event: unknown, options: Parameters<typeof signEvent>[1] = {}) {
  return postSigned(baseUrl, signEvent(event, options));
}

/** A signed call to the Forge API over real HTTP, `path` as in `forgeApiPaths` (shared/contract). */
export async function signedForgeCall(
  baseUrl: string,
  method: 'POST' | 'PUT',
  path: string,
  id: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    body,
    headers: {
      ...signWebhook({ secrets: TEST_WEBHOOK_SECRET, id, body }),
      'content-type': typeof body === 'string' ? 'application/json' : 'application/octet-stream',
      ...headers,
    },
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** The body of `POST /api/v1/forge/backups` for a snapshot, as the Forge app opens it. */
export function openBackupRequest(
  manifest: SnapshotManifest,
  site: { cloudId: string; siteUrl: string },
  kind: OpenBackupBody['kind'],
): OpenBackupBody {
  const { id, name, key } = manifest.schema;
  return { ...site, schema: { id, name, key }, kind, startedAt: manifest.createdAt, options: manifest.options };
}

/** `POST /api/v1/forge/backups` for a manual backup of a snapshot, serialised. */
export function openBackupBody(manifest: SnapshotManifest, site: { cloudId: string; siteUrl: string }): string {
  return JSON.stringify(openBackupRequest(manifest, site, 'manual'));
}
