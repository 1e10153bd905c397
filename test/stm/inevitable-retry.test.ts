// A transaction that contention made inevitable (its attempt number reached
// `attemptsBeforeInevitable`) may still call `retry()`: it gives up inevitability and waits on
// what it read, like any transaction. (Its reads are locks; they were not logged, so `retry`
// threw RETRY_WITHOUT_READS.) Each attempt reads a cell, has a worker write that cell (the
// worker commits, or preempts the attempt if it holds the cell's lock), then writes another:
// every attempt fails until the inevitable one, which cannot be preempted and retries instead.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { atomically, Heap, retry } from '../../src/index.js';
import { limits } from '../../src/base/index.js';
import { within } from '../support/time-limit.js';
import type { WriterData } from './inevitable-retry.worker.js';

const script = new URL('./inevitable-retry.worker.ts', import.meta.url);

test('an attempt made inevitable by contention can retry', async () => {
  const heap = Heap.create({ maxBytes: 16 << 20 });
  const read = heap.cell(0);
  const out = heap.cell(0);
  const flags = new Int32Array(new SharedArrayBuffer(12));
  const worker = new Worker(script, {
    workerData: { heap: heap.handle, read: read.ref, flags: flags.buffer } satisfies WriterData,
  });
  heap.watch(worker);
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  const ask = (): void => {
    Atomics.add(flags, 0, 1);
    Atomics.notify(flags, 0);
  };
  let runs = 0;
  let retried = false;
  atomically(() => {
    runs += 1;
    const seen = read.get();
    if (runs <= limits.attemptsBeforeInevitable) {
      const acks = Atomics.load(flags, 1);
      ask();
      // Bounded: the worker acknowledges within the owner-wait bound (it preempts us if need be).
      Atomics.wait(flags, 1, acks, 10_000);
      out.set(seen);
    } else if (!retried) {
      // The inevitable attempt: the worker's next write wakes the retry once this attempt let go.
      retried = true;
      ask();
      retry();
    } else {
      out.set(seen);
    }
  });
  assert.ok(retried, `the transaction committed after ${String(runs)} runs, never inevitable`);
  assert.equal(out.get(), read.get(), 'the committed run wrote what it read');
  Atomics.store(flags, 2, 1);
  ask();
  await within(exited, 20_000, 'the worker did not stop');
  heap.close();
});
