// Worker of the age test. Two roles, driven by a shared Int32Array of steps:
// - 'holder': a first attempt that locks x and holds it, meeting nobody, until the writer says it
//   is about to write x, and a little longer (so that the writer finds x locked);
// - 'writer': locks y first, then writes x while the holder still holds it.
// Each reports how often its transaction ran, and its waits and write-write aborts (conflict hook).
import { parentPort, workerData } from 'node:worker_threads';
import {
  atomically,
  Heap,
  type HeapHandle,
  type SharedCell,
  type SharedRef,
} from '../../src/index.js';

export interface AgeData {
  readonly role: 'holder' | 'writer';
  readonly heap: HeapHandle;
  readonly x: SharedRef;
  readonly y: SharedRef;
  /** [0]: the holder holds x; [1]: the writer holds y and writes x next. */
  readonly steps: SharedArrayBuffer;
  /** How long the holder keeps x after the writer's step (well under the preemption bound). */
  readonly holdMs: number;
}

export interface AgeResult {
  readonly runs: number;
  readonly waits: number;
  readonly abortsWriteWrite: number;
}

const data = workerData as AgeData;
const heap = Heap.attach(data.heap);
const x = heap.open<SharedCell<number>>(data.x);
const y = heap.open<SharedCell<number>>(data.y);
const steps = new Int32Array(data.steps);
const stepWaitMs = 10_000;
let runs = 0;
let waits = 0;
let abortsWriteWrite = 0;
heap.onConflict((event) => {
  if (event.kind === 'wait') waits += 1;
  if (event.kind === 'write-write') abortsWriteWrite += 1;
});

function spinFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Holding x: a busy transaction, not a sleeping one.
  }
}

if (data.role === 'holder') {
  atomically(() => {
    runs += 1;
    x.set(1);
    Atomics.store(steps, 0, 1);
    Atomics.notify(steps, 0);
    Atomics.wait(steps, 1, 0, stepWaitMs);
    spinFor(data.holdMs);
  });
} else {
  Atomics.wait(steps, 0, 0, stepWaitMs);
  atomically(() => {
    runs += 1;
    y.set(runs);
    Atomics.store(steps, 1, 1);
    Atomics.notify(steps, 1);
    x.set(10);
  });
}
heap.close();
parentPort?.postMessage({ runs, waits, abortsWriteWrite } satisfies AgeResult);
