// SharedArray from several real workers: operations on different elements never conflict, not
// even with pushes and pops at the end; accounts that move amounts between elements keep their
// sum for every reader while other workers push and pop past them, and no pushed item is lost
// or duplicated; two workers grow an array to 100 000 elements. Seeds are printed; SEED=<n>
// reruns one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Heap } from '../../src/index.js';
import { runWorkers } from '../support/run-workers.js';
import type { ArrayWorkerData, ArrayWorkerReport } from './array.worker.js';
import { testSeed } from '../support/random.js';

const script = new URL('./array.worker.ts', import.meta.url);
const baseSeed = testSeed();

describe('SharedArray across workers', () => {
  it('at(i) without a transaction sees counts that never go back while others count, push and pop', async (t) => {
    t.diagnostic(`seed ${String(baseSeed)}`);
    const heap = Heap.create({ maxBytes: 64 << 20 });
    const accounts = 120;
    const array = heap.array<unknown>(Array.from({ length: accounts }, (_, index) => index * 1e6));
    const common = { heap: heap.handle, array: array.ref, accounts };
    const reports = await runWorkers<ArrayWorkerReport>(script, [
      { ...common, mode: 'versions', seed: baseSeed, operations: 3000 },
      // Pushes and pops past `accounts`: later segments are added and removed as the end moves.
      { ...common, mode: 'disjoint', pusher: true, seed: baseSeed + 1, operations: 3000 },
      { ...common, mode: 'peek', seed: baseSeed + 2, operations: 20_000 },
      { ...common, mode: 'peek', seed: baseSeed + 3, operations: 20_000 },
    ]);
    for (const report of reports) assert.deepEqual(report.bad, [], `seed ${String(baseSeed)}`);
    heap.close();
  });

  it('two workers on different elements and a third pushing and popping: zero conflicts', async (t) => {
    t.diagnostic(`seed ${String(baseSeed)}`);
    const heap = Heap.create({ maxBytes: 64 << 20 });
    const initial = 200;
    const array = heap.array<unknown>(Array.from({ length: initial }, () => 0));
    // Interleaved, so the two workers' elements share segments.
    const indexes = [0, 1].map((worker) => Array.from({ length: 40 }, (_, at) => at * 4 + worker));
    const common = { heap: heap.handle, array: array.ref, mode: 'disjoint' as const };
    const data: ArrayWorkerData[] = [
      { ...common, seed: baseSeed, operations: 4000, indexes: indexes[0] ?? [] },
      { ...common, seed: baseSeed + 1, operations: 4000, indexes: indexes[1] ?? [] },
      { ...common, seed: baseSeed + 2, operations: 4000, pusher: true, accounts: initial },
    ];
    const before = heap.stats();
    const reports = await runWorkers<ArrayWorkerReport>(script, data);
    const after = heap.stats();
    assert.equal(
      after.aborts - before.aborts,
      0,
      `no transaction aborted (seed ${String(baseSeed)}): ${JSON.stringify(after)}`,
    );
    assert.equal(after.waits - before.waits, 0, 'no transaction waited for another');
    for (const report of reports) {
      assert.deepEqual(report.bad, []);
      for (const [index, value] of report.finalState) assert.equal(array.at(index), value);
    }
    assert.ok(array.length >= initial);
    heap.close();
  });

  it('amounts moved between elements keep their sum while others push and pop past them', async (t) => {
    t.diagnostic(`seed ${String(baseSeed)}`);
    const heap = Heap.create({ maxBytes: 64 << 20 });
    const accounts = 16;
    const total = accounts * 100;
    const array = heap.array<unknown>(Array.from({ length: accounts }, () => 100));
    const common = { heap: heap.handle, array: array.ref, accounts, total };
    const data: ArrayWorkerData[] = [
      { ...common, mode: 'bank', seed: baseSeed, operations: 1500 },
      { ...common, mode: 'bank', seed: baseSeed + 1, operations: 1500 },
      { ...common, mode: 'bank', seed: baseSeed + 2, operations: 300, reader: true },
      { ...common, mode: 'stack', seed: baseSeed + 3, operations: 1500 },
      { ...common, mode: 'stack', seed: baseSeed + 4, operations: 1500 },
    ];
    const reports = await runWorkers<ArrayWorkerReport>(script, data);
    for (const report of reports) assert.deepEqual(report.bad, [], `seed ${String(baseSeed)}`);
    assert.equal(reports[2]?.iterations, 300);
    const final = array.toArray();
    let sum = 0;
    for (const value of final.slice(0, accounts)) sum += value as number;
    assert.equal(sum, total);
    // Every pushed item is either still there or was popped by exactly one worker.
    const pushed = reports.flatMap((report) => report.pushed);
    const seen = [...reports.flatMap((report) => report.popped), ...final.slice(accounts)];
    assert.equal(new Set(seen).size, seen.length, 'no item popped twice or left after a pop');
    assert.deepEqual(new Set(seen), new Set(pushed), 'no item lost');
    heap.close();
  });

  it('two workers grow an array to 100 000 elements', async (t) => {
    t.diagnostic(`seed ${String(baseSeed)}`);
    const heap = Heap.create({ maxBytes: 64 << 20 });
    const array = heap.array<number>();
    const perWorker = 50_000;
    const base = 1_000_000;
    const data = [0, 1].map((worker): ArrayWorkerData => ({
      heap: heap.handle,
      array: array.ref,
      mode: 'grow',
      seed: baseSeed + worker,
      operations: perWorker,
      base: worker * base,
    }));
    const reports = await runWorkers<ArrayWorkerReport>(script, data);
    for (const report of reports) assert.deepEqual(report.bad, []);
    const values = array.toArray();
    assert.equal(values.length, 2 * perWorker);
    // Each worker's values appear once each, in the order it pushed them.
    const next = [0, 0];
    for (const value of values) {
      const worker = Math.floor(value / base);
      assert.equal(value % base, next[worker], `worker ${String(worker)}'s next value`);
      next[worker] = (next[worker] ?? 0) + 1;
    }
    assert.deepEqual(next, [perWorker, perWorker]);
    heap.close();
  });
});
