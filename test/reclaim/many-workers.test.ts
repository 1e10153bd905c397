// A heap takes `workerSlotsMax` (256) workers at once: 255 worker threads and this one attach,
// each commits a transaction from its own slot (slots up to 255 in the owner, intent and version
// words), then sleeps in `retry` on one gate — four slots to each watch group — and all of them
// wake when the gate opens. One attach more is a LimitExceededError. The workers mostly sleep,
// so this runs on 2 cores; they run the built package (many.worker.mjs) to start quickly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { limits } from '../../src/base/index.js';
import { Heap, LimitExceededError } from '../../src/index.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** Generous: 255 starts and commits take a few seconds on a loaded 2-core machine. */
const attachMsMax = 120_000;

test(`${String(limits.workerSlotsMax)} workers attached to one heap at once`, async () => {
  const heap = Heap.create({ maxBytes: 64 << 20 });
  const counter = heap.cell(0);
  const gate = heap.cell(0);
  const others = limits.workerSlotsMax - 1;
  const outcomes: Promise<{ code: number; opened: unknown }>[] = [];
  for (let index = 0; index < others; index += 1) {
    const worker = new Worker(new URL('./many.worker.mjs', import.meta.url), {
      workerData: { heap: heap.handle, counter: counter.ref, gate: gate.ref },
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 },
    });
    heap.watch(worker);
    let opened: unknown;
    worker.on('message', (message: unknown) => {
      opened = message;
    });
    outcomes.push(
      new Promise((resolve, reject) => {
        worker.once('error', reject);
        worker.once('exit', (code) => {
          resolve({ code, opened });
        });
      }),
    );
  }
  const started = performance.now();
  while (counter.get() < others && performance.now() - started < attachMsMax) await sleep(20);
  assert.equal(counter.get(), others, 'every worker committed once');
  assert.equal(heap.memoryUsage().attachedWorkers, limits.workerSlotsMax);
  assert.throws(
    () => Heap.attach(heap.handle),
    (error) => error instanceof LimitExceededError && error.limitName === 'workerSlotsMax',
  );
  // Every worker is asleep in retry on the gate (or about to be): one write wakes them all.
  gate.set(7);
  const results = await Promise.all(outcomes);
  assert.ok(
    results.every((result) => result.code === 0 && result.opened === 7),
    'every worker woke with the gate open and left cleanly',
  );
  assert.equal(heap.memoryUsage().attachedWorkers, 1);
  // The slots are free again.
  const again = Heap.attach(heap.handle);
  again.close();
  heap.close();
});
