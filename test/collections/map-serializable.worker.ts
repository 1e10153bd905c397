// Worker of map-serializable.test.ts: seeded random transactions on one SharedMap, recorded in the
// judge's history format (test/support/serializability.ts). Each key's value is a list that
// transactions append to (`map.set(k, [...list, v])`; a key is inserted by its first append), and
// the map's key order is itself a list: inserting key k appends k to list −1, and iterating the
// map reads list −1. So the judge checks per-key isolation, inserts, and that iteration order is
// the serial order of the inserts. Each run of a transaction function records into a list of its
// own and writes fresh values; only the run that committed is kept.
import { parentPort, workerData } from 'node:worker_threads';
import {
  atomically,
  Heap,
  type HeapHandle,
  type SharedMap,
  type SharedRef,
} from '../../src/index.js';
import { seededRandom } from '../support/random.js';
import type { CommittedTransaction, Operation } from '../support/serializability.js';

export interface MapHistoryData {
  readonly heap: HeapHandle;
  readonly map: SharedRef;
  readonly keys: number;
  readonly realTimeCounter: SharedArrayBuffer;
  readonly worker: number;
  readonly seed: number;
  readonly transactions: number;
}

/** The list that stands for the map's key order. */
export const keyOrderList = -1;
const valuesPerWorkerMax = 1_000_000;

const data = workerData as MapHistoryData;
const heap = Heap.attach(data.heap);
const map = heap.open<SharedMap<number, readonly number[]>>(data.map);
const realTime = new Int32Array(data.realTimeCounter);
const random = seededRandom(data.seed);
let written = 0;
const committed: CommittedTransaction[] = [];

for (let index = 0; index < data.transactions; index += 1) {
  const steps = Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
    kind: random() < 0.45 ? 'append' : random() < 0.6 ? 'read' : 'iterate',
    key: Math.floor(random() * data.keys),
  }));
  const invoke = Atomics.add(realTime, 0, 1);
  const ops = atomically(() => {
    const run: Operation[] = [];
    for (const step of steps) {
      if (step.kind === 'iterate') {
        run.push({ kind: 'readList', key: keyOrderList, list: [...map.keys()] });
        continue;
      }
      const list = map.get(step.key);
      run.push({ kind: 'readList', key: step.key, list: list ?? [] });
      if (step.kind === 'append') {
        written += 1;
        const value = data.worker * valuesPerWorkerMax + written;
        if (list === undefined) run.push({ kind: 'append', key: keyOrderList, value: step.key });
        map.set(step.key, [...(list ?? []), value]);
        run.push({ kind: 'append', key: step.key, value });
      }
    }
    return run;
  });
  const complete = Atomics.add(realTime, 0, 1);
  committed.push({ id: `w${String(data.worker)}#${String(index)}`, invoke, complete, ops });
}
map[Symbol.dispose]();
heap.close();
parentPort?.postMessage(committed);
