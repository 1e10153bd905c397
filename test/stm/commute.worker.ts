// Worker of the commute test: each transaction reads and writes a cell of its own (so it is a
// real read-write transaction that keeps a read log), then adds to one shared counter with
// `cell.add` — or, in 'update' mode, reads and rewrites the counter — and spends some work
// between the counter and the commit, so that transactions overlap on the counter.
import { parentPort, workerData } from 'node:worker_threads';
import {
  atomically,
  Heap,
  type HeapHandle,
  type SharedCell,
  type SharedRef,
} from '../../src/index.js';

export interface CommuteData {
  readonly heap: HeapHandle;
  readonly counter: SharedRef;
  readonly own: SharedRef;
  readonly transactions: number;
  readonly mode: 'add' | 'update';
}

const data = workerData as CommuteData;
const heap = Heap.attach(data.heap);
const counter = heap.open<SharedCell<number>>(data.counter);
const own = heap.open<SharedCell<number>>(data.own);
let sink = 0;
for (let i = 0; i < data.transactions; i += 1) {
  atomically(() => {
    own.set(own.get() + 1);
    if (data.mode === 'add') counter.add(2);
    else counter.set(counter.get() + 2);
    for (let spin = 0; spin < 200; spin += 1) sink += spin % 3;
  });
}
heap.close();
parentPort?.postMessage(sink > 0 ? 'done' : 'done');
