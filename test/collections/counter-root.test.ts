// heap.counter: adds from several real workers never conflict and none is lost. heap.root: the
// same map in every worker, where workers find shared objects by name.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { atomically, Heap, type SharedMap } from '../../src/index.js';
import { runWorkers } from '../support/run-workers.js';
import type { CounterRootData } from './counter-root.worker.js';

const script = new URL('./counter-root.worker.ts', import.meta.url);

describe('heap.counter and heap.root', () => {
  it('a counter adds, subtracts and commits with its transaction', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const counter = heap.counter(10);
    counter.add(5);
    counter.add(-2);
    assert.equal(counter.value, 13);
    assert.throws(() => {
      atomically(() => {
        counter.add(100);
        assert.equal(counter.value, 113, 'a transaction sees its own adds');
        throw new Error('undo');
      });
    }, /undo/);
    assert.equal(counter.value, 13);
    assert.equal(JSON.stringify({ counter }), '{"counter":13}');
    assert.equal(inspect(counter), 'SharedCounter(13)');
    assert.throws(() => {
      counter.add(Number.NaN);
    }, TypeError);
    assert.throws(() => heap.counter(Infinity), TypeError);
  });

  it('four workers find a counter through heap.root and add 20 000 times without a conflict', async () => {
    const heap = Heap.create({ maxBytes: 16 << 20 });
    const counter = heap.counter();
    heap.root.set('hits', counter);
    const adds = 5000;
    const before = heap.stats();
    await runWorkers<boolean>(
      script,
      [0, 1, 2, 3].map((index): CounterRootData => ({ heap: heap.handle, index, adds })),
    );
    assert.equal(counter.value, 4 * adds, 'no add lost');
    assert.equal(heap.stats().aborts - before.aborts, 0, 'adds never abort each other');
    for (const index of [0, 1, 2, 3]) {
      const map = heap.root.get(`worker ${String(index)}`) as SharedMap<string, number>;
      assert.equal(map.get('worker'), index, 'a map a worker left in the root');
    }
    assert.deepEqual([...heap.root.keys()].slice(0, 1), ['hits']);
    assert.equal(heap.root, heap.root, 'one wrapper per worker');
  });
});
