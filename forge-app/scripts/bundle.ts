/**
 * Bundles the Forge functions (src/index.ts and everything it imports, @assets-vault/shared and
 * the @forge packages included) into one CommonJS file, dist/index.cjs, which manifest.yml deploys
 * with `app.package.bundler: manual@2026`. Forge's default webpack bundler cannot build this code:
 * its config (@forge/bundler 7.3.0) has no `.js` → `.ts` extension alias, and the workspace uses
 * `.js` on every relative import. The UI Kit resource is still bundled by Forge.
 *
 *   pnpm bundle            # writes dist/index.cjs
 */
import path from 'node:path';
import { build } from 'esbuild';

export async function bundleBackend(outDir: string): Promise<string> {
  const outfile = path.join(outDir, 'index.cjs');
  await build({
    entryPoints: [path.join(__dirname, '..', 'src', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    // manifest.yml: runtime nodejs22.x
    target: 'node22',
    format: 'cjs',
    sourcemap: true,
    logLevel: 'warning',
  });
  return outfile;
}

if (require.main === module) {
  bundleBackend(path.join(__dirname, '..', 'dist')).then(
    (file) => console.log(`wrote ${path.relative(process.cwd(), file)}`),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
