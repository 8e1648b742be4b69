/** Signs Forge events the way the Forge app does (Standard Webhooks over the exact body bytes). */
import { randomUUID } from 'node:crypto';
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
