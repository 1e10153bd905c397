// Worker of the first-touch benchmark (collections-workers.ts): a fresh worker times its first
// `gets` distinct gets of a 100 000-entry map, in CPU time of the process (the other threads wait
// meanwhile). 'shared': attach the heap and open the SharedMap (timed apart), then the gets.
// 'map': the gets on a JS Map the worker received in workerData (a structured clone, the way a
// Map reaches a worker), which is built before any of this worker's code runs.
import { parentPort, workerData } from 'node:worker_threads';
import { Heap, type HeapHandle, type SharedMap, type SharedRef } from '../../src/index.js';
import { cpuMicros } from '../lib/cpu-time.js';

export type FirstTouchParams =
  | {
      readonly mode: 'shared';
      readonly heap: HeapHandle;
      readonly map: SharedRef;
      readonly entries: number;
      readonly gets: number;
    }
  | {
      readonly mode: 'map';
      readonly map: Map<string, number>;
      readonly entries: number;
      readonly gets: number;
    };

export interface FirstTouchResult {
  /** CPU ns per get over the first `gets` gets. */
  readonly nsPerGet: number;
  /** CPU µs of attach + open ('shared'), 0 for 'map'. */
  readonly openMicros: number;
}

const params = workerData as FirstTouchParams;
const stride = 7919;
// Fresh key strings, made before the clock starts, at scattered indexes: distinct keys.
const keys: string[] = [];
let index = 0;
for (let i = 0; i < params.gets; i += 1) {
  index += stride;
  if (index >= params.entries) index -= params.entries;
  keys.push(`key number ${String(index)}`);
}
let sum = 0;
let result: FirstTouchResult;
if (params.mode === 'shared') {
  const openStart = cpuMicros();
  const heap = Heap.attach(params.heap);
  const map = heap.open<SharedMap<string, number>>(params.map);
  const start = cpuMicros();
  for (const key of keys) sum += map.get(key) ?? 0;
  const end = cpuMicros();
  result = { nsPerGet: ((end - start) * 1000) / keys.length, openMicros: start - openStart };
  map[Symbol.dispose]();
  heap.close();
} else {
  const map = params.map;
  const start = cpuMicros();
  for (const key of keys) sum += map.get(key) ?? 0;
  const end = cpuMicros();
  result = { nsPerGet: ((end - start) * 1000) / keys.length, openMicros: 0 };
}
if (sum < 0) throw new Error('unreachable: values are not negative');
parentPort?.postMessage(result);
