// Worker of the incumbent benchmark (incumbent.bench.ts), our side: each worker increments a field
// of its own (worker i: field `f<i>`) of one object made by heap.object, one transaction per
// increment. Workers meet only in the object's block, never on a field.
import { atomically, Heap, type HeapHandle, type SharedRef } from '../../src/index.js';
import { runHeapLoop, workerParams } from '../lib/worker-loop.js';

export interface FieldsParams {
  readonly heap: HeapHandle;
  readonly object: SharedRef;
  readonly warmupMs: number;
}

const { params, workerIndex } = workerParams() as { params: FieldsParams; workerIndex: number };
const heap = Heap.attach(params.heap);
const object = heap.open<Record<string, number> & Disposable>(params.object);
const field = `f${String(workerIndex)}`;
const batchOps = 64;
const increment = (): void => {
  object[field] = (object[field] ?? 0) + 1;
};

await runHeapLoop({
  warmupMs: params.warmupMs,
  batch: () => {
    for (let i = 0; i < batchOps; i += 1) atomically(increment);
    return batchOps;
  },
  finish: () => {
    object[Symbol.dispose]();
    heap.close();
    return undefined;
  },
});
