import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.vault-data/**', '**/coverage/**', 'vault-web/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        Response: 'readonly',
        Request: 'readonly',
        Headers: 'readonly',
        structuredClone: 'readonly',
        performance: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // The emulator is a test tool: code that ships (the shared library, the vault's and the Forge app's
    // production sources) must not import it. Tests, benches, dev tools and forge-app/local may.
    files: ['shared/src/**', 'vault-service/src/**', 'forge-app/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@assets-vault/emulator', '@assets-vault/emulator/*', '**/emulator/src/**'],
              message: 'Production code must not import the Assets emulator (a test and dev tool).',
            },
          ],
        },
      ],
    },
  },
  {
    // The web UI runs in the browser.
    files: ['vault-web/src/**/*.{ts,tsx}', 'vault-web/test/**/*.{ts,tsx}'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        navigator: 'readonly',
        HTMLElement: 'readonly',
        HTMLButtonElement: 'readonly',
        HTMLDialogElement: 'readonly',
        HTMLHeadingElement: 'readonly',
        HTMLTableElement: 'readonly',
        HTMLDivElement: 'readonly',
        HTMLUListElement: 'readonly',
        HTMLAnchorElement: 'readonly',
        HTMLInputElement: 'readonly',
        HTMLSelectElement: 'readonly',
        SubmitEvent: 'readonly',
        PointerEvent: 'readonly',
        FormData: 'readonly',
        URLSearchParams: 'readonly',
        CSS: 'readonly',
        Intl: 'readonly',
      },
    },
  },
  {
    files: ['**/*.cjs', 'forge-app/jest.config.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
