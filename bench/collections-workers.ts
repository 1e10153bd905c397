// Collection benchmarks with workers (issue 13), part of the `collections` suite:
// - first touch: a fresh worker's first 1 000 distinct gets of a 100 000-entry SharedMap (after
//   attach + open, timed apart) against a fresh worker's first 1 000 gets of the same entries in a
//   Map it received in workerData; CPU time, fresh workers in alternating pairs, median ratio;
// - 2 workers vs 1 on their own keys of one map: the 3:1 read/write mix, reads only, and inserts
//   of new keys (each insert run on a fresh empty map, dropped after the run). Besides the ratio of
//   throughputs, the ratio of operations per CPU second of the process ('per CPU-s'): near 1 when
//   a second worker makes no operation dearer, whatever share of the cores the machine gave us.
import { Worker } from 'node:worker_threads';
import { Heap, type SharedMap } from '../src/index.js';
import { median, workerRun, type WorkerRun } from './lib/measure.js';
import type { BenchResult } from './run.js';
import type { FirstTouchParams, FirstTouchResult } from './workers/first-touch.worker.js';
import type { MapOpsMode, MapOpsParams } from './workers/map-ops.worker.js';

const entries = 100_000;
const keyOf = (index: number): string => `key number ${String(index)}`;
const mapOpsScript = new URL('./workers/map-ops.worker.ts', import.meta.url);
const firstTouchScript = new URL('./workers/first-touch.worker.ts', import.meta.url);
const warmupMs = 300;

async function firstTouchRun(params: FirstTouchParams): Promise<FirstTouchResult> {
  const worker = new Worker(firstTouchScript, { workerData: params });
  const result = await new Promise<FirstTouchResult>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await new Promise((resolve) => worker.once('exit', resolve));
  return result;
}

async function firstTouch(samples: number): Promise<BenchResult> {
  const heap = Heap.create({ maxBytes: 128 << 20 });
  const pairs = Array.from({ length: entries }, (_, index): [string, number] => [
    keyOf(index),
    index,
  ]);
  const shared: SharedMap<string, number> = heap.map(pairs);
  const native = new Map(pairs);
  const gets = 1000;
  const ours: number[] = [];
  const theirs: number[] = [];
  const ratios: number[] = [];
  const opens: number[] = [];
  for (let sample = 0; sample < samples; sample += 1) {
    const a = await firstTouchRun({
      mode: 'shared',
      heap: heap.handle,
      map: shared.ref,
      entries,
      gets,
    });
    const b = await firstTouchRun({ mode: 'map', map: native, entries, gets });
    ours.push(a.nsPerGet);
    theirs.push(b.nsPerGet);
    opens.push(a.openMicros);
    ratios.push(a.nsPerGet / b.nsPerGet);
  }
  shared[Symbol.dispose]();
  heap.close();
  return {
    name:
      `SharedMap.get, first 1 000 distinct gets in a fresh worker (ns; attach+open ` +
      `${median(opens).toFixed(0)} µs apart)`,
    value: median(ours),
    baseline: median(theirs),
    baselineName: 'first gets of a Map in workerData',
    ratio: median(ratios),
    target: '≤ 5× (first touch)',
  };
}

const keysPerWorker = 10_000;

function filledMap(heap: Heap): SharedMap<string, number> {
  const map = heap.map<string, number>();
  for (const worker of [0, 1]) {
    for (let index = 0; index < keysPerWorker; index += 1) {
      map.set(`w${String(worker)} key ${String(index)}`, index);
    }
  }
  return map;
}

interface Pair {
  /** Medians of the 2-worker and 1-worker throughputs, and of each pair's ratio. */
  readonly a: number;
  readonly b: number;
  readonly ratio: number;
  /** Median ratio of the pairs' operations per CPU second (1: no operation costs more). */
  readonly cpuRatio: number;
  readonly aborts: string;
}

/**
 * 2 workers then 1, `samples` times (alternating, like `pairedThroughput`); `run(count)` does one
 * timed run. Also the share of aborted attempts over all runs.
 */
async function pairedRuns(
  heap: Heap,
  run: (count: number) => Promise<WorkerRun>,
  samples: number,
): Promise<Pair> {
  const before = heap.stats();
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (let sample = 0; sample < samples; sample += 1) {
    const a = await run(2);
    const b = await run(1);
    as.push(a.opsPerS);
    bs.push(b.opsPerS);
    ratios.push(a.opsPerS / b.opsPerS);
    cpuRatios.push(a.opsPerCpuS / b.opsPerCpuS);
  }
  const after = heap.stats();
  const aborts = after.aborts - before.aborts;
  const commits = after.commits - before.commits;
  return {
    a: median(as),
    b: median(bs),
    ratio: median(ratios),
    cpuRatio: median(cpuRatios),
    aborts: `aborts ${((aborts / Math.max(1, commits)) * 100).toFixed(2)} %`,
  };
}

async function twoVersusOne(
  mode: Exclude<MapOpsMode, 'insert'>,
  samples: number,
  durationMs: number,
): Promise<Pair> {
  const heap = Heap.create({ maxBytes: 128 << 20 });
  const map = filledMap(heap);
  const params: MapOpsParams = { mode, heap: heap.handle, map: map.ref, keysPerWorker, warmupMs };
  const pair = await pairedRuns(
    heap,
    (count) => workerRun(mapOpsScript, count, params, durationMs),
    samples,
  );
  map[Symbol.dispose]();
  heap.close();
  return pair;
}

/** Every run inserts into a fresh empty map, dropped after the run. */
async function inserts(samples: number, durationMs: number): Promise<Pair> {
  const heap = Heap.create({ maxBytes: 512 << 20 });
  const run = async (count: number): Promise<WorkerRun> => {
    const map = heap.map<string, number>();
    const params: MapOpsParams = {
      mode: 'insert',
      heap: heap.handle,
      map: map.ref,
      keysPerWorker: 0,
      warmupMs,
    };
    const result = await workerRun(mapOpsScript, count, params, durationMs);
    map[Symbol.dispose]();
    heap.reclaim();
    return result;
  };
  const pair = await pairedRuns(heap, run, samples);
  heap.close();
  return pair;
}

export async function collectionWorkerBenchmarks(
  samples: number,
  durationMs: number,
): Promise<BenchResult[]> {
  const rows: BenchResult[] = [await firstTouch(samples)];
  const row = (name: string, pair: Pair, target: string): BenchResult => ({
    name: `${name} (ops/s; ${pair.aborts}; per CPU-s ${pair.cpuRatio.toFixed(2)}×)`,
    value: pair.a,
    baseline: pair.b,
    baselineName: '1 worker',
    ratio: pair.ratio,
    target,
  });
  rows.push(
    row(
      'SharedMap, 2 workers vs 1, own keys, 3 reads : 1 set',
      await twoVersusOne('mix', samples, durationMs),
      '≥ 1.6×',
    ),
    row(
      'SharedMap.get, 2 workers vs 1, own keys',
      await twoVersusOne('read', samples, durationMs),
      '≥ 1.9×',
    ),
    row(
      'SharedMap.set of new keys, 2 workers vs 1, disjoint',
      await inserts(samples, durationMs),
      '≥ 1.7×',
    ),
  );
  return rows;
}
