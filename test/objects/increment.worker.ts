// Worker of the cell test: increments a shared counter with `update`, and rewrites a shared string
// cell while checking that every string it reads is one some worker really wrote.
import { parentPort, workerData } from 'node:worker_threads';
import { Heap, type HeapHandle, type SharedCell, type SharedRef } from '../../src/index.js';

export interface IncrementData {
  readonly heap: HeapHandle;
  readonly counter: SharedRef;
  readonly text: SharedRef;
  readonly index: number;
  readonly increments: number;
}

const data = workerData as IncrementData;
const heap = Heap.attach(data.heap);
const counter = heap.open<SharedCell<number>>(data.counter);
const text = heap.open<SharedCell<string>>(data.text);
let tornReads = 0;
for (let i = 1; i <= data.increments; i += 1) {
  counter.update((n) => n + 1);
  if (i % 16 === 0) {
    text.update((s) => {
      if (!/^w\d:\d+$/.test(s)) tornReads += 1;
      return `w${String(data.index)}:${String(i)}`;
    });
  }
}
heap.close();
parentPort?.postMessage({ tornReads });
