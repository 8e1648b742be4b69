/**
 * Forge's standard packaging, offline: the steps `forge deploy` takes before it uploads, run with the
 * objects the pinned Forge CLI (@forge/cli 13.3.0, its @forge/bundler 7.1.0 and @forge/cli-shared
 * 9.3.0) wires in `out/command-line/dependency-injection.js` for `PackageUploadDeployCommand`:
 * the manifest's handlers and resources (ConfigFile), the function bundle (RuntimeBundler over the
 * bundler's webpack configuration, then the function archive), the UI Kit resources (NativeUIBundler)
 * and their archives (ResourcePackagingService).
 *
 * Stand-ins, because they need Atlassian's network: the Node runtime wrapper and loader that the
 * bundler downloads from Atlassian's CDN into the function archive are placeholders, statsig feature
 * flags answer "off" and analytics are written to report.json. Not run: login, lint, upload, deploy.
 *
 *   pnpm build [outDir]       # from forge-app/, default dist/forge-package
 *
 * Writes function/ (the function archive's files: index.cjs with everything the functions import,
 * manifest.yml, package.json, runtime files), function.zip, resources/<key>/ and resources/<key>.zip
 * (the UI Kit bundles), and report.json (what the packager reported).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getNodeBundler, NativeUIBundler } from '@forge/bundler';
import type { WrapperProvider } from '@forge/bundler/out/wrapper-provider';
import {
  BridgeScriptService,
  ConfigFile,
  DirectoryArchiver,
  FileSystemReader,
  FileSystemWriter,
  I18nResourceBundlingService,
  IframeResizerScriptService,
  MultiArchiver,
  shouldBundleResource,
  ZipArchiver,
  type Logger,
  type StatsigService,
} from '@forge/cli-shared';
import type { AnalyticsClientReporter } from '@forge/cli/out/analytics-client/analytics-client';
import { AppPackager } from '@forge/cli/out/deploy/packager/packager';
import { RuntimeBundler } from '@forge/cli/out/deploy/packager/runtime-bundler';
import { ResourcePackagingService } from '@forge/cli/out/service/resource-packaging-service';

const appDir = path.resolve(__dirname, '..');

export interface ForgePackageReport {
  /** handler files the manifest names (src/<file>) */
  handlers: string[];
  /** UI Kit resources bundled by Forge: key → files of the bundle */
  resources: Record<string, string[]>;
  /** what AppPackager reported to analytics (bundled files, dependencies, SDK imports, errors) */
  packaged: unknown;
}

const logger: Logger = {
  traceEnabled: false,
  debugEnabled: false,
  trace: () => undefined,
  debug: () => undefined,
  info: (message) => console.error(message),
  warn: (message) => console.error(`warning: ${message}`),
  error: (error) => console.error(error),
};

/** The runtime wrapper and loader come from Atlassian's CDN when the CLI packages; offline, placeholders. */
function placeholderRuntime(kind: 'wrapper' | 'loader') {
  return {
    script: `throw new Error('offline placeholder: forge deploy downloads the Forge Node runtime ${kind} here');\n`,
    source: 'offline placeholder',
    version: 'offline',
  };
}

/** Builds what the bundle imports from other workspace packages (their dist/, ADR 0010). */
function buildWorkspaceDependencies(): void {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', '../shared/tsconfig.build.json'], {
    cwd: appDir,
    stdio: 'inherit',
  });
}

export async function packageForgeApp(outDir: string): Promise<ForgePackageReport> {
  // The CLI reads manifest.yml and resolves every path from the working directory.
  if (process.cwd() !== appDir) throw new Error(`run from ${appDir}`);
  buildWorkspaceDependencies();
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(path.join(outDir, 'resources'), { recursive: true });
  // The CLI writes its bundles and archives into the system's temporary directory and leaves them there
  // (its own process cleans up on exit); here they get a directory of their own, removed afterwards.
  const work = mkdtempSync(path.join(tmpdir(), 'forge-package-work-'));
  const systemTmp = process.env.TMPDIR;
  process.env.TMPDIR = work;
  try {
    return await packageInto(outDir);
  } finally {
    if (systemTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = systemTmp;
    rmSync(work, { recursive: true, force: true });
  }
}

async function packageInto(outDir: string): Promise<ForgePackageReport> {
  const fileReader = new FileSystemReader();
  const configFile = new ConfigFile(fileReader, new FileSystemWriter());
  const runtime: WrapperProvider = {
    getNodeRuntimeWrapper: async () => placeholderRuntime('wrapper'),
    getNodeRuntimeLoader: async () => placeholderRuntime('loader'),
  };
  // Packaging calls only these members; the rest of each class talks to Atlassian.
  const statsig: Pick<StatsigService, 'isTypescriptBundlerEnabled'> = { isTypescriptBundlerEnabled: async () => false };
  let packaged: unknown;
  const analytics: Pick<AnalyticsClientReporter, 'reportAppPackaged'> = {
    reportAppPackaged: async (metadata) => {
      packaged = metadata;
    },
  };
  let functionArchive = true;
  const archiverFactory = async () => {
    const zip = await ZipArchiver.create(logger);
    if (!functionArchive) return zip;
    functionArchive = false;
    return new MultiArchiver([zip, new DirectoryArchiver(path.join(outDir, 'function'))]);
  };
  const runtimeBundler = new RuntimeBundler(
    archiverFactory,
    logger,
    getNodeBundler(logger, runtime, configFile, statsig as StatsigService),
    fileReader,
    configFile,
  );
  const packager = new AppPackager(
    runtimeBundler,
    new NativeUIBundler(logger),
    logger,
    analytics as AnalyticsClientReporter,
  );

  // PackageUploadDeployCommand.packageUpload up to the upload
  const config = await configFile.readConfig();
  const handlers = await configFile.getAppHandlers();
  const resources = await configFile.getResources();
  const toBundle = resources.filter(shouldBundleResource);
  const prebuilt = resources.filter((resource) => !shouldBundleResource(resource));
  const i18nResourceBundle = await new I18nResourceBundlingService().bundle(config.modules, config.translations);
  const { runtimeArchivePath, nativeUiBundlesDetails } = await packager.package({
    handlers,
    resources: toBundle,
    allResources: resources,
    packageConfig: config.app?.package,
    i18nResourceBundle,
    i18nConfig: config.translations,
  });
  const resourceArchives = await new ResourcePackagingService(
    archiverFactory,
    fileReader,
    appDir,
    new BridgeScriptService(),
    new IframeResizerScriptService(),
  ).zipResources([...prebuilt, ...nativeUiBundlesDetails], i18nResourceBundle);

  copyFileSync(runtimeArchivePath, path.join(outDir, 'function.zip'));
  const bundled: Record<string, string[]> = {};
  for (const resource of nativeUiBundlesDetails) {
    cpSync(resource.path, path.join(outDir, 'resources', resource.key), { recursive: true });
    const files = await fileReader.recursiveReadDir(resource.path, []);
    bundled[resource.key] = files.map((file) => path.relative(resource.path, file)).sort();
  }
  for (const [key, archive] of Object.entries(resourceArchives))
    copyFileSync(archive.zipPath, path.join(outDir, 'resources', `${key}.zip`));

  const report: ForgePackageReport = {
    handlers: [...new Set(handlers.map((handler) => handler.module))],
    resources: bundled,
    packaged,
  };
  writeFileSync(path.join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

if (require.main === module) {
  const outDir = path.resolve(process.argv[2] ?? path.join(appDir, 'dist', 'forge-package'));
  packageForgeApp(outDir).then(
    () => console.log(`wrote ${path.relative(process.cwd(), outDir)}`),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
