/** `/__emulator/*`: test and benchmark controls (no auth, loopback callers only). */
import type { FastifyInstance } from 'fastify';
import { EmulatorHttpError, badRequestMessage, notFound } from '../errors.js';
import { params, q, qStr } from '../http.js';
import type { EmulatorKnobs } from '../types.js';
import type { EmulatorSite } from '../site.js';
import { seedFixture, type SeedOptions } from '../fixtures.js';

export interface AdminHost {
  sites(): EmulatorSite[];
  site(name: string): EmulatorSite | undefined;
  createSite(opts: { name?: string; knobs?: EmulatorKnobs; seed?: string }): EmulatorSite;
  reset(): void;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function adminRoutes(host: AdminHost) {
  return async (app: FastifyInstance): Promise<void> => {
    app.addHook('onRequest', async (req) => {
      if (!LOOPBACK.has(req.socket.remoteAddress ?? ''))
        throw new EmulatorHttpError(403, { errorMessages: ['emulator controls answer loopback callers only'] });
    });
    const siteOr404 = (name: string | undefined) => {
      const s = name === undefined ? undefined : host.site(name);
      if (!s) throw notFound(`No emulated site named ${String(name)}`);
      return s;
    };

    app.get('/counters', async (req) => {
      const name = qStr(q(req), 'site');
      if (name !== undefined) return siteOr404(name).counters();
      return Object.fromEntries(host.sites().map((s) => [s.info.name, s.counters()]));
    });
    app.post('/counters/reset', async (req, reply) => {
      const name = qStr(q(req), 'site');
      for (const s of name !== undefined ? [siteOr404(name)] : host.sites()) s.resetCounters();
      return reply.code(204).send();
    });

    app.post('/reset', async (req, reply) => {
      const name = (req.body as { site?: unknown } | undefined)?.site ?? qStr(q(req), 'site');
      if (typeof name === 'string') {
        const s = siteOr404(name);
        s.resetData();
        s.resetCounters();
      } else {
        host.reset();
      }
      return reply.code(204).send();
    });

    app.get('/sites', async () => host.sites().map((s) => s.info));

    app.post('/sites', async (req, reply) => {
      const body = (req.body ?? {}) as { name?: unknown; knobs?: unknown; seed?: unknown; fixture?: unknown };
      if (body.name !== undefined && (typeof body.name !== 'string' || !/^[a-z0-9][a-z0-9-]{0,40}$/.test(body.name))) {
        throw badRequestMessage('name must be lower-case letters, digits and dashes');
      }
      if (body.name !== undefined && host.site(body.name))
        throw badRequestMessage(`A site named ${body.name} already exists`);
      const site = host.createSite({
        ...(typeof body.name === 'string' ? { name: body.name } : {}),
        ...(body.knobs && typeof body.knobs === 'object' ? { knobs: body.knobs as EmulatorKnobs } : {}),
        ...(typeof body.seed === 'string' ? { seed: body.seed } : {}),
      });
      const fixture = body.fixture && typeof body.fixture === 'object' ? (body.fixture as SeedOptions) : undefined;
      const seeded = fixture ? seedFixture(site, { ...fixture, objects: Number(fixture.objects ?? 0) }) : undefined;
      return reply.code(201).send({ ...site.info, ...(seeded ? { fixture: seeded } : {}) });
    });

    app.get('/sites/:name/knobs', async (req) => siteOr404(params(req).name).knobs());
    app.put('/sites/:name/knobs', async (req) => {
      const site = siteOr404(params(req).name);
      if (!req.body || typeof req.body !== 'object') throw badRequestMessage('knobs must be a JSON object');
      site.setKnobs(req.body as EmulatorKnobs);
      return site.knobs();
    });
    app.post('/sites/:name/seed', async (req, reply) => {
      const site = siteOr404(params(req).name);
      const body = (req.body ?? {}) as SeedOptions;
      return reply.code(201).send(seedFixture(site, { ...body, objects: Number(body.objects ?? 0) }));
    });
  };
}
