// Many-workers test worker, plain JavaScript on the built package (`npm run build` first; ~10 ms
// to start instead of ~100 ms with the TypeScript loader). It attaches, increments a shared
// counter in a transaction (its slot's owner, intent and version words), then sleeps in `retry`
// on a gate until the main thread opens it, and leaves.
import { parentPort, workerData } from 'node:worker_threads';
import { Heap, atomically, retry } from 'shared-objects';

const heap = Heap.attach(workerData.heap);
const counter = heap.open(workerData.counter);
const gate = heap.open(workerData.gate);
atomically(() => {
  counter.set(counter.get() + 1);
});
const opened = atomically(() => {
  const value = gate.get();
  if (value === 0) retry();
  return value;
});
heap.close();
parentPort?.postMessage(opened);
