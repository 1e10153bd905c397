// Collection benchmarks (issue 13). Main thread, CPU time, rounds interleaving ours and the
// baseline (each round's ratio, medians over rounds): SharedMap.get of a string key in a
// 100 000-entry map against Map.get (warm: the same keys again and again, scattered over the map),
// set of an existing key, insert of new keys, and iteration, each against the same on a Map;
// SharedArray.at and a field read of objects made by heap.object against Map.get on a
// 100 000-key map at scattered keys (the baseline of issue 12); bytes per entry of a 100 000-entry
// SharedMap<string, number> against a Map of the same entries. Workers: collections-workers.ts.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Heap, type SharedMap } from '../src/index.js';
import { collectionWorkerBenchmarks } from './collections-workers.js';
import { mapGetScattered, nsPerOp, type Body } from './lib/cpu-time.js';
import { blackhole, median } from './lib/measure.js';
import type { BenchResult } from './run.js';

const entries = 100_000;
const stride = 7919;
const keyOf = (index: number): string => `key number ${String(index)}`;

function singleThread(samples: number): BenchResult[] {
  // Room for the inserts of every round (the maps keep the new keys).
  const heap = Heap.create({ maxBytes: 512 << 20 });
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
  const setExisting = (set: (key: string, value: number) => void) => (n: number) => {
    let index = 0;
    for (let i = 0; i < n; i += 1) {
      index += stride;
      if (index >= entries) index -= entries;
      set(keys[index] ?? '', i);
    }
  };
  let fresh = 0;
  const insert = (set: (key: string, value: number) => void) => (n: number) => {
    for (let i = 0; i < n; i += 1) {
      fresh += 1;
      set(`new key ${String(fresh)}`, i);
    }
  };
  const small = heap.map(keys.slice(0, 1000).map((key, index) => [key, index]));
  const smallNative = new Map(keys.slice(0, 1000).map((key, index) => [key, index]));
  const iterate = (map: Iterable<[string, number]>) => (n: number) => {
    let sum = 0;
    for (let i = 0; i < n; i += 1) for (const [, value] of map) sum += value;
    blackhole.value = sum;
  };
  const figures = interleaved(
    {
      get: [scattered((key) => shared.get(key)), scattered((key) => native.get(key))],
      set: [
        setExisting((key, value) => shared.set(key, value)),
        setExisting((key, value) => native.set(key, value)),
      ],
      insert: [
        insert((key, value) => shared.set(key, value)),
        insert((key, value) => native.set(key, value)),
      ],
      iterate: [iterate(small), iterate(smallNative)],
    },
    samples,
  );
  heap.close();
  const row = (name: string, figure: Figure, target: string, per = 1): BenchResult => ({
    name,
    value: figure.a / per,
    baseline: figure.b / per,
    baselineName: 'the same on a Map',
    ratio: figure.ratio,
    target,
  });
  return [
    row('SharedMap.get, 100 000 string keys, scattered (ns)', figures.get, '≤ 2× (warm)'),
    row('SharedMap.set of an existing key (ns)', figures.set, '≤ 15×'),
    row('SharedMap.set of a new key (ns)', figures.insert, 'report'),
    row('SharedMap iteration, per entry of 1 000 (ns)', figures.iterate, 'report', 1000),
  ];
}

interface Figure {
  /** Medians of each side's CPU ns per call, and of each round's ratio a / b. */
  readonly a: number;
  readonly b: number;
  readonly ratio: number;
}

/**
 * Each pair [ours, baseline] measured in rounds that interleave every pair (a slow phase of the
 * machine hits both sides of a round); each round's ratio, medians over rounds.
 */
function interleaved<K extends string>(
  pairs: Record<K, readonly [Body, Body]>,
  rounds: number,
): Record<K, Figure> {
  const names = Object.keys(pairs) as K[];
  const as = new Map<K, number[]>(names.map((name) => [name, []]));
  const bs = new Map<K, number[]>(names.map((name) => [name, []]));
  const ratios = new Map<K, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const name of names) {
      const [a, b] = pairs[name];
      const aNs = nsPerOp(a, 3, 50);
      const bNs = nsPerOp(b, 3, 50);
      as.get(name)?.push(aNs);
      bs.get(name)?.push(bNs);
      ratios.get(name)?.push(aNs / bNs);
    }
  }
  const figures = {} as Record<K, Figure>;
  for (const name of names) {
    figures[name] = {
      a: median(as.get(name) ?? []),
      b: median(bs.get(name) ?? []),
      ratio: median(ratios.get(name) ?? []),
    };
  }
  return figures;
}

export async function collectionBenchmarks(
  samples: number,
  durationMs: number,
): Promise<BenchResult[]> {
  return [
    ...singleThread(samples),
    ...elementReads(samples),
    memoryPerEntry(),
    ...(await collectionWorkerBenchmarks(samples, durationMs)),
  ];
}

