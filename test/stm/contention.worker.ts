// Worker of the contention-policy test: a holder that keeps a cell's lock inside its transaction
// until a writer has given up on it `writerRunsWanted` times (or has committed), and that writer.
// `naive` makes this worker's engine use the naive-retry policy (chosen before attaching: the
// engine takes its policy when Heap.attach makes it).
import { parentPort, workerData } from 'node:worker_threads';
import { Heap, type HeapHandle, type SharedCell, type SharedRef } from '../../src/index.js';
import { useNaiveContention } from '../../src/stm/contention.js';

export interface ContentionData {
  readonly heap: HeapHandle;
  readonly cell: SharedRef;
  /** [0] writer runs so far, [1] holder has the lock, [2] writer committed. */
  readonly flags: SharedArrayBuffer;
  readonly role: 'holder' | 'writer';
  readonly naive: boolean;
  /** Writer runs after which the holder lets go (a naive writer reruns at once, never waits). */
  readonly writerRunsWanted: number;
}

export interface ContentionResult {
  readonly runs: number;
}

/** Bounds on the waits for the other worker (a broken policy fails the test, never hangs it). */
const waitSliceMs = 10;
const waitSlicesMax = 1000;

const data = workerData as ContentionData;
if (data.naive) useNaiveContention();
const heap = Heap.attach(data.heap);
const cell = heap.open<SharedCell<number>>(data.cell);
const flags = new Int32Array(data.flags);
let runs = 0;

if (data.role === 'holder') {
  heap.atomically(() => {
    runs += 1;
    cell.set(1);
    Atomics.store(flags, 1, 1);
    Atomics.notify(flags, 1);
    for (let slice = 0; slice < waitSlicesMax; slice += 1) {
      const writerRuns = Atomics.load(flags, 0);
      if (writerRuns >= data.writerRunsWanted || Atomics.load(flags, 2) === 1) break;
      Atomics.wait(flags, 0, writerRuns, waitSliceMs);
    }
  });
} else {
  for (let slice = 0; slice < waitSlicesMax && Atomics.load(flags, 1) === 0; slice += 1) {
    Atomics.wait(flags, 1, 0, waitSliceMs);
  }
  heap.atomically(() => {
    runs += 1;
    Atomics.store(flags, 0, runs);
    Atomics.notify(flags, 0);
    cell.set(2);
  });
  Atomics.store(flags, 2, 1);
  Atomics.notify(flags, 0);
}
heap.close();
parentPort?.postMessage({ runs } satisfies ContentionResult);
