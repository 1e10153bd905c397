// Worker of cycles.test.ts ("while workers change the heap"): replaces, moves and deletes shared
// objects in a map under `heap.root` for a fixed number of operations, so that a concurrent scan
// meets objects in motion; counts itself in and out on a plain shared Int32Array.
import { workerData } from 'node:worker_threads';
import { Heap, type HeapHandle, type SharedMap } from '../../src/index.js';

export interface ChurnData {
  readonly heap: HeapHandle;
  /** [started, finished]: workers that have begun, and that are done. */
  readonly progress: SharedArrayBuffer;
  readonly index: number;
  readonly operations: number;
}

const data = workerData as ChurnData;
const progress = new Int32Array(data.progress);
const heap = Heap.attach(data.heap);
const map = heap.root.get('churn') as SharedMap<string>;
Atomics.add(progress, 0, 1);
const keys = 32;
const key = (n: number): string => `${String(data.index)}/${String(n % keys)}`;
for (let op = 0; op < data.operations; op += 1) {
  switch (op % 3) {
    case 0: {
      // Replace: the previous object is dropped (and freed by counting).
      const fresh = heap.map<string, unknown>([['op', `operation ${String(op)}`]]);
      map.set(key(op), fresh);
      fresh[Symbol.dispose]();
      break;
    }
    case 1: {
      // Move: from a key the scan may not have reached to one it may have passed.
      heap.atomically(() => {
        const moved = map.get(key(op + 7));
        if (moved === undefined) return;
        map.delete(key(op + 7));
        map.set(key(op), moved);
      });
      break;
    }
    default:
      map.delete(key(op + 13));
  }
}
heap.close();
Atomics.add(progress, 1, 1);
