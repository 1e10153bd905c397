// Writes two cells together in a loop (the line marked WRITE-SITE) until told to stop, so that
// a long reader on the main thread keeps losing to it (the conflict log's write-read test).
import { workerData } from 'node:worker_threads';
import { Heap, type HeapHandle, type SharedCell, type SharedRef } from '../../src/index.js';

export interface WriterData {
  readonly heap: HeapHandle;
  readonly x: SharedRef;
  readonly y: SharedRef;
  /** [0]: the writer started; [1]: stop. */
  readonly flags: SharedArrayBuffer;
  /** Stays in its loop without writing the `end` record, to be killed (log survives a kill). */
  readonly untilKilled: boolean;
}

const data = workerData as WriterData;
const heap = Heap.attach(data.heap);
const flags = new Int32Array(data.flags);
const x = heap.open<SharedCell<number>>(data.x);
const y = heap.open<SharedCell<number>>(data.y);

function writeBoth(): void {
  const write = (): void => {
    x.set(x.get() + 1);
    y.set(y.get() + 1);
  };
  heap.atomically(write); // WRITE-SITE
}

Atomics.store(flags, 0, 1);
while (data.untilKilled || Atomics.load(flags, 1) === 0) writeBoth();
heap.close();
