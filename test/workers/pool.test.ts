// WorkerPool: real worker threads. Calls return results, take shared objects by reference and
// bring errors back with their type; a call that crashes its worker (throw, process.exit, an
// infinite loop past its timeout) loses no other call, and the worker is replaced; after close()
// the heap's memory is back to where it was before the pool started.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CallTimeoutError,
  ClosedError,
  Heap,
  WorkerExitedError,
  WorkerPool,
  type SharedMap,
} from '../../src/index.js';

const module = new URL('./pool.worker.ts', import.meta.url);

test('calls: results, shared objects by reference, big values, errors with their type', async () => {
  const heap = Heap.create({ maxBytes: 64 << 20 });
  const map: SharedMap<string, number> = heap.map();
  const pool = new WorkerPool(heap, { module, workers: 2 });
  try {
    assert.equal(await pool.call('add', 2, 3), 5);
    assert.deepEqual(await pool.call('echo', { a: [1, 'x', -0.5, null, 10n, true] }), {
      a: [1, 'x', -0.5, null, 10n, true],
    });
    assert.equal(await pool.call('later', 21), 42);
    assert.equal(await pool.call('put', map, 'k', 7), 1);
    assert.equal(map.get('k'), 7);
    // Too big for a record: goes through a heap cell, both ways.
    const big = 'x'.repeat(5000);
    assert.equal(await pool.call('echo', big), big);
    // A shared object comes back as the same object.
    assert.equal(await pool.call('echo', map), map);
    const error = await pool.call('fail', 'boom').catch((caught: unknown) => caught);
    assert.ok(error instanceof RangeError);
    assert.equal(error.message, 'boom');
    assert.match(error.stack ?? '', /pool\.worker\.ts/);
    await assert.rejects(pool.call('missing'), /exports no function missing/);
    const many = await Promise.all(Array.from({ length: 5000 }, (_, i) => pool.call('add', i, 1)));
    assert.deepEqual(
      many,
      Array.from({ length: 5000 }, (_, i) => i + 1),
    );
  } finally {
    await pool.close();
  }
  await assert.rejects(pool.call('add', 1, 1), ClosedError);
  heap.close();
});

test('a crashing call loses no other call; the dead worker is replaced; memory back', async () => {
  const heap = Heap.create({ maxBytes: 64 << 20 });
  heap.reclaim();
  const baseline = heap.memoryUsage().usedBytes;
  const pool = new WorkerPool(heap, { module, workers: 2 });
  const calls = 600;
  const outcomes = await Promise.allSettled(
    Array.from({ length: calls }, (_, i) => {
      if (i === 100) return pool.call('exit');
      if (i === 200) return pool.call('fail', 'thrown');
      if (i === 300) return pool.callWithTimeout(300, 'spin');
      if (i === 400) return pool.call('echo', 'y'.repeat(3000));
      return pool.call('add', i, 0);
    }),
  );
  outcomes.forEach((outcome, i) => {
    if (i === 100) {
      assert.equal(outcome.status, 'rejected');
      assert.ok(outcome.reason instanceof WorkerExitedError, String(outcome.reason));
    } else if (i === 200) {
      assert.equal(outcome.status, 'rejected');
      assert.match(String(outcome.reason), /thrown/);
    } else if (i === 300) {
      assert.equal(outcome.status, 'rejected');
      assert.ok(outcome.reason instanceof CallTimeoutError, String(outcome.reason));
    } else if (i === 400) {
      assert.deepEqual(outcome, { status: 'fulfilled', value: 'y'.repeat(3000) });
    } else {
      assert.deepEqual(outcome, { status: 'fulfilled', value: i }, `call ${String(i)}`);
    }
  });
  // After the deaths the pool still works on both workers.
  assert.deepEqual(
    await Promise.all(Array.from({ length: 100 }, (_, i) => pool.call('add', i, 1))),
    Array.from({ length: 100 }, (_, i) => i + 1),
  );
  const stats = pool.stats();
  assert.equal(stats.workersStarted, 4, 'two workers replaced (exit, timeout)');
  await pool.close();
  assert.equal(pool.stats().workersExited, 4);
  heap.reclaim();
  assert.equal(heap.memoryUsage().attachedWorkers, 1);
  assert.equal(heap.memoryUsage().usedBytes, baseline);
  heap.close();
});

test(
  'a call past its timeout fails while other calls keep finishing',
  { timeout: 60_000 },
  async () => {
    const heap = Heap.create({ maxBytes: 16 << 20 });
    const pool = new WorkerPool(heap, { module, workers: 2 });
    const state = { ended: false };
    const spin = pool.callWithTimeout(200, 'spin').then(
      () => {
        state.ended = true;
        return undefined;
      },
      (error: unknown) => {
        state.ended = true;
        return error;
      },
    );
    let streamed = 0;
    while (!state.ended) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => pool.call('add', i, 1)));
      streamed += 50;
    }
    assert.ok((await spin) instanceof CallTimeoutError);
    assert.ok(streamed > 0);
    assert.equal(await pool.call('add', 1, 1), 2);
    await pool.close();
    heap.close();
  },
);

test('a module that does not load: calls reject with its error', async () => {
  const heap = Heap.create({ maxBytes: 16 << 20 });
  const pool = new WorkerPool(heap, {
    module: new URL('./no-such-module.ts', import.meta.url),
    workers: 1,
  });
  await assert.rejects(pool.call('add', 1, 2), /no-such-module|Cannot find/);
  await pool.close();
  heap.close();
});
