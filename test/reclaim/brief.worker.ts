// Slot-reuse test worker: attaches, touches a shared cell, and leaves in one of three ways —
// `heap.close()`, `process.exit()` without closing, or simply ending without closing.
import { workerData } from 'node:worker_threads';
import { Heap, type HeapHandle, type SharedCell, type SharedRef } from '../../src/index.js';

const data = workerData as {
  heap: HeapHandle;
  counter: SharedRef;
  leave: 'close' | 'exit' | 'end';
};
const heap = Heap.attach(data.heap);
heap.open<SharedCell<number>>(data.counter).update((n) => n + 1);
if (data.leave === 'close') heap.close();
else if (data.leave === 'exit') process.exit(0);
