// Worker of inevitable-retry.test.ts: each time the main thread asks (flags[0] += 1), writes
// cell `read` once, then acknowledges (flags[1] += 1). flags[2] = 1 ends it.
import { workerData } from 'node:worker_threads';
import { Heap, type HeapHandle, type SharedCell, type SharedRef } from '../../src/index.js';

export interface WriterData {
  readonly heap: HeapHandle;
  readonly read: SharedRef;
  readonly flags: SharedArrayBuffer;
}

const data = workerData as WriterData;
const flags = new Int32Array(data.flags);
const heap = Heap.attach(data.heap);
const read = heap.open<SharedCell<number>>(data.read);
let served = 0;
// Bounded: the test ends it within seconds; this gives up after a minute without requests.
for (let round = 0; round < 10_000 && Atomics.load(flags, 2) === 0; round += 1) {
  if (Atomics.wait(flags, 0, served, 60_000) === 'timed-out') break;
  while (served < Atomics.load(flags, 0)) {
    served += 1;
    // Waits for the main thread's lock when it holds one (and preempts it past the bound).
    read.set(served);
    Atomics.add(flags, 1, 1);
    Atomics.notify(flags, 1);
  }
}
heap.close();
