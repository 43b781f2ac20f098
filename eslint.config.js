import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import svelteConfig from './frontend/svelte.config.js';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '.local/**',
      '**/dist/**',
      'frontend/.svelte-kit/**',
      'frontend/build/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Scripts the MongoDB image runs in mongosh on first start, where `db` is a global.
    files: ['compose/initdb/mongo/*.js'],
    languageOptions: { globals: { db: 'readonly' } },
  },
  ...svelte.configs.recommended,
  {
    // The site: server code runs on Node, components in the browser too.
    files: ['frontend/**/*.ts', 'frontend/**/*.js', 'frontend/**/*.svelte'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    // The site is served at the root (no kit.paths.base), so plain href paths are already resolved.
    rules: { 'svelte/no-navigation-without-resolve': 'off' },
  },
  {
    files: ['frontend/**/*.svelte'],
    languageOptions: {
      parserOptions: { extraFileExtensions: ['.svelte'], parser: tseslint.parser, svelteConfig },
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', process: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', fetch: 'readonly' },
    },
  },
);
