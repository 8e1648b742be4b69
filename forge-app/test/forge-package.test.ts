/**
 * Forge's standard packaging, offline (scripts/forge-package.ts, the pinned Forge CLI's own packaging
 * step up to the upload), and then what it built, run:
 * - the function bundle (function/index.cjs) on the local Forge platform (local/forge-runtime.ts: the
 *   two runtime globals the @forge packages bundled into it talk to), against the emulated site and
 *   the contract-checking vault stand-in: every function handler the manifest declares is called;
 * - the UI Kit bundle (resources/main/main.js) in a sandbox whose Forge bridge forwards `invoke` to the
 *   function bundle's resolver, as Jira does, so the page renders from the bundle's answers.
 * No jest.mock: nothing of the app is loaded through jest's module system.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import vm from 'node:vm';
import { randomBytes, webcrypto } from 'node:crypto';
import { startEmulator, seedFixture, type Emulator, type EmulatorSite } from '@assets-vault/emulator';
import { startHarness, type Harness } from '../local/harness';
import { forgeSiteApiPaths } from '@assets-vault/shared/contract';
import type { ResolverResult, SchemaSummary, SchemaView, TrustedUserView, VaultStatusView } from '../src/contract';
import type * as AppModule from '../src/index';
import type { ForgePackageReport } from '../scripts/forge-package';
import { startVaultStandIn, type VaultStandIn } from './helpers/servers';

const appDir = path.resolve(__dirname, '..');
const secret = `whsec_${randomBytes(32).toString('base64')}`;
let outDir: string;
let report: ForgePackageReport;
let emulator: Emulator;
let site: EmulatorSite;
let schemaId: string;
let vault: VaultStandIn;
let bundle: typeof AppModule;
let harness: Harness;

type FunctionModule = { key: string; handler: string };

beforeAll(async () => {
  outDir = mkdtempSync(path.join(tmpdir(), 'forge-package-'));
  await promisify(execFile)(
    process.execPath,
    ['--conditions=@assets-vault/source', '--import', 'tsx', 'scripts/forge-package.ts', outDir],
    { cwd: appDir, maxBuffer: 16 * 1024 * 1024 },
  );
  report = JSON.parse(readFileSync(path.join(outDir, 'report.json'), 'utf8')) as ForgePackageReport;
  emulator = await startEmulator();
  site = emulator.createSite({ name: 'packaged' });
  schemaId = seedFixture(site, { objects: 40, seed: 'packaged', history: false, issues: false }).schemaId;
  vault = await startVaultStandIn(secret);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS, loaded as Forge's runtime loads it
  bundle = require(path.join(outDir, 'function', 'index.cjs')) as typeof AppModule;
  harness = await startHarness({ site: site.info, vaultUrl: vault.url, vaultSecret: secret, app: bundle });
}, 300_000);

afterAll(async () => {
  harness?.close();
  await vault?.close();
  await emulator?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

const functionDir = () => path.join(outDir, 'function');
/** The manifest as the packager put it into the function archive (JSON). */
const packagedFunctions = () =>
  (
    JSON.parse(readFileSync(path.join(functionDir(), 'manifest.yml'), 'utf8')) as {
      modules: { function: FunctionModule[] };
    }
  ).modules.function;

async function ok<T>(result: Promise<ResolverResult<unknown>>): Promise<T> {
  const answer = await result;
  if (!answer.ok) throw new Error(`${answer.error.code}: ${answer.error.message}`);
  return answer.data as T;
}

it("packages the functions and the UI Kit resource with the Forge CLI's bundler", () => {
  expect(report.handlers).toEqual(['index']);
  for (const file of ['index.cjs', 'manifest.yml', 'package.json', '__forge__.cjs'])
    expect(existsSync(path.join(functionDir(), file))).toBe(true);
  expect(existsSync(path.join(outDir, 'function.zip'))).toBe(true);
  expect(report.resources.main).toEqual(expect.arrayContaining(['index.html', 'main.js']));
  expect(existsSync(path.join(outDir, 'resources', 'main.zip'))).toBe(true);
  // webpack compiled the app's TypeScript (ts-loader) and took @assets-vault/shared from its built dist/
  const map = JSON.parse(readFileSync(path.join(functionDir(), 'index.cjs.map'), 'utf8')) as { sources: string[] };
  const modules = map.sources.map((s) => s.replace('webpack://@assets-vault/forge-app/', ''));
  expect(modules).toEqual(expect.arrayContaining(['./src/resolvers/index.ts', '../shared/dist/backup/engine.js']));
  expect(modules.filter((s) => s.startsWith('../shared/') && !s.startsWith('../shared/dist/'))).toEqual([]);
});

