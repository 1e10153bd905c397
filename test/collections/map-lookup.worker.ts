// Worker of map-lookup-workers.test.ts. `churn`: raises the values of the stable keys, inserts
// new keys (the map grows: new tables, buckets moved) and deletes most of them again, then sets
// the done flag. `read`: until the flag is set (and at least `minReads` times), looks up stable
// keys (present throughout, values never decrease) and keys never inserted, with `get` and
// `has` outside any transaction, the lookups that take hash-lookup.ts's path; reports what it
// saw that no moment of the map could have shown.
import { parentPort, workerData } from 'node:worker_threads';
import { Heap, type HeapHandle, type SharedMap, type SharedRef } from '../../src/index.js';
import { seededRandom } from '../support/random.js';

export interface LookupWorkerData {
  readonly heap: HeapHandle;
  readonly map: SharedRef;
  readonly mode: 'churn' | 'read';
  readonly seed: number;
  readonly stable: number;
  /** Int32 [0]: set to 1 by the churner when it is done. */
  readonly flag: SharedArrayBuffer;
  readonly rounds: number;
  readonly minReads: number;
}

export interface LookupWorkerReport {
  readonly reads: number;
  readonly wrong: string[];
}

const data = workerData as LookupWorkerData;
const heap = Heap.attach(data.heap);
const map = heap.open<SharedMap<string, number>>(data.map);
const random = seededRandom(data.seed);
const flag = new Int32Array(data.flag);
const stableKey = (index: number): string => `stable ${String(index)}`;
const wrong: string[] = [];
let reads = 0;

if (data.mode === 'churn') {
  const live: string[] = [];
  for (let round = 1; round <= data.rounds; round += 1) {
    map.set(stableKey(Math.floor(random() * data.stable)), round);
    const key = `churn ${String(round)}`;
    map.set(key, round);
    live.push(key);
    if (random() < 0.45) {
      const at = Math.floor(random() * live.length);
      map.delete(live[at] ?? '');
      live[at] = live[live.length - 1] ?? '';
      live.pop();
    }
  }
  Atomics.store(flag, 0, 1);
} else {
  const last = new Float64Array(data.stable);
  while (reads < data.minReads || Atomics.load(flag, 0) === 0) {
    reads += 1;
    const index = Math.floor(random() * data.stable);
    const value = map.get(stableKey(index));
    if (value === undefined || value < (last[index] ?? 0)) {
      if (wrong.length < 10) wrong.push(`get ${stableKey(index)}: ${String(value)}`);
    } else {
      last[index] = value;
    }
    if (!map.has(stableKey(index)) && wrong.length < 10) wrong.push(`has ${stableKey(index)}`);
    const never = `never ${String(index)}`;
    if (map.get(never) !== undefined && wrong.length < 10) wrong.push(`get ${never}`);
    if (map.has(never) && wrong.length < 10) wrong.push(`has ${never}`);
  }
}

heap.close();
const report: LookupWorkerReport = { reads, wrong };
parentPort?.postMessage(report);
