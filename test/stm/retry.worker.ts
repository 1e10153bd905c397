// Worker of the retry test: a consumer that takes items from a shared one-slot mailbox, blocking
// in `retry()` while it is empty, and records when it woke relative to the producer's commit.
import { parentPort, workerData } from 'node:worker_threads';
import {
  atomically,
  Heap,
  retry,
  type HeapHandle,
  type SharedCell,
  type SharedRef,
} from '../../src/index.js';

export interface RetryData {
  readonly heap: HeapHandle;
  readonly mailbox: SharedRef;
  readonly items: number;
}

const data = workerData as RetryData;
const heap = Heap.attach(data.heap);
const mailbox = heap.open<SharedCell<number | null>>(data.mailbox);
const taken: number[] = [];
let runs = 0;
for (let i = 0; i < data.items; i += 1) {
  const item = atomically(() => {
    runs += 1;
    const value = mailbox.get();
    if (value === null) retry();
    mailbox.set(null);
    return value;
  });
  taken.push(item);
}
heap.close();
parentPort?.postMessage({ taken, runs, wokeAt: performance.timeOrigin + performance.now() });
