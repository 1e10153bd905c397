// Worker of the async test. A holder runs one inevitable transaction (never preempted) that
// writes a cell, says so, and keeps its lock and the inevitability token until the main thread
// raises a flag — which the main thread does from a timer, so it can only happen if the main
// thread's own transaction waits without blocking. A writer runs plain increments.
import { parentPort, workerData } from 'node:worker_threads';
import {
  atomically,
  Heap,
  inevitable,
  type HeapHandle,
  type SharedCell,
  type SharedRef,
} from '../../src/index.js';

export interface AsyncHolderData {
  readonly role: 'holder';
  readonly heap: HeapHandle;
  readonly cell: SharedRef;
  /** Int32 flag: the holder commits once it is 1. */
  readonly release: SharedArrayBuffer;
  /** The holder gives up (and reports it) after this long: the main thread was blocked. */
  readonly holdMsMax: number;
}

export interface AsyncWriterData {
  readonly role: 'writer';
  readonly heap: HeapHandle;
  readonly cell: SharedRef;
  readonly increments: number;
}

export type AsyncWorkerData = AsyncHolderData | AsyncWriterData;

const data = workerData as AsyncWorkerData;
const heap = Heap.attach(data.heap);
const cell = heap.open<SharedCell<number>>(data.cell);

if (data.role === 'holder') {
  const release = new Int32Array(data.release);
  const outcome = { released: false };
  heap.atomically(() => {
    inevitable();
    cell.set(cell.get() + 1);
    parentPort?.postMessage('holding');
    // Inevitable: this wait is a side effect the transaction is allowed (it never reruns).
    outcome.released = Atomics.wait(release, 0, 0, data.holdMsMax) !== 'timed-out';
  });
  parentPort?.postMessage(outcome.released ? 'released' : 'timed out');
} else {
  for (let i = 0; i < data.increments; i += 1) {
    atomically(() => {
      cell.set(cell.get() + 1);
    });
  }
  parentPort?.postMessage('done');
}
heap.close();
