// The pool and the transaction queue from the built package: the worker bootstrap script is
// found next to the built module (dist/api/pool-worker.js), not in src/.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Heap, TransactionQueue, WorkerPool, type SharedMap } from 'shared-objects';

const module = new URL('./workers.tasks.ts', import.meta.url);

test('WorkerPool and TransactionQueue run from the built package', async () => {
  const heap = Heap.create({ maxBytes: 32 << 20 });
  const pool = new WorkerPool(heap, { module, workers: 1 });
  assert.equal(await pool.call('add', 20, 22), 42);
  await pool.close();
  const counts: SharedMap<number, number> = heap.map();
  heap.root.set('counts', counts);
  const queue = new TransactionQueue(heap, { module, workers: 2 });
  for (let i = 0; i < 500; i += 1) queue.add('bump', i % 5);
  const result = await queue.run();
  assert.equal(result.executed, 500);
  assert.deepEqual([...counts.values()], [100, 100, 100, 100, 100]);
  await queue.close();
  heap.close();
});
