// Timing helpers for benchmarks: repeated samples and their median. The machine is small and
// noisy, so every figure is a median of several samples, and comparisons are ratios of figures
// measured in the same run.
import { Worker } from 'node:worker_threads';

/** Results are stored here so the optimiser cannot drop the work that computed them. */
export const blackhole: { value: unknown } = { value: undefined };

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/** Median nanoseconds per call of `body(iterations)`, which runs the operation that many times. */
export function nsPerOp(body: (iterations: number) => void, samples = 7, sampleMs = 150): number {
  let iterations = 1000;
  for (;;) {
    const start = performance.now();
    body(iterations);
    const elapsed = performance.now() - start;
    if (elapsed > sampleMs / 4) break;
    iterations *= 4;
  }
  const results: number[] = [];
  for (let sample = 0; sample < samples; sample += 1) {
    const start = process.hrtime.bigint();
    body(iterations);
    results.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  return median(results);
}

export interface WorkerRunData {
  readonly params: unknown;
  readonly workerIndex: number;
  /** Int32 [0]: start flag (workers wait on it), [1]: stop flag. */
  readonly control: SharedArrayBuffer;
}

/** What a timed worker run gave: operations per second, and each worker's own report. */
export interface WorkerRun {
  readonly opsPerS: number;
  /**
   * Operations per second of the process's CPU time over the timed window (this thread waits
   * meanwhile, so it is the workers' CPU): unlike `opsPerS`, it does not fall when other work
   * on the machine takes cores away, only when each operation costs more.
   */
  readonly opsPerCpuS: number;
  /** Per worker, what it sent with its count (`runTimedLoop`'s `report`), or undefined. */
  readonly reports: readonly unknown[];
}

/** What a worker posts at the end: its operation count, or the count with a report. */
export type WorkerTotal = number | { readonly ops: number; readonly report: unknown };

/**
 * Runs `count` workers of `script` together for `durationMs` and returns the total operations per
 * second they report. Workers start on one flag, so their timed windows overlap fully.
 */
export async function workerThroughput(
  script: URL,
  count: number,
  params: unknown,
  durationMs: number,
): Promise<number> {
  return (await workerRun(script, count, params, durationMs)).opsPerS;
}

/** `workerThroughput`, with what each worker reported besides its count. */
export async function workerRun(
  script: URL,
  count: number,
  params: unknown,
  durationMs: number,
): Promise<WorkerRun> {
  const control = new SharedArrayBuffer(8);
  const flags = new Int32Array(control);
  const workers = Array.from(
    { length: count },
    (_, workerIndex) =>
      new Worker(script, {
        workerData: { params, workerIndex, control } satisfies WorkerRunData,
      }),
  );
  const ready = workers.map(
    (worker) =>
      new Promise<void>((resolve, reject) => {
        worker.once('message', () => {
          resolve();
        });
        worker.once('error', reject);
      }),
  );
  await Promise.all(ready);
  const results = workers.map(
    (worker) =>
      new Promise<WorkerTotal>((resolve, reject) => {
        worker.once('message', (total: WorkerTotal) => {
          resolve(total);
        });
        worker.once('error', reject);
      }),
  );
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  Atomics.store(flags, 0, 1);
  Atomics.notify(flags, 0);
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  Atomics.store(flags, 1, 1);
  const totals = await Promise.all(results);
  const elapsedS = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  await Promise.all(workers.map((worker) => worker.terminate()));
  const ops = totals.reduce<number>(
    (sum, total) => sum + (typeof total === 'number' ? total : total.ops),
    0,
  );
  return {
    opsPerS: ops / elapsedS,
    opsPerCpuS: ops / cpuS,
    reports: totals.map((total) => (typeof total === 'number' ? undefined : total.report)),
  };
}

/**
 * Median ratio of throughputs `a / b`, measured in alternating pairs so that slow phases of a
 * noisy machine hit both sides alike; also returns each side's median.
 */
export async function pairedThroughput(
  a: { script: URL; count: number; params: unknown },
  b: { script: URL; count: number; params: unknown },
  durationMs: number,
  samples: number,
): Promise<{ a: number; b: number; ratio: number }> {
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let sample = 0; sample < samples; sample += 1) {
    const aOps = await workerThroughput(a.script, a.count, a.params, durationMs);
    const bOps = await workerThroughput(b.script, b.count, b.params, durationMs);
    as.push(aOps);
    bs.push(bOps);
    ratios.push(aOps / bOps);
  }
  return { a: median(as), b: median(bs), ratio: median(ratios) };
}

/** Median over `samples` runs of `workerThroughput`. */
export async function medianThroughput(
  script: URL,
  count: number,
  params: unknown,
  durationMs: number,
  samples: number,
): Promise<number> {
  const results: number[] = [];
  for (let sample = 0; sample < samples; sample += 1) {
    results.push(await workerThroughput(script, count, params, durationMs));
  }
  return median(results);
}
