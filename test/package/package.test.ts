// The package as an installed dependency sees it: imported by its name, through `exports`, from
// the built JavaScript (run after `npm run build`, see scripts/run-tests.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ClosedError,
  Heap,
  HeapExhaustedError,
  HeapLayoutError,
  NotShareableError,
  StaleHandleError,
} from 'shared-objects';

test('the built package works when imported by name', () => {
  const heap = Heap.create({ maxBytes: 4 << 20 });
  const cell = heap.cell({ greeting: 'hello', n: 1n });
  assert.deepEqual(cell.get(), { greeting: 'hello', n: 1n });
  assert.equal(
    cell.update(() => 42 as never),
    42,
  );
  assert.ok(new NotShareableError('value', 'x') instanceof TypeError);
  for (const ErrorClass of [ClosedError, HeapExhaustedError, HeapLayoutError, StaleHandleError]) {
    assert.equal(typeof ErrorClass, 'function');
  }
  heap.close();
});

test('internals are not reachable through the package exports', async () => {
  const internal = ['shared-objects', 'dist', 'alloc', 'index.js'].join('/');
  await assert.rejects(import(internal), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
});

test('the built package imports no Node built-in statically (it loads where there is no Node)', async () => {
  const { readdir, readFile } = await import('node:fs/promises');
  const dist = new URL('../../dist/', import.meta.url);
  // The command (dist/cli/, the package's `bin`) is Node-only, and the library never imports it.
  const files = (await readdir(dist, { recursive: true })).filter(
    (file) => file.endsWith('.js') && !file.startsWith('cli/'),
  );
  assert.ok(files.length > 20, 'dist/ holds the built package');
  const offenders: string[] = [];
  for (const file of files) {
    const text = await readFile(new URL(file, dist), 'utf8');
    if (/^\s*(import|export)\b[^;]*from\s*['"]node:/m.test(text)) offenders.push(file);
  }
  assert.deepEqual(offenders, [], 'Node built-ins are taken with process.getBuiltinModule');
});
