// Runs the test suites with Node's built-in test runner, loading TypeScript through tsx.
//
//   node scripts/run-tests.mjs unit     every test/**/*.test.ts except test/package/**
//   node scripts/run-tests.mjs package  test/package/**/*.test.ts (needs `npm run build` first,
//                                       because those tests import the built package by name)
//
// Test files are listed here rather than with a shell glob so that the command works under
// /bin/sh and on Node 20, whose `--test` does not expand globs. Files run one at a time: the
// tests start their own worker threads, and running several files at once on a small CI machine
// turns timing-sensitive tests into flaky ones.
//
// TypeScript is loaded by the `--require` preload in register-tsx.cjs, not by `--import tsx`: on
// Node 20 `--import` does not run in worker threads, while `--require` does, so test files can
// start workers straight from .ts files (see register-tsx.cjs).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const testRoot = 'test';
const packageDir = join(testRoot, 'package');
// A safety net so that a deadlocked test fails CI instead of hanging it; not a performance bound.
const testTimeoutMs = 300_000;
const registerTsx = fileURLToPath(new URL('./register-tsx.cjs', import.meta.url));

const suite = process.argv[2];
if (suite !== 'unit' && suite !== 'package') {
  process.stderr.write('usage: node scripts/run-tests.mjs unit|package\n');
  process.exit(2);
}

// tsconfig.json maps 'shared-objects' to src/index.ts so that lint and typecheck work before a
// build, and tsx applies that mapping at run time too. Package tests must exercise the built
// package through its "exports", so they run with tsconfig.build.json, which clears `paths`.
const packageEnv = () => ({ ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.build.json' });

const isUnderPackageDir = (file) => file === packageDir || file.startsWith(packageDir + sep);

const files = readdirSync(testRoot, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts'))
  .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
  .filter((file) => (suite === 'package' ? isUnderPackageDir(file) : !isUnderPackageDir(file)))
  .sort();

if (files.length === 0) {
  process.stderr.write(`run-tests: no ${suite} test files found\n`);
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  [
    '--require',
    registerTsx,
    '--test',
    '--test-concurrency=1',
    `--test-timeout=${String(testTimeoutMs)}`,
    ...files,
  ],
  { stdio: 'inherit', env: suite === 'package' ? packageEnv() : process.env },
);
if (result.error) {
  throw result.error;
}
process.exit(result.status ?? 1);
