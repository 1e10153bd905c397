// The single-threaded targets of issue 12, as same-run ratios for `npm run bench`: each basic
// operation (bench/lib/basic-operations.ts) against `Map.get` on a 100 000-key map at scattered
// keys, or against an uncontended spin lock around `counter++`. CPU time (bench/lib/cpu-time.ts),
// rounds interleaving every item, and the ratio of each round's pair, medians over rounds —
// the same method as bench/atomics-cost.ts, whose counts and costs explain the figures
// (docs/decisions/0009).
import { Heap } from '../src/index.js';
import { basicOperations } from './lib/basic-operations.js';
import { mapGetScattered, nsPerOp, type Body } from './lib/cpu-time.js';
import { lockGlobal, unlockGlobal } from './lib/global-lock.js';
import { median } from './lib/measure.js';
import type { BenchResult } from './run.js';

const sampleMs = 30;

function lockedIncrement(): Body {
  const lockWord = new Int32Array(new SharedArrayBuffer(128), 0, 1);
  const counter = new Float64Array(lockWord.buffer, 64, 1);
  return (n) => {
    for (let i = 0; i < n; i += 1) {
      lockGlobal(lockWord);
      counter[0] = (counter[0] ?? 0) + 1;
      unlockGlobal(lockWord);
    }
  };
}

const mapGet = 'Map.get, 100 000 keys, scattered';
const lock = 'spin lock + counter++ + unlock';
/** [operation, baseline, target ratio (operation / baseline, lower is better)] */
const targets: readonly [string, string, number][] = [
  ['read-only tx, 1 cell', mapGet, 2.5],
  ['read-only tx, 10 cells', mapGet, 10],
  ['one-cell increment in atomically', lock, 12],
  ['cell.set(number) outside a tx', lock, 10],
  ['cell.get() outside a tx', mapGet, 1.5],
];

export function opsBenchmarks(samples: number, durationMs: number): BenchResult[] {
  const heap = Heap.create({ maxBytes: 64 << 20 });
  const bodies = new Map<string, Body>([
    [mapGet, mapGetScattered()],
    [lock, lockedIncrement()],
  ]);
  for (const { name, run } of basicOperations(heap)) {
    bodies.set(name, (n) => {
      for (let i = 0; i < n; i += 1) run();
    });
  }
  const rounds = Math.max(3, Math.round(durationMs / 100));
  const figures = new Map<string, number[]>();
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, body] of bodies) {
      const list = figures.get(name) ?? [];
      list.push(nsPerOp(body, samples, sampleMs));
      figures.set(name, list);
    }
  }
  heap.close();
  return targets.map(([name, baselineName, target]) => {
    const values = figures.get(name) ?? [];
    const baselines = figures.get(baselineName) ?? [];
    const ratio = median(values.map((value, round) => value / (baselines[round] ?? Number.NaN)));
    return {
      name: `${name} (ns, CPU)`,
      value: median(values),
      baseline: median(baselines),
      baselineName,
      ratio,
      target: `≤ ${String(target)}×`,
    };
  });
}
