/**
 * Serves an emulated site at a bare origin (`http://127.0.0.1:<port>`), the shape real Jira site
 * URLs have, by forwarding every request to the emulator's `/sites/<name>` base. The vault accepts
 * only bare-origin site URLs in signed bodies (vault-service site-url.ts), while the emulator serves
 * sites under a path; this proxy is the "site host" between them.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SiteProxy {
  url: string;
  close(): Promise<void>;
}

export async function startSiteProxy(siteUrl: string): Promise<SiteProxy> {
  const target = new URL(siteUrl);
  const basePath = target.pathname.replace(/\/+$/, '');
  const server: Server = createServer((req, res) => {
    const upstream = request({
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: `${basePath}${req.url ?? '/'}`,
      headers: { ...req.headers, host: target.host },
    }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      // the emulator dropped the connection (a reset knob): drop ours too
      req.socket.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
