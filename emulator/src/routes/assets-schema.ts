/** Assets routes for the schema structure: object schemas, object types and their attributes (§3.1–3.3). */
import type { FastifyInstance } from 'fastify';
import { ctx, pageSize, params, q, qBool, qStr } from '../http.js';
import type { AttrRec } from '../store/records.js';

export function schemaRoutes(app: FastifyInstance): void {
  app.get('/objectschema/list', async (req) => {
    const { site, renderer } = ctx(req);
    const { startAt, maxResults } = pageSize(req, 25);
    const counts = qBool(q(req), 'includeCounts', false);
    const all = site.data.schemaList();
    const query = qStr(q(req), 'query');
    const filtered = query ? all.filter((s) => s.name.toLowerCase().includes(query.toLowerCase())) : all;
    const values = filtered.slice(startAt, startAt + maxResults).map((s) => renderer.schema(s, counts));
    const isLast = startAt + values.length >= filtered.length;
    return { startAt, maxResults, total: filtered.length, isLast, last: isLast, values };
  });

  app.post('/objectschema/create', async (req, reply) => {
    const { site, renderer } = ctx(req);
    const s = site.data.createSchema(req.body);
    return reply.code(201).send(renderer.schema(s, true));
  });

  app.get('/objectschema/:id', async (req) => {
    const { site, renderer } = ctx(req);
    return renderer.schema(site.data.getSchema(params(req).id), true);
  });

  app.put('/objectschema/:id', async (req) => {
    const { site, renderer } = ctx(req);
    return renderer.schema(site.data.updateSchema(params(req).id, req.body), true);
  });

  app.delete('/objectschema/:id', async (req) => {
    const { site, renderer } = ctx(req);
    const s = site.data.getSchema(params(req).id);
    const rendered = renderer.schema(s, true);
    site.data.deleteSchema(s.id);
    return rendered;
  });

  app.get('/objectschema/:id/attributes', async (req) => {
    const { site, renderer } = ctx(req);
    const s = site.data.getSchema(params(req).id);
    const query = q(req);
    const extended = qBool(query, 'extended', false);
    let attrs = site.data.schemaAttributes(s.id);
    if (qBool(query, 'onlyValueEditable', false)) attrs = attrs.filter((a) => a.editable);
    const nameFilter = qStr(query, 'query');
    if (nameFilter) attrs = attrs.filter((a) => a.name.toLowerCase().includes(nameFilter.toLowerCase()));
    return attrs.map((a) => renderer.attribute(a, extended));
  });

  // The non-flat list answers the root types only; clients must rebuild the tree from /flat (§3.1).
  app.get('/objectschema/:id/objecttypes', async (req) => {
    const { site, renderer } = ctx(req);
    const s = site.data.getSchema(params(req).id);
    let types = site.data.childrenOf(undefined, s.id);
    if (qBool(q(req), 'excludeAbstract', false)) types = types.filter((t) => !t.abstract);
    return types.map((t) => renderer.objectType(t, true));
  });

  app.get('/objectschema/:id/objecttypes/flat', async (req) => {
    const { site, renderer } = ctx(req);
    const s = site.data.getSchema(params(req).id);
    const query = q(req);
    const counts = qBool(query, 'includeObjectCounts', false);
    const nameFilter = qStr(query, 'query');
    const exclude = qStr(query, 'exclude');
    return site.data
      .typeList()
      .filter((t) => t.schemaId === s.id)
      .filter((t) => !nameFilter || t.name.toLowerCase().includes(nameFilter.toLowerCase()))
      .filter((t) => !exclude || t.name !== exclude)
      .map((t) => renderer.objectType(t, counts));
  });

  app.post('/objecttype/create', async (req, reply) => {
    const { site, renderer } = ctx(req);
    return reply.code(201).send(renderer.objectType(site.data.createType(req.body), true));
  });

  app.get('/objecttype/:id', async (req) => {
    const { site, renderer } = ctx(req);
    return renderer.objectType(site.data.getType(params(req).id), true);
  });

  app.put('/objecttype/:id', async (req) => {
    const { site, renderer } = ctx(req);
    return renderer.objectType(site.data.updateType(params(req).id, req.body), true);
  });

  app.delete('/objecttype/:id', async (req) => {
    const { site, renderer } = ctx(req);
    const t = site.data.getType(params(req).id);
    const rendered = renderer.objectType(t, true);
    site.data.deleteType(t.id);
    return rendered;
  });

  app.post('/objecttype/:id/position', async (req) => {
    const { site, renderer } = ctx(req);
    return renderer.objectType(site.data.moveType(params(req).id, req.body), true);
  });

  app.get('/objecttype/:id/attributes', async (req) => {
    const { site, renderer } = ctx(req);
    const t = site.data.getType(params(req).id);
    const query = q(req);
    const view = site.data.view(t.id);
    let attrs: AttrRec[] = qBool(query, 'excludeParentAttributes', false)
      ? view.attrs.filter((a) => a.typeId === t.id)
      : [...view.attrs];
    if (qBool(query, 'includeChildren', false)) {
      for (const other of site.data.typeList()) {
        if (other.id !== t.id && site.data.isSameOrDescendant(other.id, t.id)) {
          for (const a of site.data.view(other.id).attrs) if (a.typeId === other.id) attrs.push(a);
        }
      }
    }
    if (qBool(query, 'onlyValueEditable', false)) attrs = attrs.filter((a) => a.editable);
    const nameFilter = qStr(query, 'query');
    if (nameFilter) attrs = attrs.filter((a) => a.name.toLowerCase().includes(nameFilter.toLowerCase()));
    if (qBool(query, 'orderByName', false)) attrs.sort((a, b) => a.name.localeCompare(b.name));
    if (qBool(query, 'orderByRequired', false)) attrs.sort((a, b) => b.min - a.min);
    return attrs.map((a) => renderer.attribute(a, true));
  });

  app.post('/objecttypeattribute/:typeId', async (req, reply) => {
    const { site, renderer } = ctx(req);
    const a = site.data.createAttribute(params(req).typeId, req.body);
    return reply.code(201).send(renderer.attribute(a, true));
  });

  app.put('/objecttypeattribute/:typeId/:id', async (req) => {
    const { site, renderer } = ctx(req);
    const p = params(req);
    return renderer.attribute(site.data.updateAttribute(p.typeId, p.id, req.body), true);
  });

  app.delete('/objecttypeattribute/:id', async (req, reply) => {
    const { site } = ctx(req);
    site.data.deleteAttribute(params(req).id);
    return reply.code(200).send();
  });
}
