// Worker of the map scaling benchmark (collections.bench.ts): updates and reads of its own keys of
// a shared map (each worker its own key range), so workers meet only where keys share a bucket.
import { Heap, type HeapHandle, type SharedMap, type SharedRef } from '../../src/index.js';
import { runHeapLoop, workerParams } from '../lib/worker-loop.js';

export interface MapOpsParams {
  readonly heap: HeapHandle;
  readonly map: SharedRef;
  readonly keysPerWorker: number;
  readonly warmupMs: number;
}

const { params, workerIndex } = workerParams() as { params: MapOpsParams; workerIndex: number };
const heap = Heap.attach(params.heap);
const map = heap.open<SharedMap<string, number>>(params.map);
const keys = Array.from(
  { length: params.keysPerWorker },
  (_, index) => `w${String(workerIndex)} key ${String(index)}`,
);
const batchOps = 64;
let next = 0;

await runHeapLoop({
  warmupMs: params.warmupMs,
  batch: () => {
    for (let i = 0; i < batchOps; i += 1) {
      const key = keys[next] ?? '';
      next = next + 1 === keys.length ? 0 : next + 1;
      // Three reads to one write, the mix of a cache.
      if ((i & 3) === 0) map.set(key, i);
      else map.get(key);
    }
    return batchOps;
  },
  finish: () => {
    map[Symbol.dispose]();
    heap.close();
    return undefined;
  },
});
