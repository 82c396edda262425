// ESLint: typescript-eslint's type-checked rules on every TypeScript file, each file checked against the
// tsconfig that compiles it, and imports and exports sorted. Formatting is Prettier's (prettier.config.mjs).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The tsconfig each folder is compiled with: the connector alone, the simulator alone, and the tests, benchmarks and scripts that use both. */
const PROJECTS = [
  { files: ['source-twilio-costs/**/*.ts'], project: './tsconfig.json' },
  { files: ['tools/simulator/**/*.ts'], project: './tools/simulator/tsconfig.json' },
  { files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'], project: './tsconfig.test.json' },
];

export default defineConfig(
  { ignores: ['dist/', 'dist-tools/', 'source-twilio-costs/generated/', 'vendor/', '.bench-out/'] },
  {
    plugins: { 'simple-import-sort': simpleImportSort },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'simple-import-sort/imports': 'error',
      'simple-import-sort/exports': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { 'no-unused-vars': ['error', { ignoreRestSiblings: true }] },
  },
  {
    files: ['**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A promise nobody awaits loses its rejection; one passed where a callback's result is ignored does the same.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // An unused parameter an interface requires is named with a leading _, as tsconfig's noUnusedParameters allows.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true, caughtErrors: 'none' }],
      // An async method that implements a promise-returning interface without awaiting anything is still right: async turns its throws into rejections.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // The tests read the connector's messages as test/helpers/protocol.ts's `Message`, which is `any` on purpose: each is validated
    // against the official protocol schema when parsed. Reading its fields is what the tests do; typing it would let these rules back in.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  ...PROJECTS.map(({ files, project }) => ({ files, languageOptions: { parserOptions: { project } } })),
);
