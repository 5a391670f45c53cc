// ESLint's recommended rules and typescript-eslint's, over everything we write; formatting is
// Prettier's job (npm run lint runs both).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'src/config/generated/', 'dashboard/vendor/', 'test/fixtures/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // An unused value is a mistake, except the ones named to be ignored.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // The dashboard and a few scripts run in the browser or plain node, not through TypeScript.
    files: ['dashboard/**/*.js', '**/*.mjs', 'bin/*.js', 'deploy/**/*.mjs'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        console: 'readonly',
        fetch: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        process: 'readonly',
        localStorage: 'readonly',
        location: 'readonly',
        navigator: 'readonly',
        requestAnimationFrame: 'readonly',
        matchMedia: 'readonly',
        Blob: 'readonly',
        performance: 'readonly',
        io: 'readonly',
        uPlot: 'readonly',
        HTMLElement: 'readonly',
        Event: 'readonly',
        CustomEvent: 'readonly',
        Intl: 'readonly',
        ResizeObserver: 'readonly',
        getComputedStyle: 'readonly',
        alert: 'readonly',
        confirm: 'readonly',
        AbortSignal: 'readonly',
        sessionStorage: 'readonly',
      },
    },
  },
);
