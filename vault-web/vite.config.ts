/**
 * Builds the web UI into dist/ for vault-service to serve (ADR 0012). The Atlassian design tokens'
 * theme CSS is produced here, at build time, as a plain stylesheet: Atlaskit's runtime theme loader
 * injects <style> elements, which the vault's Content-Security-Policy (style-src 'self') refuses.
 */
import { createRequire } from 'node:module';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { BUDGET } from './scripts/budget.js';

const require = createRequire(import.meta.url);
const THEME_MODULE = 'virtual:ds-theme.css';

/** Light theme, spacing, typography and shape tokens as one CSS file (html attributes in index.html select them). */
function designTokensTheme(): Plugin {
  const resolvedId = `\0${THEME_MODULE}`;
  return {
    name: 'design-tokens-theme',
    resolveId: (id) => (id === THEME_MODULE ? resolvedId : undefined),
    async load(id) {
      if (id !== resolvedId) return undefined;
      // every platform feature flag off (the released behaviour); unset, each check logs a stack trace
      const flags = require('@atlaskit/platform-feature-flags') as {
        setBooleanFeatureFlagResolver(resolver: (flag: string) => boolean): void;
      };
      flags.setBooleanFeatureFlagResolver(() => false);
      const { default: getThemeStyles } = require('@atlaskit/tokens/get-theme-styles') as {
        default: (themes: Record<string, string>) => Promise<{ css: string }[]>;
      };
      const styles = await getThemeStyles({
        colorMode: 'light',
        light: 'light',
        spacing: 'spacing',
        typography: 'typography',
        shape: 'shape',
      });
      return styles.map((s) => s.css).join('\n');
    },
  };
}

export default defineConfig({
  plugins: [react(), designTokensTheme()],
  // workspace packages from their TypeScript sources (ADR 0010): the UI bundles leaf modules of `shared`
  // (e.g. shared/restore/schema-rules) without anyone building shared first
  resolve: { conditions: ['@assets-vault/source', 'module', 'browser', 'development|production'] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // hashed file names under /assets/: the vault serves them as immutable
    assetsDir: 'assets',
    sourcemap: false,
    // never inline assets as data: URLs (the CSP allows images and fonts only from the vault itself)
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: BUDGET.largestChunkKb,
  },
  server: {
    // `pnpm dev`: the vault runs on 8080 (pnpm start) and the dev server forwards the API to it
    proxy: Object.fromEntries(
      ['/api', '/auth', '/docs', '/healthz', '/readyz'].map((prefix) => [prefix, 'http://127.0.0.1:8080']),
    ),
  },
  test: {
    environment: 'happy-dom',
    // dates in tests are in a zone with DST changes, in a fixed locale
    env: { TZ: 'Europe/Berlin', LANG: 'en_GB.UTF-8' },
    include: ['test/**/*.test.{ts,tsx}'],
    reporters: ['default', './test/summary-reporter.ts'],
    testTimeout: 120_000,
  },
});
