// Worker of cycles.test.ts: opens the object it is given (taking a pin, recorded in its pin
// record), says so, and on the parent's word either disposes its wrapper or closes the heap.
import { parentPort, workerData } from 'node:worker_threads';
import { Heap, type HeapHandle, type SharedMap, type SharedRef } from '../../src/index.js';

export interface CyclesWorkerData {
  readonly heap: HeapHandle;
  readonly ref: SharedRef;
  /** How to let go of the pin: dispose the wrapper (then close), or only close the heap. */
  readonly letGo: 'dispose' | 'close';
}

const data = workerData as CyclesWorkerData;
const heap = Heap.attach(data.heap);
const map = heap.open<SharedMap<string>>(data.ref);
const port = parentPort;
if (port === null) throw new Error('cycles.worker.ts runs as a worker');
port.once('message', () => {
  if (data.letGo === 'dispose') {
    map[Symbol.dispose]();
    port.postMessage('disposed');
  }
  heap.close();
  port.postMessage('closed');
});
port.postMessage({ opened: map.size });
