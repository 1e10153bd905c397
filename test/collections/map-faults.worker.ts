// Worker of map-faults.test.ts: inserts its keys `w<index> <n>` one transaction each, in order,
// with an update of its own `done` cell in the same transaction, and stores how many of those
// transactions returned in a plain shared word after each. The main thread kills it at random
// moments: after the kill, `done − returned` is 0 or 1, and the map must hold exactly its keys
// 0 … done − 1 (every committed insert present, nothing of an uncommitted one). Every tenth
// transaction also deletes an older key of its own (n − 5 when n ≡ 0 mod 10), and the map grows
// meanwhile, so kills also land in deletes and in the growth's own transactions. Each transaction
// also pushes its key to one array that all workers share (segments are added as it grows).
import { parentPort, workerData } from 'node:worker_threads';
import {
  atomically,
  Heap,
  type HeapHandle,
  type SharedArray,
  type SharedCell,
  type SharedMap,
  type SharedRef,
} from '../../src/index.js';
import { deletedBy, faultKey } from './map-faults-keys.js';

export interface MapFaultData {
  readonly heap: HeapHandle;
  readonly map: SharedRef;
  /** An array every worker pushes its keys to, in the same transactions. */
  readonly array: SharedRef;
  readonly done: SharedRef;
  /** Int32 per worker: transactions that returned. */
  readonly returned: SharedArrayBuffer;
  readonly index: number;
  readonly inserts: number;
  /** The insert to start from (a replacement continues where the killed worker stopped). */
  readonly from: number;
}

const data = workerData as MapFaultData;
const heap = Heap.attach(data.heap);
const map = heap.open<SharedMap<string, string>>(data.map);
const array = heap.open<SharedArray<string>>(data.array);
const done = heap.open<SharedCell<number>>(data.done);
const returned = new Int32Array(data.returned);
for (let n = data.from; n < data.inserts; n += 1) {
  atomically(() => {
    map.set(
      faultKey(data.index, n),
      `value of insert ${String(n)} by worker ${String(data.index)}`,
    );
    const deleted = deletedBy(n);
    if (deleted !== undefined) map.delete(faultKey(data.index, deleted));
    array.push(faultKey(data.index, n));
    done.set(done.get() + 1);
  });
  Atomics.store(returned, data.index, n + 1);
}
map[Symbol.dispose]();
array[Symbol.dispose]();
done[Symbol.dispose]();
heap.close();
parentPort?.postMessage(true);
