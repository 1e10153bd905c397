// One worker of the demo: attaches the heap, opens the shared cells by reference, increments the
// shared counter and publishes its progress as a plain record that the other workers read.
import { parentPort, workerData } from 'node:worker_threads';
import { Heap, type HeapHandle, type SharedCell, type SharedRef } from 'shared-objects';

export interface DemoWorkerData {
  readonly heap: HeapHandle;
  readonly counter: SharedRef;
  readonly progress: readonly SharedRef[];
  readonly index: number;
  readonly increments: number;
  /** Int32 [0]: the start flag every worker waits on. */
  readonly gate: SharedArrayBuffer;
}

export interface DemoWorkerReport {
  readonly index: number;
  readonly increments: number;
  readonly elapsedMs: number;
  readonly othersSeen: string;
}

interface Progress {
  readonly worker: number;
  readonly done: number;
  readonly note: string;
}

const data = workerData as DemoWorkerData;
const heap = Heap.attach(data.heap);
const counter = heap.open<SharedCell<number>>(data.counter);
const progress = data.progress.map((ref) => heap.open<SharedCell<Progress>>(ref));
const mine = progress[data.index];
if (mine === undefined) throw new Error(`no progress cell for worker ${String(data.index)}`);

parentPort?.postMessage('ready');
Atomics.wait(new Int32Array(data.gate), 0, 0);
const started = performance.now();
for (let i = 1; i <= data.increments; i += 1) {
  counter.update((n) => n + 1);
  if (i % 10_000 === 0) mine.set({ worker: data.index, done: i, note: 'working' });
}
mine.set({ worker: data.index, done: data.increments, note: 'finished' });
const elapsedMs = performance.now() - started;

const othersSeen = progress
  .filter((_, index) => index !== data.index)
  .map((cell) => {
    const { worker, done } = cell.get();
    return `#${String(worker)}:${String(done)}`;
  })
  .join(' ');
const report: DemoWorkerReport = {
  index: data.index,
  increments: data.increments,
  elapsedMs,
  othersSeen,
};
parentPort?.postMessage(report);
heap.close();
