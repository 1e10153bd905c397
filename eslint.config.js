// ESLint flat config: typescript-eslint's strict and stylistic type-checked presets over all
// TypeScript, plus the project rules from docs STYLE.md item 14 (no `any`, no `.only`, no stray
// console output in library code). Type information comes from tsconfig.json via projectService.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const nodeGlobals = {
  process: 'readonly',
  console: 'readonly',
  URL: 'readonly',
  SharedArrayBuffer: 'readonly',
  Atomics: 'readonly',
};

const commonJsGlobals = {
  require: 'readonly',
  module: 'writable',
  exports: 'writable',
  __filename: 'readonly',
  __dirname: 'readonly',
};

// Test-runner entry points whose `.only` variants must never reach CI.
const focusedTestMessage = 'Focused tests (.only) must not be committed.';
const testFunctionNames = ['describe', 'it', 'test', 'suite'];

export default defineConfig(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**', '**/*.config.*'],
  },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: nodeGlobals,
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
      'no-restricted-properties': [
        'error',
        ...testFunctionNames.map((object) => ({
          object,
          property: 'only',
          message: focusedTestMessage,
        })),
      ],
      'no-restricted-syntax': [
        'error',
        {
          // node:test also accepts `test('name', { only: true }, fn)`.
          selector: `CallExpression[callee.name=/^(${testFunctionNames.join('|')})$/] > ObjectExpression > Property[key.name='only']`,
          message: focusedTestMessage,
        },
        {
          selector: `CallExpression[callee.property.name=/^(${testFunctionNames.join('|')})$/] > ObjectExpression > Property[key.name='only']`,
          message: focusedTestMessage,
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
      // Bit-flag enums (`Locked = 1 << 0`) are normal in a shared-memory library.
      '@typescript-eslint/prefer-literal-enum-member': 'off',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true }, // allowNumber also covers bigint.
      ],
      // `while (true)` / `for (;;)` with an explicit, bounded exit are common in spin/retry loops.
      '@typescript-eslint/no-unnecessary-condition': [
        'error',
        { allowConstantLoopConditions: 'only-allowed-literals' },
      ],
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'it', 'describe', 'suite', 'skip', 'todo', 'only'],
            },
          ],
        },
      ],
    },
  },
  {
    // Library code reports through return values and typed errors, never the console;
    // only the CLI talks to a terminal.
    files: ['src/**'],
    ignores: ['src/cli/**'],
    rules: {
      'no-console': 'error',
    },
  },
  {
    // Plain JavaScript helpers (scripts/*.mjs, *.cjs) are not part of the TypeScript program.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { ...nodeGlobals, ...commonJsGlobals },
    },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
);
