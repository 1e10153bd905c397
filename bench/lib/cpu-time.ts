// Timing by CPU time, for single-threaded figures on a machine that other work shares: a core
// taken away for whole time slices would count in wall time (measured here: medians off by
// 2–20× while other tests ran), not in the process's CPU time.
import { blackhole, median } from './measure.js';

export type Body = (iterations: number) => void;

/**
 * CPU time of the process in µs. Not `process.threadCpuUsage` (Node ≥ 23.9): it advanced in ticks
 * here, and samples of 20 ms read 0. The process's other threads (GC helpers, the compiler) add a
 * little to every figure alike.
 */
export const cpuMicros = (): number => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

/** Median CPU nanoseconds per call of `body(iterations)` over `samples` samples of ~`sampleMs`. */
export function nsPerOp(body: Body, samples: number, sampleMs: number): number {
  let iterations = 100;
  for (;;) {
    const start = cpuMicros();
    body(iterations);
    if (cpuMicros() - start > (sampleMs * 1000) / 4) break;
    iterations *= 4;
  }
  const results: number[] = [];
  for (let sample = 0; sample < samples; sample += 1) {
    const start = cpuMicros();
    body(iterations);
    results.push(((cpuMicros() - start) * 1000) / iterations);
  }
  return median(results);
}

const mapKeys = 100_000;
/** Keys visited in a scattered order (a stride prime to the size): every one, no pattern. */
const stride = 7919;

/**
 * `Map.get` on a 100 000-key map at scattered keys: the baseline the read targets of issue 12 name
 * (docs/decisions/0009: their ratios match scattered or in-order keys, not one hot key).
 */
export function mapGetScattered(): Body {
  const map = new Map<number, number>();
  for (let key = 0; key < mapKeys; key += 1) map.set(key, key);
  return (n) => {
    let sum = 0;
    let key = 0;
    for (let i = 0; i < n; i += 1) {
      key += stride;
      if (key >= mapKeys) key -= mapKeys;
      sum += map.get(key) ?? 0;
    }
    blackhole.value = sum;
  };
}
