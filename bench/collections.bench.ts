// Collection benchmarks (issue 13). Main thread, CPU time: SharedMap.get of a string key in a
// 100 000-entry map against Map.get (warm: the same keys again and again, scattered over the map),
// set of an existing key, insert of new keys, and iteration, each against the same on a Map.
// Workers: two workers on their own keys of one map against one worker (3 reads : 1 write).
import { Heap, type SharedMap } from '../src/index.js';
import { nsPerOp } from './lib/cpu-time.js';
import { blackhole, pairedThroughput } from './lib/measure.js';
import type { BenchResult } from './run.js';
import type { MapOpsParams } from './workers/map-ops.worker.js';

const entries = 100_000;
const stride = 7919;
const keyOf = (index: number): string => `key number ${String(index)}`;

function singleThread(samples: number): BenchResult[] {
  const heap = Heap.create({ maxBytes: 256 << 20 });
  const keys = Array.from({ length: entries }, (_, index) => keyOf(index));
  const shared: SharedMap<string, number> = heap.map(keys.map((key, index) => [key, index]));
  const native = new Map(keys.map((key, index) => [key, index]));
  // Lookups with freshly made key strings would measure string building: both use the array.
  const scattered = (get: (key: string) => number | undefined) => (n: number) => {
    let sum = 0;
    let index = 0;
    for (let i = 0; i < n; i += 1) {
      index += stride;
      if (index >= entries) index -= entries;
      sum += get(keys[index] ?? '') ?? 0;
    }
    blackhole.value = sum;
  };
  const sampleMs = 100;
  const sharedGet = nsPerOp(
    scattered((key) => shared.get(key)),
    samples,
    sampleMs,
  );
  const nativeGet = nsPerOp(
    scattered((key) => native.get(key)),
    samples,
    sampleMs,
  );
  const setExisting = (set: (key: string, value: number) => void) => (n: number) => {
    let index = 0;
    for (let i = 0; i < n; i += 1) {
      index += stride;
      if (index >= entries) index -= entries;
      set(keys[index] ?? '', i);
    }
  };
  const sharedSet = nsPerOp(
    setExisting((key, value) => shared.set(key, value)),
    samples,
    sampleMs,
  );
  const nativeSet = nsPerOp(
    setExisting((key, value) => native.set(key, value)),
    samples,
    sampleMs,
  );
  let fresh = 0;
  const insert = (set: (key: string, value: number) => void) => (n: number) => {
    for (let i = 0; i < n; i += 1) {
      fresh += 1;
      set(`new key ${String(fresh)}`, i);
    }
  };
  const sharedInsert = nsPerOp(
    insert((key, value) => shared.set(key, value)),
    samples,
    sampleMs,
  );
  const nativeInsert = nsPerOp(
    insert((key, value) => native.set(key, value)),
    samples,
    sampleMs,
  );
  const small = heap.map(keys.slice(0, 1000).map((key, index) => [key, index]));
  const smallNative = new Map(keys.slice(0, 1000).map((key, index) => [key, index]));
  const iterate = (map: Iterable<[string, number]>) => (n: number) => {
    let sum = 0;
    for (let i = 0; i < n; i += 1) for (const [, value] of map) sum += value;
    blackhole.value = sum;
  };
  const sharedIterate = nsPerOp(iterate(small), samples, sampleMs) / 1000;
  const nativeIterate = nsPerOp(iterate(smallNative), samples, sampleMs) / 1000;
  const usedPerEntry = heap.memoryUsage().usedBytes / (shared.size + small.size);
  heap.close();
  const row = (name: string, value: number, baseline: number, target: string): BenchResult => ({
    name,
    value,
    baseline,
    baselineName: 'the same on a Map',
    ratio: value / baseline,
    target,
  });
  return [
    row('SharedMap.get, 100 000 string keys, scattered (ns)', sharedGet, nativeGet, '≤ 2× (warm)'),
    row('SharedMap.set of an existing key (ns)', sharedSet, nativeSet, 'report'),
    row('SharedMap.set of a new key (ns)', sharedInsert, nativeInsert, 'report'),
    row('SharedMap iteration, per entry of 1 000 (ns)', sharedIterate, nativeIterate, 'report'),
    {
      name: 'SharedMap heap bytes per entry (16-char string keys, numbers)',
      value: usedPerEntry,
      baseline: 1,
      baselineName: 'byte',
      ratio: usedPerEntry,
      target: 'report',
    },
  ];
}

async function scaling(samples: number, durationMs: number): Promise<BenchResult[]> {
  const heap = Heap.create({ maxBytes: 128 << 20 });
  const map = heap.map<string, number>();
  const keysPerWorker = 10_000;
  for (const worker of [0, 1]) {
    for (let index = 0; index < keysPerWorker; index += 1) {
      map.set(`w${String(worker)} key ${String(index)}`, index);
    }
  }
  const params: MapOpsParams = { heap: heap.handle, map: map.ref, keysPerWorker, warmupMs: 300 };
  const script = new URL('./workers/map-ops.worker.ts', import.meta.url);
  const before = heap.stats();
  const pair = await pairedThroughput(
    { script, count: 2, params },
    { script, count: 1, params },
    durationMs,
    samples,
  );
  const after = heap.stats();
  heap.close();
  const aborts = after.aborts - before.aborts;
  const commits = after.commits - before.commits;
  return [
    {
      name:
        `SharedMap, 2 workers on their own keys vs 1 (ops/s; aborts ` +
        `${((aborts / Math.max(1, commits)) * 100).toFixed(2)} %)`,
      value: pair.a,
      baseline: pair.b,
      baselineName: '1 worker',
      ratio: pair.ratio,
      target: '≥ 1.6×',
    },
  ];
}

export async function collectionBenchmarks(
  samples: number,
  durationMs: number,
): Promise<BenchResult[]> {
  return [...singleThread(samples), ...(await scaling(samples, durationMs))];
}
