/** Request plumbing shared by the route files: the per-request site context, query parsing, paging. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorSite } from './site.js';
import type { Renderer } from './render.js';
import type { EndpointBucket, ErrorBodyStyle } from './types.js';
import { EmulatorHttpError, type JiraEnvelope } from './errors.js';

export interface RequestContext {
  site: EmulatorSite;
  renderer: Renderer;
  bucket: EndpointBucket;
}

const contexts = new WeakMap<FastifyRequest, RequestContext>();

export function setContext(req: FastifyRequest, ctx: RequestContext): void {
  contexts.set(req, ctx);
}

export function ctx(req: FastifyRequest): RequestContext {
  const c = contexts.get(req);
  if (!c) throw new EmulatorHttpError(500, { errorMessages: ['no site context'] });
  return c;
}

type Query = Record<string, string | string[] | undefined>;

export function q(req: FastifyRequest): Query {
  return (req.query ?? {}) as Query;
}
export function qStr(query: Query, name: string): string | undefined {
  const v = query[name];
  return Array.isArray(v) ? v[0] : v;
}
export function qBool(query: Query, name: string, dflt: boolean): boolean {
  const v = qStr(query, name);
  if (v === undefined || v === '') return dflt;
  return v.toLowerCase() === 'true';
}
export function qInt(query: Query, name: string, dflt: number, min = 0): number {
  const v = qStr(query, name);
  if (v === undefined || v === '') return dflt;
  if (!/^-?\d+$/.test(v)) throw new EmulatorHttpError(400, { errorMessages: [`${name} must be an integer`] });
  return Math.max(min, Number(v));
}
export function params(req: FastifyRequest): Record<string, string> {
  return (req.params ?? {}) as Record<string, string>;
}

/** Effective page size: the requested one capped at the site's ceiling (echoed back to the client). */
export function pageSize(req: FastifyRequest, dflt: number): { startAt: number; maxResults: number } {
  const query = q(req);
  const ceiling = ctx(req).site.knobs().maxResultsCeiling ?? 1000;
  const startAt = qInt(query, 'startAt', 0);
  const maxResults = Math.max(1, Math.min(qInt(query, 'maxResults', dflt, 1), ceiling));
  return { startAt, maxResults };
}

/** Sends an error in the style the site's knobs ask for (Atlassian is not consistent about it). */
export function sendError(
  reply: FastifyReply,
  status: number,
  envelope: JiraEnvelope,
  style: ErrorBodyStyle = 'jira',
  headers: Record<string, string> = {},
): FastifyReply {
  reply.code(status).headers(headers);
  const message = envelope.errorMessages[0] ?? Object.values(envelope.errors)[0] ?? `HTTP ${status}`;
  switch (style) {
    case 'gateway':
      return reply.type('application/json').send({ code: status, message });
    case 'empty':
      return reply.send();
    case 'text':
      return reply.type('text/plain; charset=utf-8').send(message);
    default:
      return reply.type('application/json').send(envelope);
  }
}
