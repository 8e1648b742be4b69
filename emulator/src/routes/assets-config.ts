/** Assets routes for configuration: status types, reference types, global/schema config, icons, usage (§3.6–3.8). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EmulatorHttpError, notFound } from '../errors.js';
import { ctx, params, q, qBool, qStr } from '../http.js';
import { solidPng } from '../png.js';
import { toId } from '../store/records.js';

/** `icon.png` is documented with a 406 when `Accept` rules out images. */
function sendPng(req: FastifyRequest, reply: FastifyReply, colour: number): FastifyReply {
  const accept = req.headers.accept;
  if (accept && !/(image\/png|image\/\*|\*\/\*)/i.test(accept)) {
    throw new EmulatorHttpError(406, { errorMessages: ['Not acceptable: send Accept: image/png'] });
  }
  const size = Number(q(req).size ?? 16) >= 48 ? 48 : 16;
  return reply.type('image/png').send(solidPng(colour, size));
}

export function configRoutes(app: FastifyInstance): void {
  app.get('/config/statustype', async (req) => {
    const { site, renderer } = ctx(req);
    const schemaId = qStr(q(req), 'objectSchemaId');
    return site.data.statusList(schemaId === undefined ? undefined : toId(schemaId)).map((s) => renderer.status(s));
  });
  app.post('/config/statustype', async (req, reply) => {
    const { site, renderer } = ctx(req);
    return reply.code(201).send(renderer.status(site.data.createStatus(req.body)));
  });
  app.get('/config/statustype/:id', async (req) => {
    const { site, renderer } = ctx(req);
    return renderer.status(site.data.getStatus(params(req).id));
  });
  app.put('/config/statustype/:id', async (req) => {
    const { site, renderer } = ctx(req);
    return renderer.status(site.data.updateStatus(params(req).id, req.body));
  });
  app.delete('/config/statustype/:id', async (req, reply) => {
    const { site } = ctx(req);
    site.data.deleteStatus(params(req).id);
    return reply.code(200).send();
  });

  app.get('/config/referencetype', async (req) => {
    const { site, renderer } = ctx(req);
    const query = q(req);
    const schemaId = qStr(query, 'objectSchemaId');
    return site.data
      .refTypeList(schemaId === undefined ? undefined : toId(schemaId), qBool(query, 'includeAll', false))
      .map((r) => renderer.referenceType(r));
  });
  app.post('/config/referencetype', async (req, reply) => {
    const { site, renderer } = ctx(req);
    return reply.code(201).send(renderer.referenceType(site.data.createRefType(req.body)));
  });
  app.get('/config/referencetype/:id/icon.png', async (req, reply) => {
    const { site } = ctx(req);
    const id = toId(params(req).id) ?? -1;
    if (!site.data.referenceType(id)) throw notFound('Reference type not found');
    return sendPng(req, reply, id + 100);
  });

  app.get('/global/config', async (req) => ctx(req).site.data.globalConfig);
  app.get('/global/config/objectschema/:id', async (req) => ctx(req).site.data.getSchema(params(req).id).config);
  app.post('/global/config/objectschema/:id/property', async (req, reply) => {
    ctx(req).site.data.setSchemaConfig(params(req).id, req.body);
    return reply.code(200).send();
  });

  // the global catalog only; a schema's own icons show up on its object types (§3.7)
  app.get('/icon/global', async (req) => {
    const { site, renderer } = ctx(req);
    return site.data.globalIcons().map((i) => renderer.icon(i.id));
  });
  app.get('/icon/:id', async (req) => {
    const { site, renderer } = ctx(req);
    return renderer.icon(site.data.getIcon(params(req).id).id);
  });
  app.get('/icon/:id/icon.png', async (req, reply) => {
    const { site } = ctx(req);
    return sendPng(req, reply, site.data.getIcon(params(req).id).id);
  });
  app.get('/objecttype/:id/icon.png', async (req, reply) => {
    const { site } = ctx(req);
    return sendPng(req, reply, site.data.getType(params(req).id).iconId);
  });

  app.get('/usage', async (req) => {
    const usage = ctx(req).site.data.usage();
    return {
      // system schemas (canManage false) do not count against the allowance
      totalObjectsCount: usage.total,
      perSchemaUsageInfo: usage.perSchema.map(({ schema, objectCount }) => ({
        // a number here, unlike everywhere else (§3.8)
        schemaId: schema.id,
        schemaName: schema.name,
        schemaCreatedAt: new Date(schema.created).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        objectCount,
      })),
    };
  });
}