it('runs every function handler the manifest declares from the bundle', async () => {
  const handlers = packagedFunctions().map((f) => f.handler.replace(/^index\./, ''));
  expect(handlers.sort()).toEqual(['backupConsumer', 'handler', 'scheduledBackup', 'vaultDeliveryConsumer']);
  for (const name of handlers) expect(typeof (bundle as Record<string, unknown>)[name]).toBe('function');

  // handler (resolvers): invite; the event reaches the vault
  await ok(harness.invoke('addTrustedUser', { email: 'ana@example.com' }));
  expect(vault.events.map((e) => e.body.type)).toEqual(
    expect.arrayContaining(['installation.connected', 'trusted_user.invited']),
  );

  // vaultDeliveryConsumer: a removal the vault missed is delivered by the retry queue
  vault.mode = 'unavailable';
  await ok(harness.invoke('removeTrustedUser', { email: 'ana@example.com' }));
  vault.mode = 'ok';
  await harness.runQueues({ ignoreDelays: true });
  expect(vault.events.map((e) => e.body.type)).toContain('trusted_user.removed');

  // backupConsumer: Backup now of a synced schema uploads chunks and completes in the vault
  await ok(harness.invoke('setSyncedSchemas', { schemaIds: [schemaId] }));
  await ok(harness.invoke('backupNow', { schemaId }));
  await harness.runQueues({ ignoreDelays: true });
  const [backup] = [...vault.backups.values()];
  expect(backup?.create).toMatchObject({ kind: 'manual', schema: { id: schemaId } });
  expect(backup?.manifest).toMatchObject({ counts: { byKind: { object: 40 } } });
  const schemas = await ok<SchemaView[]>(harness.invoke('listSchemas', {}));
  expect(schemas.find((s) => s.id === schemaId)?.lastBackup).toMatchObject({ status: 'completed', kind: 'manual' });

  // handler (restore resolvers): the signed site API, as the vault validates it
  vault.siteAnswers.set(forgeSiteApiPaths.schemas, { status: 200, body: { items: [vaultSchema] } });
  vault.siteAnswers.set(forgeSiteApiPaths.backups, { status: 200, body: { items: [] } });
  expect(await ok<SchemaSummary[]>(harness.invoke('listVaultSchemas', {}))).toEqual([vaultSchema]);
  expect(await ok(harness.invoke('listBackups', { schemaId, kind: 'manual' }))).toEqual([]);
  const started = await harness.invoke('startRestore', {
    backupId: 'b-1',
    destination: { kind: 'current-instance', schemaName: 'Restored', schemaKey: 'bad key' },
    options: { objectIcons: false, history: false },
  });
  expect(started).toMatchObject({ ok: false, error: { code: 'invalid_restore' } });

  // scheduledBackup: the hourly trigger runs (its rules are scheduler.test.ts's)
  await harness.runScheduledTrigger();
  expect(vault.contractViolations).toEqual([]);
});

const vaultSchema: SchemaSummary = {
  schemaId: '7',
  name: 'Packaged schema',
  key: 'PKG',
  objectCount: 40,
  synced: true,
  backupsCount: 1,
  lastBackup: { id: 'b-1', completedAt: '2026-12-01T10:00:00.000Z', kind: 'manual', objects: 40 },
};

type ForgeDoc = { type: string; props: Record<string, unknown>; children: ForgeDoc[] };
const find = (doc: ForgeDoc, type: string): ForgeDoc[] => [
  ...(doc.type === type ? [doc] : []),
  ...doc.children.flatMap((c) => find(c, type)),
];
const text = (doc: ForgeDoc): string =>
  find(doc, 'String')
    .map((s) => String(s.props.text))
    .join('');

it('renders the UI Kit bundle with the answers of the function bundle', async () => {
  await ok(harness.invoke('addTrustedUser', { email: 'ben@example.com' }));
  const invoke = harness.invoke as (key: string, payload: unknown) => Promise<ResolverResult<unknown>>;
  const invoked: string[] = [];
  let latest: ForgeDoc | undefined;
  // What the Forge UI Kit host gives the resource's iframe: the bridge, and a script URL for webpack.
  const sandbox: Record<string, unknown> = {
    console,
    setTimeout,
    clearTimeout,
    setImmediate,
    clearImmediate,
    queueMicrotask,
    TextEncoder,
    TextDecoder,
    URL,
    crypto: webcrypto,
    document: { currentScript: { tagName: 'SCRIPT', src: 'https://forge-resource.example/main.js' } },
    __bridge: {
      callBridge: async (command: string, data: { forgeDoc?: ForgeDoc; functionKey?: string; payload?: unknown }) => {
        if (command === 'reconcile') latest = data.forgeDoc;
        if (command !== 'invoke' || !data.functionKey) return undefined;
        invoked.push(data.functionKey);
        return invoke(data.functionKey, data.payload ?? {});
      },
    },
  };
  sandbox.self = sandbox;
  sandbox.window = sandbox;
  vm.createContext(sandbox);
  const bundle = path.join(outDir, 'resources', 'main', 'main.js');
  vm.runInContext(readFileSync(bundle, 'utf8'), sandbox, { filename: bundle });

  const rendered = async () => {
    for (let i = 0; i < 200; i++) {
      const rows = latest ? find(latest, 'Row') : [];
      if (rows.some((row) => text(row).includes('ben@example.com'))) return latest as ForgeDoc;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`the page never listed the trusted user; invoked ${invoked.join(', ')}`);
  };
  const doc = await rendered();
  expect(find(doc, 'Tab').map(text)).toEqual(['Assets backup vault', 'Backup configuration', 'Restore']);
  expect(invoked).toEqual(expect.arrayContaining(['getVaultStatus', 'listTrustedUsers', 'listSchemas']));

  // the Restore tab: the vault's synced schemas, each with Restore, from the bundle's resolver
  const [tabs] = find(doc, 'Tabs');
  (tabs?.props.onChange as (index: number) => void)(2);
  for (
    let i = 0;
    i < 200 && !find(latest as ForgeDoc, 'DynamicTable').some((t) => t.props.caption === 'Synced schemas');
    i++
  )
    await new Promise((resolve) => setTimeout(resolve, 25));
  const [grid] = find(latest as ForgeDoc, 'DynamicTable').filter((t) => t.props.caption === 'Synced schemas');
  const rows = find(grid as ForgeDoc, 'Row');
  expect(rows.map(text)).toEqual([expect.stringMatching(/^Packaged schemaPKG40.*1Restore$/)]);
  expect(invoked).toContain('listVaultSchemas');
  const users = await ok<TrustedUserView[]>(harness.invoke('listTrustedUsers', {}));
  const status = await ok<VaultStatusView>(harness.invoke('getVaultStatus', {}));
  expect(users.map((u) => u.email)).toContain('ben@example.com');
  expect(status.configured).toBe(true);
});
