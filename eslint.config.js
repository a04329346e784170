// @ts-check
const { builtinModules } = require('node:module');
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

// Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O libraries.
const bannedInWorkflows = [
  ...builtinModules.flatMap((m) => [m, `node:${m}`]),
  'express', 'undici', 'nodemailer', 'pino', 'prom-client', 'liquidjs', 'yaml', 'zod',
  '@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing',
];

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', '.data/**', 'coverage/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'max-lines': ['warn', { max: 220, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: bannedInWorkflows.map((name) => ({ name, message: 'Workflow code must be deterministic: do I/O in an activity.' })),
        patterns: [{ group: ['../activities', '../activities/*'], allowTypeImports: true, message: 'Import activities as types only.' }],
      }],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
