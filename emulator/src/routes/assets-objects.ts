/** Assets routes for objects: CRUD, AQL search, history, avatars, references, connected tickets (§3.4, §3.5, §3.9). */
import type { FastifyInstance } from 'fastify';
import type { AssetObject, ObjectTypeAttribute } from '@assets-vault/shared/model';
import { badRequestMessage, notFound } from '../errors.js';
import { ctx, pageSize, params, q, qBool } from '../http.js';
import { solidPng } from '../png.js';
import { toId } from '../store/records.js';

function qlQueryOf(body: unknown): string {
  const ql =
    (body as { qlQuery?: unknown; iql?: unknown } | undefined)?.qlQuery ?? (body as { iql?: unknown } | undefined)?.iql;
  if (typeof ql !== 'string') throw badRequestMessage('qlQuery is required');
  return ql;
}

export function objectRoutes(app: FastifyInstance): void {
  app.post('/object/create', async (req, reply) => {
    const { site, renderer } = ctx(req);
    const o = site.data.createObject(req.body, site.actorAccountId);
    if (site.traffic.dropAfterCreate()) {
      // the object exists, but the client never hears about it (§10 failure injection)
      reply.hijack();
      req.raw.socket.destroy();
      return reply;
    }
    return reply.code(201).send(renderer.object(o, 'none'));
  });

  app.get('/object/:id', async (req) => {
    const { site, renderer } = ctx(req);
    return renderer.object(site.data.getObject(params(req).id), 'embedded', true);
  });

  app.put('/object/:id', async (req) => {
    const { site, renderer } = ctx(req);
    const o = site.data.updateObject(params(req).id, req.body, site.actorAccountId);
    return renderer.object(o, 'embedded');
  });

  app.delete('/object/:id', async (req, reply) => {
    const { site } = ctx(req);
    site.data.deleteObject(params(req).id);
    return reply.code(site.knobs().deleteStatus ?? 204).send();
  });

  app.get('/object/:id/attributes', async (req) => {
    const { site, renderer } = ctx(req);
    return renderer.objectAttributes(site.data.getObject(params(req).id), true);
  });

  app.get('/object/:id/history', async (req) => {
    const { site, renderer } = ctx(req);
    const o = site.data.getObject(params(req).id);
    const list = site.data.history(o.id).map((h) => renderer.history(h));
    return qBool(q(req), 'asc', false) ? list : list.reverse();
  });

  app.get('/object/:id/referenceinfo', async (req) => {
    const { site, renderer } = ctx(req);
    const target = site.data.getObject(params(req).id);
    return site.data.referencesTo(target.id).map((g) => {
      const t = site.data.type(g.typeId);
      const rt = site.data.referenceType(g.referenceTypeId);
      return {
        ...(rt ? { referenceTypes: [renderer.referenceType(rt)] } : {}),
        ...(t ? { objectType: renderer.objectType(t) } : {}),
        numberOfReferencedObjects: g.count,
        openIssuesExists: false,
      };
    });
  });

  app.get('/object/:id/avatar.png', async (req, reply) => {
    const { site } = ctx(req);
    const o = site.data.getObject(params(req).id);
    const avatar = o.avatarUUID ? site.data.avatar(o.avatarUUID) : undefined;
    if (!avatar) throw notFound('This object has no avatar');
    const size = Math.min(288, Math.max(16, Number(q(req).size ?? 48) || 48));
    return reply.type('image/png').send(solidPng(avatar.colour, size));
  });

  app.get('/objectconnectedtickets/:id/tickets', async (req) => {
    const { site } = ctx(req);
    const o = site.data.getObject(params(req).id);
    const assetsFields = site.data.assetsFields();
    const tickets = [];
    for (const issue of site.data.issuesReferencing(o.id)) {
      tickets.push({
        workspaceId: site.data.workspaceId,
        globalId: site.data.globalId(issue.id),
        id: String(issue.id),
        key: issue.key,
        title: issue.summary,
        reporter: issue.reporter,
        created: new Date(issue.created).toISOString(),
        updated: new Date(issue.updated).toISOString(),
        status: { name: issue.status, colorName: issue.status === 'Done' ? 'green' : 'blue' },
        type: { name: issue.issueType, iconUrl: `${site.info.siteUrl}/images/icons/issuetypes/task.svg` },
        priority: { name: 'Medium', iconUrl: `${site.info.siteUrl}/images/icons/priorities/medium.svg` },
      });
    }
    const clauses = assetsFields.map((f) => `cf[${f.customId}] IN aqlFunction("objectId = ${o.id}")`);
    return { tickets, allTicketsQuery: clauses.join(' OR ') };
  });

  app.post('/object/aql', async (req) => {
    const { site, renderer } = ctx(req);
    const ql = qlQueryOf(req.body);
    const { startAt, maxResults } = pageSize(req, 25);
    const includeAttributes = qBool(q(req), 'includeAttributes', true);
    const ids = site.data.aqlIds(ql);
    const values: AssetObject[] = [];
    const defs = new Map<number, ObjectTypeAttribute>();
    for (const id of ids.slice(startAt, startAt + maxResults)) {
      const o = site.data.object(id);
      if (!o) continue;
      const rendered = renderer.object(o, includeAttributes ? 'plain' : 'none');
      values.push(rendered);
      if (includeAttributes) {
        for (const attr of rendered.attributes ?? []) {
          const attrId = Number(attr.objectTypeAttributeId);
          if (!defs.has(attrId)) {
            const rec = site.data.attribute(attrId);
            if (rec) defs.set(attrId, renderer.attribute(rec, true));
          }
        }
      }
    }
    const isLast = startAt + values.length >= ids.length;
    const mode = site.knobs().totalMode ?? 'exact';
    return {
      startAt,
      maxResults,
      ...(mode === 'exact' ? { total: ids.length } : mode === 'capped' ? { total: Math.min(ids.length, 1000) } : {}),
      isLast,
      last: isLast,
      values,
      objectTypeAttributes: [...defs.values()],
    };
  });

  app.post('/object/aql/totalcount', async (req) => {
    const { site } = ctx(req);
    return { totalCount: site.data.aqlIds(qlQueryOf(req.body)).length };
  });

  // deprecated since 30 Sep 2024 but still answered (legacy navlist envelope, 1-based pages)
  app.post('/object/navlist/aql', async (req) => {
    const { site, renderer } = ctx(req);
    const body = (req.body ?? {}) as {
      qlQuery?: unknown;
      page?: unknown;
      resultsPerPage?: unknown;
      includeAttributes?: unknown;
      objectTypeId?: unknown;
    };
    const ql =
      typeof body.qlQuery === 'string'
        ? body.qlQuery
        : body.objectTypeId !== undefined
          ? `objectTypeId = ${String(toId(body.objectTypeId) ?? -1)}`
          : qlQueryOf(body);
    const page = Math.max(1, toId(body.page) ?? 1);
    const perPage = Math.min(toId(body.resultsPerPage) ?? 25, site.knobs().maxResultsCeiling ?? 1000) || 25;
    const ids = site.data.aqlIds(ql);
    const slice = ids.slice((page - 1) * perPage, page * perPage);
    const entries = slice
      .map((id) => site.data.object(id))
      .filter((o) => o !== undefined)
      .map((o) => renderer.object(o, body.includeAttributes === false ? 'none' : 'plain'));
    return {
      objectEntries: entries,
      objectTypeAttributes: [],
      totalFilterCount: ids.length,
      startIndex: (page - 1) * perPage,
      toIndex: (page - 1) * perPage + entries.length,
      pageObjectSize: entries.length,
      pageNumber: page,
      pageSize: Math.ceil(ids.length / perPage),
      qlQuery: ql,
    };
  });
}
