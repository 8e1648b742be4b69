/**
 * manifest.yml validated offline with Atlassian's own validator (@forge/manifest, full chain:
 * schema, modules, handler files, resources, scopes, egress), in place as `forge deploy` reads it.
 * A deliberately broken copy must fail, so the test would notice a validator that accepts
 * anything. One file: the schema load takes ~10 s. That the handlers exist and run is
 * forge-package.test.ts (the bundle Forge's packaging builds).
 */
import { copyFileSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validate } from '@forge/manifest';

const appDir = path.resolve(__dirname, '..');

/** A copy of the app with another manifest: the files the validator looks for (handler, UI Kit entry). */
function stageApp(dir: string, manifest: string): string {
  mkdirSync(path.join(dir, 'src', 'frontend'), { recursive: true });
  for (const file of ['index.ts', path.join('frontend', 'index.tsx')])
    copyFileSync(path.join(appDir, 'src', file), path.join(dir, 'src', file));
  writeFileSync(path.join(dir, 'manifest.yml'), manifest);
  return path.join(dir, 'manifest.yml');
}

type Finding = { level: string; message: string; line?: number };
type ManifestShape = {
  modules: Record<string, Array<Record<string, unknown>>>;
  permissions: { scopes: string[]; external: { fetch: { backend: unknown[] } } };
  app: { package?: unknown };
};
const errorsOf = (findings: Finding[] | undefined) =>
  (findings ?? []).filter((f) => f.level === 'error').map((f) => `${f.line ?? 0}: ${f.message}`);

describe('manifest.yml', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'forge-manifest-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('passes full offline validation without errors or warnings', async () => {
    const result = await validate(false, path.join(appDir, 'manifest.yml'));
    expect(errorsOf(result.errors)).toEqual([]);
    expect((result.errors ?? []).map((f: Finding) => f.message)).toEqual([]);
    const manifest = result.manifestObject?.typedContent as unknown as ManifestShape;
    // What the issue asks of the manifest, read back from the validated object.
    expect(manifest.modules['jira:globalPage']?.[0]).toMatchObject({ title: 'Assets Backup Vault', render: 'native' });
    expect(manifest.modules.consumer?.map((c) => c.queue)).toEqual(['backup-jobs', 'vault-deliveries']);
    expect(manifest.modules.scheduledTrigger?.[0]).toMatchObject({ interval: 'hour' });
    expect(manifest.permissions.scopes).toContain('storage:app');
    expect(manifest.permissions.external.fetch.backend).toEqual([{ address: 'https://vault.example.com' }]);
    // Forge's standard packaging: no Early Access `app.package.bundler` (forge.md §9.6)
    expect(manifest.app.package).toBeUndefined();
  });

  it('fails on a broken copy: bad scope, http egress, missing handler file and undefined function', async () => {
    const broken = readFileSync(path.join(appDir, 'manifest.yml'), 'utf8')
      .replace('read:cmdb-schema:jira', 'read:cmdb-schemas:jira')
      .replace('${VAULT_ORIGIN}', 'http://vault.example.com')
      .replace('handler: index.scheduledBackup', 'handler: scheduler.scheduledBackup')
      .replace('function: backup-consumer-fn', 'function: does-not-exist');
    const errors = errorsOf((await validate(false, stageApp(path.join(scratch, 'broken'), broken))).errors);
    expect(errors.join('\n')).toMatch(/read:cmdb-schemas:jira/);
    expect(errors.join('\n')).toMatch(/http:\/\/vault\.example\.com/);
    expect(errors.join('\n')).toMatch(/scheduler\.\(tsx\|jsx\|ts\|js\|cjs\)|cannot find associated file/);
    expect(errors.join('\n')).toMatch(/does-not-exist/);
  });
});
