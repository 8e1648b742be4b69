/**
 * The production build, as infra/Dockerfile makes and starts it, without the container (docker does
 * not run here): `tsc -b`, then `pnpm deploy --prod` of the vault into a directory of its own (dist/ and
 * production dependencies only: no tsx, no TypeScript, shared as its dist/), the web UI's build copied
 * into its web/ (WEB_DIST_DIR), then `node dist/server.js` there on an empty database of its own. It migrates and answers /readyz, it
 * completes a signed upload big enough for the decode worker threads (which must load built JavaScript:
 * the deployed directory has no tsx to boot), and it stops cleanly on SIGTERM.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chunkWebhookId, CHUNK_SHA256_HEADER, forgeApiPaths } from '@assets-vault/shared/contract';
import { ensureWebBuilt } from '@assets-vault/vault-web/ensure-build';
import { WORKER_THRESHOLD_CHUNKS } from '../src/modules/backup-store/materialise.js';
import { TEST_WEBHOOK_SECRET } from './helpers/app.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { openBackupBody, signedForgeCall } from './helpers/forge.js';
import { fixtureSnapshot, type TestSnapshot } from './helpers/snapshot.js';

const run = promisify(execFile);
const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SITE = { cloudId: 'cloud-built', siteUrl: 'https://built.atlassian.net' };

/** The pnpm that runs this test (`pnpm test` sets npm_execpath), as in scripts/run-tests.mjs. */
function pnpmCommand(): string[] {
  const execpath = process.env.npm_execpath;
  if (!execpath || !/pnpm/.test(path.basename(execpath)))
    throw new Error('run through pnpm (`pnpm test`): the test deploys the vault with `pnpm deploy`');
  return [process.execPath, execpath];
}

describe('the built vault (pnpm build, pnpm deploy --prod, node dist/server.js)', () => {
  let deployDir: string;
  let testDb: TestDatabase;
  let snapshot: TestSnapshot;
  let server: ChildProcess | undefined;
  let baseUrl: string;
  const output: string[] = [];

  beforeAll(async () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    await run(process.execPath, [tsc, '-b'], { cwd: workspaceRoot });
    deployDir = mkdtempSync(path.join(tmpdir(), 'vault-deploy-'));
    const [node, pnpm] = pnpmCommand() as [string, string];
    // --prefer-offline, not --offline: an install from the lockfile leaves no package metadata in a fresh store,
    // and deploy needs it; the registry fills in only what the store lacks.
    const deploy = [
      '--filter',
      '@assets-vault/vault-service',
      'deploy',
      '--legacy',
      '--prod',
      '--prefer-offline',
      deployDir,
    ];
    await run(node, [pnpm, ...deploy], { cwd: workspaceRoot, maxBuffer: 16 * 1024 * 1024 });
    // the image's build stage runs `vite build` and copies vault-web/dist to web/ (infra/Dockerfile)
    cpSync(ensureWebBuilt(), path.join(deployDir, 'web'), { recursive: true });

    testDb = await createTestDatabase({ migrated: false });
    snapshot = await fixtureSnapshot({
      name: 'built',
      objects: 120,
      source: SITE,
      options: { history: false, icons: false, issueRefs: false },
      maxChunkRecords: 30,
    });
    // exactly the image's command, with no NODE_OPTIONS (jest's, or the source condition) inherited
    server = spawn(process.execPath, ['dist/server.js'], {
      cwd: deployDir,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
        DATABASE_URL: testDb.url,
        FORGE_WEBHOOK_SECRETS: TEST_WEBHOOK_SECRET,
        SESSION_SECRET: 'built-server-test-session-secret-32chars',
        VAULT_WORKERS: 'false',
        WEB_DIST_DIR: path.join(deployDir, 'web'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    baseUrl = await new Promise<string>((resolve, reject) => {
      let buffer = '';
      server?.stdout?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        output.push(chunk.toString('utf8'));
        const listening = /"address":"(http:\/\/[^"]+)"[^\n]*"msg":"vault listening"/.exec(buffer);
        if (listening) resolve(listening[1] as string);
      });
      server?.once('exit', (code) => reject(new Error(`the built vault exited (${code}): ${output.join('')}`)));
    });
  }, 300_000);

  afterAll(async () => {
    if (server && server.exitCode === null) server.kill('SIGKILL');
    await testDb?.drop();
    if (deployDir) rmSync(deployDir, { recursive: true, force: true });
  });

  it('holds production dependencies only, with shared as its built files', () => {
    const installed = readdirSync(path.join(deployDir, 'node_modules', '.pnpm'));
    expect(installed.filter((name) => /^(tsx|typescript|jest|@swc\+|esbuild)@/.test(name))).toEqual([]);
    const shared = path.join(deployDir, 'node_modules', '@assets-vault', 'shared');
    expect(readdirSync(shared).sort()).toEqual(['dist', 'package.json']);
    expect(readdirSync(deployDir).sort()).toEqual(['README.md', 'dist', 'node_modules', 'package.json', 'web']);
  });

  it('migrates its empty database, answers /readyz and serves the web UI from web/', async () => {
    const res = await fetch(`${baseUrl}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready', database: 'ok', pendingMigrations: [] });
    const page = await fetch(`${baseUrl}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${baseUrl}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
  });

  it('completes a signed upload through the decode worker threads', async () => {
    expect(snapshot.manifest.chunks.length).toBeGreaterThanOrEqual(WORKER_THRESHOLD_CHUNKS);
    const { manifest } = snapshot;
    const opened = await signedForgeCall(
      baseUrl,
      'POST',
      forgeApiPaths.backups,
      'bko_built_0',
      openBackupBody(manifest, SITE),
    );
    expect(opened.status).toBe(201);
    const backupId = String(opened.body.backupId);
    for (const chunk of manifest.chunks) {
      const bytes = snapshot.chunks.get(chunk.seq) as Uint8Array;
      const id = chunkWebhookId(backupId, chunk.seq, chunk.sha256);
      const put = await signedForgeCall(baseUrl, 'PUT', forgeApiPaths.chunk(backupId, chunk.seq), id, bytes, {
        [CHUNK_SHA256_HEADER]: chunk.sha256,
      });
      expect(put.status).toBe(200);
    }
    const completed = await signedForgeCall(
      baseUrl,
      'POST',
      forgeApiPaths.complete(backupId),
      'complete_built',
      JSON.stringify(manifest),
    );
    expect(completed).toEqual({
      status: 200,
      body: expect.objectContaining({ status: 'completed', objectCount: 120, chunks: manifest.chunks.length }),
    });
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => server?.once('exit', resolve));
    server?.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output.join('')).toMatch(/"msg":"stopped"/);
  });
});
