// Worker of recovery.test.ts: opens a cell made by the main thread and makes cells of its own
// (each holding a string), so that it holds pins, then dies without closing the heap.
import { parentPort, workerData } from 'node:worker_threads';
import { Heap, type HeapHandle, type SharedCell, type SharedRef } from '../../src/index.js';

export interface PinsData {
  readonly heap: HeapHandle;
  /** A cell the main thread holds too: it must survive this worker's death. */
  readonly shared: SharedRef;
  /** Cells this worker makes and holds alone: its death must free them. */
  readonly own: number;
}

const data = workerData as PinsData;
const heap = Heap.attach(data.heap);
const shared = heap.open<SharedCell<string>>(data.shared);
const own = Array.from({ length: data.own }, (_, index) =>
  heap.cell(`held only by a worker that dies (${String(index)})`),
);
parentPort?.postMessage(`${shared.get()} / ${String(own.length)}`);
process.exit(0); // no close: its pins stay recorded for recovery
