// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

// Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O libraries. So it imports
// only the SDK's workflow-safe packages, its own folder and the contract, which is bundled with it and so
// obeys the same rule. Activities and workflows meet only in the contract.
const onlyImports = (allowed, message) => ['error', { patterns: [{ regex: `^(?!${allowed.join('|')})`, message }] }];
const SDK = '@temporalio/(workflow|common)$';
const OWN_FOLDER = '\\./';

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
    // The product is read more than it is written: small files, small functions (tests and dev tools may be longer).
    files: ['src/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 200, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['warn', { max: 40, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': onlyImports(
        [SDK, OWN_FOLDER, '\\.\\./contract(/|$)'],
        'Workflow code must be deterministic: it imports only @temporalio/workflow, @temporalio/common, ' +
          '../contract and its own folder; I/O belongs in an activity.',
      ),
    },
  },
  {
    files: ['src/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': onlyImports(
        [SDK, OWN_FOLDER],
        'The contract is pure, as workflow code: it imports only @temporalio/workflow and @temporalio/common.',
      ),
    },
  },
  {
    files: ['src/activities/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./workflows(/|$)',
              message: 'Activities and workflows meet in ../contract; they never import each other, not even as types.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
