import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['dist/', 'pkg/', 'target/', 'node_modules/', 'fuzz/'] },
  js.configs.recommended,
  {
    files: ['extension/**/*.js', 'www/**/*.js', 'tests/e2e/sites/**/*.js'],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: { ...globals.browser, ...globals.webextensions, SentinelleMessages: 'readonly' },
    },
  },
  {
    files: ['extension/content/**/*.js', 'extension/shared/messages.js', 'www/demo-page.js', 'tests/e2e/sites/**/*.js'],
    languageOptions: { sourceType: 'script' },
  },
  {
    files: ['scripts/**/*.mjs', 'tests/**/*.mjs', 'eslint.config.js'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: { ...globals.node } },
  },
  {
    // Functions passed to page.evaluate run in the page.
    files: ['tests/e2e/**/*.mjs', 'scripts/run-demo.mjs', 'scripts/bench-page-cost.mjs', 'scripts/bench-browser.mjs', 'scripts/bench-warning-time.mjs', 'scripts/bench-fixes.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: 'error',
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
];
