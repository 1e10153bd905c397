// Worker of counter-root.test.ts: finds the counter through `heap.root` by name (no ref passed),
// adds to it, and leaves a map of its own in the root.
import { parentPort, workerData } from 'node:worker_threads';
import { Heap, type HeapHandle, type SharedCounter } from '../../src/index.js';

export interface CounterRootData {
  readonly heap: HeapHandle;
  readonly index: number;
  readonly adds: number;
}

const data = workerData as CounterRootData;
const heap = Heap.attach(data.heap);
const counter = heap.root.get('hits') as SharedCounter;
for (let round = 0; round < data.adds; round += 1) counter.add(1);
const mine = heap.map([['worker', data.index]]);
heap.root.set(`worker ${String(data.index)}`, mine);
mine[Symbol.dispose]();
counter[Symbol.dispose]();
heap.close();
parentPort?.postMessage(true);
