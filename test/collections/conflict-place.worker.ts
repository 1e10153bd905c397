// Worker of conflict-place.test.ts: writes one part of a shared object in a transaction and holds
// that transaction open (so it holds the word's lock) until the main thread has met it.
import { workerData } from 'node:worker_threads';
import {
  atomically,
  Heap,
  type HeapHandle,
  type SharedArray,
  type SharedMap,
  type SharedRef,
} from '../../src/index.js';

export interface HolderData {
  readonly heap: HeapHandle;
  readonly target: SharedRef;
  readonly what: 'map' | 'array' | 'object';
  /** Int32 [0]: 1 once the lock is held; the main thread sets [1] to 1 to let go. */
  readonly flags: SharedArrayBuffer;
}

const data = workerData as HolderData;
const flags = new Int32Array(data.flags);
const heap = Heap.attach(data.heap);
const target = heap.open<unknown>(data.target);
let held = false;
atomically(() => {
  if (data.what === 'map') (target as SharedMap<string, number>).set('hot', 1);
  else if (data.what === 'array') (target as SharedArray<number>).set(20, 1);
  else (target as { balance: number }).balance = 1;
  if (held) return;
  held = true;
  Atomics.store(flags, 0, 1);
  Atomics.notify(flags, 0);
  // Holds the lock until told (bounded: the test gives up long before).
  Atomics.wait(flags, 1, 0, 10_000);
});
heap.close();
