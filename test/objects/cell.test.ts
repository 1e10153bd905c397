// Shared cells: each operation atomic on its own; values of every storable kind; errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ClosedError,
  Heap,
  HeapExhaustedError,
  NotShareableError,
  type SharedCell,
} from '../../src/index.js';
import { runWorkers } from '../support/run-workers.js';
import type { IncrementData } from './increment.worker.js';

describe('cell in one worker', () => {
  it('stores numbers inline: setting a number allocates nothing', () => {
    const heap = Heap.create({ maxBytes: 4 << 20 });
    const cell = heap.cell(0);
    const used = heap.memoryUsage().usedBytes;
    for (const value of [1.5, -0, Number.NaN, Infinity, -Infinity, 2 ** 53, 5e-324]) {
      cell.set(value);
      assert.ok(Object.is(cell.get(), value), `${String(value)} round-trips`);
    }
    assert.equal(heap.memoryUsage().usedBytes, used);
    assert.equal(heap.memoryUsage().retiredBytes, 0);
  });

  it('holds any storable value and returns frozen snapshots', () => {
    const heap = Heap.create({ maxBytes: 4 << 20 });
    const cell = heap.cell<unknown>(null);
    const values: unknown[] = [
      undefined,
      true,
      'text',
      '',
      '\ud800',
      -(2n ** 100n),
      [1, [2, 'x'], { y: null }],
      { a: 1, b: { c: [undefined] } },
    ];
    for (const value of values) {
      cell.set(value);
      assert.deepEqual(cell.get(), value);
    }
    const snapshot = cell.get() as { b: object };
    assert.ok(Object.isFrozen(snapshot) && Object.isFrozen(snapshot.b));
  });

  it('update returns the stored value and keeps the cell unchanged when fn throws', () => {
    const heap = Heap.create({ maxBytes: 4 << 20 });
    const cell = heap.cell({ n: 1 });
    assert.deepEqual(
      cell.update(({ n }) => ({ n: n + 1 })),
      { n: 2 },
    );
    assert.throws(
      () =>
        cell.update(() => {
          throw new RangeError('no');
        }),
      RangeError,
    );
    assert.throws(() => cell.update(() => ({ n: () => 0 }) as never), NotShareableError);
    assert.deepEqual(cell.get(), { n: 2 });
  });

  it('refuses values that are not shareable, naming the path, writing nothing', () => {
    const heap = Heap.create({ maxBytes: 4 << 20 });
    const cell = heap.cell<unknown>('before');
    const used = heap.memoryUsage().usedBytes;
    assert.throws(() => {
      cell.set({ a: [0, 1, 2, { b: () => 0 }] });
    }, /value\.a\[3\]\.b/);
    assert.throws(() => heap.cell(new Map()), NotShareableError);
    assert.equal(cell.get(), 'before');
    assert.equal(heap.memoryUsage().usedBytes, used);
  });

  it('stores cells in cells by reference', () => {
    const heap = Heap.create({ maxBytes: 4 << 20 });
    const inner = heap.cell(1);
    const outer = heap.cell({ inner });
    const { inner: again } = outer.get();
    again.set(2);
    assert.equal(inner.get(), 2);
    const other = Heap.create({ maxBytes: 4 << 20 });
    assert.throws(() => other.cell(inner), /another heap/);
  });

  it('throws ClosedError after close', () => {
    const heap = Heap.create({ maxBytes: 4 << 20 });
    const cell = heap.cell(1);
    heap.close();
    assert.throws(() => cell.get(), ClosedError);
    assert.throws(() => {
      cell.set(2);
    }, ClosedError);
    assert.throws(() => heap.cell(1), ClosedError);
    assert.throws(() => heap.memoryUsage(), ClosedError);
    heap.close();
  });

  it('recovers from exhaustion', () => {
    const heap = Heap.create({ maxBytes: 2 << 20 });
    const cells: SharedCell<string>[] = [];
    const big = 'x'.repeat(20_000);
    assert.throws(() => {
      for (;;) cells.push(heap.cell(big));
    }, HeapExhaustedError);
    const cell = cells[0];
    assert.ok(cell);
    assert.throws(() => {
      cell.set('y'.repeat(100_000));
    }, HeapExhaustedError);
    assert.equal(cell.get(), big, 'a failed set leaves the cell as it was');
    cell.set(7 as never);
    assert.equal(cell.get(), 7);
  });
});

describe('cell across workers', () => {
  it('4 workers × 10 000 increments end at exactly 40 000', async () => {
    const heap = Heap.create({ maxBytes: 16 << 20 });
    const counter = heap.cell(0);
    const text = heap.cell('w0:0');
    const data: IncrementData[] = Array.from({ length: 4 }, (_, index) => ({
      heap: heap.handle,
      counter: counter.ref,
      text: text.ref,
      index,
      increments: 10_000,
    }));
    const results = await runWorkers<{ tornReads: number }>(
      new URL('./increment.worker.ts', import.meta.url),
      data,
    );
    assert.equal(counter.get(), 40_000);
    assert.deepEqual(
      results.map((result) => result.tornReads),
      [0, 0, 0, 0],
    );
    assert.equal(heap.memoryUsage().attachedWorkers, 1, 'workers gave their slots back');
  });
});

describe('cell display', () => {
  it('util.inspect shows the value, JSON.stringify the plain form', async () => {
    const { inspect } = await import('node:util');
    const heap = Heap.create({ maxBytes: 4 << 20 });
    const cell = heap.cell<unknown>({ a: [1, 'two'] });
    assert.equal(inspect(cell), "SharedCell({ a: [ 1, 'two' ] })");
    assert.equal(JSON.stringify({ cell }), '{"cell":{"a":[1,"two"]}}');
    assert.equal(Object.prototype.toString.call(cell), '[object SharedCell]');
    heap.close();
    assert.equal(inspect(cell), 'SharedCell <closed>');
  });
});
