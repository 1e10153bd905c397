// The main demo (`npm run demo`): four workers share cells in one heap. Each worker increments a
// shared counter with `cell.update`, publishes its progress as a record, and reads the others'.
// The main thread prints what each did, how fast, and the heap's memory use.
import { Worker } from 'node:worker_threads';
import { Heap, type SharedCell } from 'shared-objects';
import type { DemoWorkerData, DemoWorkerReport } from './demo.worker.js';

const workerCount = 4;
const incrementsPerWorker = 250_000;
// Workers start at the same moment: each waits on this gate after attaching.
const gate = new Int32Array(new SharedArrayBuffer(8));

const heap = Heap.create({ maxBytes: 64 << 20 });
const counter: SharedCell<number> = heap.cell(0);
const progress = Array.from({ length: workerCount }, (_, worker) =>
  heap.cell({ worker, done: 0, note: 'starting' }),
);

console.log(`heap: ${String(heap.memoryUsage().reservedBytes >> 20)} MiB reserved`);
console.log(
  `starting ${String(workerCount)} workers, ${String(incrementsPerWorker)} increments each`,
);
let started = 0;
const reports = Promise.all(
  progress.map(
    (_, index) =>
      new Promise<DemoWorkerReport>((resolve, reject) => {
        const data: DemoWorkerData = {
          heap: heap.handle,
          counter: counter.ref,
          progress: progress.map((p) => p.ref),
          index,
          increments: incrementsPerWorker,
          gate: gate.buffer,
        };
        const worker = new Worker(new URL('./demo.worker.ts', import.meta.url), {
          workerData: data,
        });
        worker.once('message', (message: 'ready' | DemoWorkerReport) => {
          if (message !== 'ready') throw new Error('protocol: expected ready');
          if (Atomics.add(gate, 1, 1) === workerCount - 1) {
            started = performance.now();
            Atomics.store(gate, 0, 1);
            Atomics.notify(gate, 0);
          }
          worker.once('message', resolve);
        });
        worker.once('error', reject);
      }),
  ),
);
const finished = await reports;
const elapsedMs = performance.now() - started;

for (const report of finished) {
  console.log(
    `worker ${String(report.index)}: ${String(report.increments)} increments in ` +
      `${report.elapsedMs.toFixed(0)} ms (${(report.increments / report.elapsedMs / 1000).toFixed(2)} M/s), ` +
      `saw the others at ${report.othersSeen}`,
  );
}
for (const cell of progress) console.log('progress:', JSON.stringify(cell.get()));
const expected = workerCount * incrementsPerWorker;
const final = counter.get();
console.log(
  `counter = ${String(final)} (expected ${String(expected)}) ` +
    `after ${elapsedMs.toFixed(0)} ms: ${(expected / elapsedMs / 1000).toFixed(2)} M updates/s`,
);
const usage = heap.memoryUsage();
console.log(
  `memory: ${String(usage.usedBytes)} B used, ${String(usage.committedBytes >> 10)} KiB committed`,
);
heap.close();
if (final !== expected) process.exitCode = 1;
