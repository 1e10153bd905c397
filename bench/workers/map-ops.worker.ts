// Worker of the map scaling benchmarks (collections-workers.ts), each worker on its own keys of one
// shared map (workers meet only where keys share a bucket, and in the map's size and order):
// - 'mix': three reads to one update of its existing keys, the mix of a cache;
// - 'read': reads of its existing keys only;
// - 'insert': inserts of keys no one has inserted before (`w<index> new <n>`).
import { Heap, type HeapHandle, type SharedMap, type SharedRef } from '../../src/index.js';
import { runHeapLoop, workerParams } from '../lib/worker-loop.js';

export type MapOpsMode = 'mix' | 'read' | 'insert';

export interface MapOpsParams {
  readonly mode: MapOpsMode;
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
let inserted = 0;

const batches: Record<MapOpsMode, () => number> = {
  mix: () => {
    for (let i = 0; i < batchOps; i += 1) {
      const key = keys[next] ?? '';
      next = next + 1 === keys.length ? 0 : next + 1;
      if ((i & 3) === 0) map.set(key, i);
      else map.get(key);
    }
    return batchOps;
  },
  read: () => {
    let sum = 0;
    for (let i = 0; i < batchOps; i += 1) {
      sum += map.get(keys[next] ?? '') ?? 0;
      next = next + 1 === keys.length ? 0 : next + 1;
    }
    return sum >= 0 ? batchOps : 0;
  },
  // The key string is made in the loop: a Map insert of new keys makes it too.
  insert: () => {
    for (let i = 0; i < batchOps; i += 1) {
      inserted += 1;
      map.set(`w${String(workerIndex)} new ${String(inserted)}`, i);
    }
    return batchOps;
  },
};

await runHeapLoop({
  warmupMs: params.warmupMs,
  batch: batches[params.mode],
  finish: () => {
    map[Symbol.dispose]();
    heap.close();
    return undefined;
  },
});
