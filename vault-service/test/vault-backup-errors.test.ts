/**
 * What a failed "Backup now" tells its user (issue 14 items 4 and 9): a stable code and a fixed
 * message, the same for a refused, a reset and a guarded connection, so the job API is no port scanner;
 * what really happened is in the logs. Real HTTP, real Postgres, real sockets on 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import type { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createVaultBackupRunner } from '../src/jobs/vault-backup-runner.js';
import { createOutboundGuard, outboundPolicyFromConfig } from '../src/outbound/index.js';
import { captureLogs, startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import {
  callApi,
  createSiteWithSession,
  insertSyncedSchema,
  saveSiteCredentials,
  type TestSite,
} from './helpers/site.js';

interface JobView {
  status: string;
  error: string | null;
  errorCode: string | null;
}

const encryptionKey = `k1:${randomBytes(32).toString('base64')}`;

async function tcpServer(onConnection: (socket: Socket) => void): Promise<Server> {
  const server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
const portOf = (server: Server) => (server.address() as AddressInfo).port;
const close = (server: Server) => new Promise((resolve) => server.close(resolve));

async function backUpOnce(vault: TestApp, site: TestSite, logs: ReturnType<typeof captureLogs>): Promise<JobView> {
  const api = (path: string, init: RequestInit = {}) => callApi(vault, site.cookie, path, init);
  const requested = await api('/schemas/1/backups', { method: 'POST', body: '{}' });
  expect(requested.status).toBe(202);
  const { jobId } = (await requested.json()) as { jobId: string };
  // a failed attempt is retried an hour later: the next suite's job is the next one claimed
  const runner = createVaultBackupRunner({ ...vault.app.deps, log: logs.logger }, { retryBaseMs: 3_600_000 });
  expect(await runner.runOnce()).toBe(true);
  const res = await api(`/backup-jobs/${jobId}`);
  expect(res.status).toBe(200);
  const { status, error, errorCode } = (await res.json()) as JobView;
  return { status, error, errorCode };
}

async function siteWithCredentials(vault: TestApp, testDb: TestDatabase, name: string, siteUrl: string) {
  const site = await createSiteWithSession(testDb.db, {
    cloudId: `cloud-${name}`,
    siteUrl,
    email: `admin@${name}.test`,
  });
  await insertSyncedSchema(testDb.db, site.siteId, '1');
  const credentials = {
    email: 'robot@example.com',
    apiToken: 'token-never-shown',
    assetsApiBase: `${siteUrl}/gateway`,
  };
  await saveSiteCredentials(vault, site.cookie, credentials);
  return site;
}

describe('vault backup job errors in development (emulator addresses allowed)', () => {
  let testDb: TestDatabase;
  let vault: TestApp;
  const logs = captureLogs('info');
  let resetting: Server;
  let closedPort = 0;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    vault = await startTestApp({
      db: testDb.db,
      config: testConfig({ VAULT_WORKERS: 'false', ENCRYPTION_KEYS: encryptionKey, ALLOW_INSECURE_SITE_URLS: 'true' }),
      deps: { logger: logs.logger },
    });
    // accepts, then resets the connection (ECONNRESET)
    resetting = await tcpServer((socket) => socket.resetAndDestroy());
    const closed = await tcpServer(() => undefined);
    closedPort = portOf(closed);
    await close(closed); // nothing listens there any more (ECONNREFUSED)
  });
  afterAll(async () => {
    await close(resetting);
    await vault?.close();
    await testDb?.drop();
  });

  it('answers the same stable code and fixed message for a refused and a reset connection', async () => {
    const refusedSite = await siteWithCredentials(vault, testDb, 'refused', `http://127.0.0.1:${closedPort}`);
    const resetSite = await siteWithCredentials(vault, testDb, 'reset', `http://127.0.0.1:${portOf(resetting)}`);
    const refused = await backUpOnce(vault, refusedSite, logs);
    const reset = await backUpOnce(vault, resetSite, logs);
    expect(refused).toMatchObject({ status: 'queued', errorCode: 'assets_unreachable' });
    expect(reset).toEqual(refused);
    expect(refused.error).toBe(
      'Atlassian could not be reached (network failure, timeout or refused address); the vault logs have the details',
    );
    // nothing low-level in the stored job either
    const stored = await testDb.db.selectFrom('vault_backup_job').select(['last_error', 'error_code']).execute();
    expect(JSON.stringify(stored)).not.toMatch(/ECONN|127\.0\.0\.1|socket|errno/i);
    // the details are where an operator looks
    const text = logs.text();
    expect(text).toContain('ECONNREFUSED');
    expect(text).toMatch(/ECONNRESET|UND_ERR_SOCKET|other side closed/);
    expect(text).not.toContain('token-never-shown');
  });
});

describe('vault backup against a site name that resolves to the vault itself (ALLOWED_SITE_HOSTS=*)', () => {
  let testDb: TestDatabase;
  let vault: TestApp;
  const logs = captureLogs('info');
  const resolved: string[] = [];
  let listener: Server;
  let connections = 0;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    listener = await tcpServer((socket) => {
      connections++;
      socket.destroy();
    });
    const config = testConfig({ VAULT_WORKERS: 'false', ENCRYPTION_KEYS: encryptionKey, ALLOWED_SITE_HOSTS: '*' });
    // what the public DNS of 127.0.0.1.nip.io answers (here without the network)
    const lookup = ((hostname: string, _o: unknown, cb: (e: null, all: LookupAddress[]) => void) => {
      resolved.push(hostname);
      cb(null, [{ address: '127.0.0.1', family: 4 }]);
    }) as unknown as typeof dnsLookup;
    vault = await startTestApp({
      db: testDb.db,
      config,
      deps: { logger: logs.logger, outbound: createOutboundGuard(outboundPolicyFromConfig(config), { lookup }) },
    });
  });
  afterAll(async () => {
    await vault?.close();
    await vault?.app.deps.outbound.close();
    await close(listener);
    await testDb?.drop();
  });

  it('refuses to connect, shows the generic failure and logs the refused address', async () => {
    const site = await siteWithCredentials(vault, testDb, 'nip', 'https://127.0.0.1.nip.io');
    const job = await backUpOnce(vault, site, logs);
    expect(job).toMatchObject({ status: 'queued', errorCode: 'assets_unreachable' });
    expect(resolved).toContain('127.0.0.1.nip.io');
    expect(connections).toBe(0);
    expect(logs.text()).toContain('outbound_address_refused');
  });
});
