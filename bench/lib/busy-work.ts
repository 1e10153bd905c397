// A fixed amount of CPU work that the optimiser cannot remove or hoist (a xorshift chain whose
// result is kept), to stand in for the user code of a transaction.
import { blackhole } from './measure.js';

export function busyWork(iterations: number): void {
  let x = (blackhole.value as number | undefined) ?? 1;
  x |= 1;
  for (let i = 0; i < iterations; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  blackhole.value = x;
}

/** Iterations of `busyWork` that take about `targetNs` on this machine (median of samples). */
export function calibrateBusyWork(targetNs: number): number {
  const iterations = 100_000;
  const samples: number[] = [];
  for (let sample = 0; sample < 9; sample += 1) {
    const start = process.hrtime.bigint();
    busyWork(iterations);
    samples.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  samples.sort((a, b) => a - b);
  const nsPerIteration = samples[4] ?? 1;
  return Math.max(1, Math.round(targetNs / nsPerIteration));
}