interface Fields {
  a: number;
  b: number;
  c: number;
  d: number;
}

/**
 * SharedArray.at(i) of a 100 000-element array at scattered indexes, and a field read of 1 000
 * objects made by heap.object visited in a scattered order, each outside a transaction (one of its
 * own per read), against Map.get on a 100 000-key map at scattered keys. Rounds interleave the
 * three; each round's ratio, medians over rounds.
 */
function elementReads(samples: number): BenchResult[] {
  const heap = Heap.create({ maxBytes: 64 << 20 });
  const array = heap.array(Array.from({ length: entries }, (_, index) => index));
  const objectCount = 1000;
  const objectStride = 613;
  const objects = Array.from({ length: objectCount }, (_, index) =>
    heap.object<Fields>({ a: index, b: index, c: index, d: index }),
  );
  const mapGet = mapGetScattered();
  const at = (n: number): void => {
    let sum = 0;
    let index = 0;
    for (let i = 0; i < n; i += 1) {
      index += stride;
      if (index >= entries) index -= entries;
      sum += array.at(index) ?? 0;
    }
    blackhole.value = sum;
  };
  const field = (n: number): void => {
    let sum = 0;
    let index = 0;
    for (let i = 0; i < n; i += 1) {
      index += objectStride;
      if (index >= objectCount) index -= objectCount;
      sum += objects[index]?.c ?? 0;
    }
    blackhole.value = sum;
  };
  const sampleMs = 50;
  const results = { map: [] as number[], at: [] as number[], field: [] as number[] };
  const ratios = { at: [] as number[], field: [] as number[] };
  for (let round = 0; round < samples; round += 1) {
    const map = nsPerOp(mapGet, 3, sampleMs);
    const atNs = nsPerOp(at, 3, sampleMs);
    const fieldNs = nsPerOp(field, 3, sampleMs);
    results.map.push(map);
    results.at.push(atNs);
    results.field.push(fieldNs);
    ratios.at.push(atNs / map);
    ratios.field.push(fieldNs / map);
  }
  heap.close();
  const baseline = median(results.map);
  const row = (name: string, value: number, ratio: number): BenchResult => ({
    name,
    value,
    baseline,
    baselineName: 'Map.get, 100 000 keys, scattered',
    ratio,
    target: '≤ 1×',
  });
  return [
    row(
      'SharedArray.at(i), 100 000 numbers, scattered (ns)',
      median(results.at),
      median(ratios.at),
    ),
    row(
      'object field read (heap.object, 1 000 objects) (ns)',
      median(results.field),
      median(ratios.field),
    ),
  ];
}

/**
 * A forced GC: `gc` when the process was started with --expose-gc, else the same function got
 * through `v8.setFlagsFromString('--expose-gc')` in a new context (Node's documented way to set a
 * V8 flag at run time; it exposes `gc` to contexts made afterwards and changes nothing else).
 */
function forcedGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Bytes per entry of a 100 000-entry SharedMap<string, number> (the heap's used bytes before and
 * after making it, retired blocks reclaimed) against a Map of the same entries (V8's heapUsed
 * before and after making it, each after a forced GC, median of three Maps, all kept). Without
 * the GC the Map's figure moved from -17 to 130 B per entry between runs: garbage made while
 * building counted, or a collection during the build freed older garbage. Keys are made in the
 * loop on both sides.
 */
function memoryPerEntry(): BenchResult {
  const gc = forcedGc();
  const heap = Heap.create({ maxBytes: 256 << 20 });
  heap.reclaim();
  const sharedBefore = heap.memoryUsage().usedBytes;
  function* pairs(): Generator<[string, number]> {
    for (let index = 0; index < entries; index += 1) yield [keyOf(index), index];
  }
  const shared = heap.map(pairs());
  heap.reclaim();
  const sharedBytes = heap.memoryUsage().usedBytes - sharedBefore;
  blackhole.value = shared.size;
  heap.close();
  const natives: Map<string, number>[] = [];
  const deltas: number[] = [];
  for (let build = 0; build < 3; build += 1) {
    gc();
    const jsBefore = process.memoryUsage().heapUsed;
    const native = new Map<string, number>();
    for (let index = 0; index < entries; index += 1) native.set(keyOf(index), index);
    gc();
    deltas.push(process.memoryUsage().heapUsed - jsBefore);
    natives.push(native);
  }
  blackhole.value = natives;
  const jsBytes = median(deltas);
  return {
    name: 'bytes per entry, 100 000-entry SharedMap<string, number>',
    value: sharedBytes / entries,
    baseline: jsBytes / entries,
    baselineName: 'Map, heapUsed delta after GC',
    ratio: sharedBytes / jsBytes,
    target: 'report',
  };
}
