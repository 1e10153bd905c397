// Transaction benchmarks (issue 4). Main thread: the fixed cost of a transaction (a one-cell
// increment against the protocol's floor, bench/lib/commit-floor.ts; empty; read-only over 10
// cells against 10 plain JS properties). Workers: a large bank with 2 workers against 1 (low
// contention), one hot counter at 1, 2, 4 and 8 workers against a global lock, against our own
// engine with the naive-retry contention policy (src/stm/contention-naive.ts), and against the
// shared-memory steps of our protocol alone — the bound of any implementation of it,
// bench/lib/commit-floor.ts (high contention; three shapes), and one long reader against three
// writers (starvation).
import { availableParallelism } from 'node:os';
import { atomically, Heap, type SharedCell } from '../src/index.js';
import { AttemptHistogram } from './lib/attempts.js';
import { CommitFloor, commitFloorBytes } from './lib/commit-floor.js';
import { calibrateBusyWork } from './lib/busy-work.js';
import { blackhole, median, nsPerOp, pairedThroughput, workerRun } from './lib/measure.js';
import type { BenchResult } from './run.js';
import type { CounterMode, CounterParams, CounterReport } from './workers/stm-counter.worker.js';
import type { StarvationParams, StarvationReport } from './workers/stm-starvation.worker.js';

const bankScript = new URL('./workers/stm-bank.worker.ts', import.meta.url);
const counterScript = new URL('./workers/stm-counter.worker.ts', import.meta.url);
const starvationScript = new URL('./workers/stm-starvation.worker.ts', import.meta.url);
const warmupMs = 300;

/**
 * Warm-up for `workers` workers: `warmupMs` of CPU each. A worker runs only cores / workers of the
 * wall time when there are more workers than cores, and V8 optimises a function after enough
 * calls, not after a time: with 8 workers on 2 cores, 300 ms left part of the timed window to
 * unoptimised code (measured: 8-worker throughput +50 % with a 1.5 s warm-up; the lock's, none).
 */
const warmupFor = (workers: number): number =>
  warmupMs * Math.max(1, Math.ceil(workers / availableParallelism()));

function transactionCost(samples: number): BenchResult[] {
  const heap = Heap.create({ maxBytes: 16 << 20 });
  const cells = Array.from({ length: 10 }, (_, index) => heap.cell(index));
  const plain = Array.from({ length: 10 }, (_, index) => ({ value: index }));
  const noop = (): number => 1;
  const empty = nsPerOp((n) => {
    let sum = 0;
    for (let i = 0; i < n; i += 1) sum += heap.atomically(noop);
    blackhole.value = sum;
  }, samples);
  const call = nsPerOp((n) => {
    let sum = 0;
    for (let i = 0; i < n; i += 1) sum += (blackhole.value === n ? noop : noop)();
    blackhole.value = sum;
  }, samples);
  const readTen = (): number => {
    let sum = 0;
    for (const cell of cells) sum += cell.get();
    return sum;
  };
  const readOnly = nsPerOp((n) => {
    let sum = 0;
    for (let i = 0; i < n; i += 1) sum += atomically(readTen);
    blackhole.value = sum;
  }, samples);
  const plainRead = nsPerOp((n) => {
    let sum = 0;
    for (let i = 0; i < n; i += 1) {
      for (const object of plain) sum += object.value;
    }
    blackhole.value = sum;
  }, samples);
  const counter = heap.cell(0);
  const incrementCounter = (): void => {
    counter.set(counter.get() + 1);
  };
  const increment = nsPerOp((n) => {
    for (let i = 0; i < n; i += 1) atomically(incrementCounter);
  }, samples);
  const floor = new CommitFloor();
  const floorIncrement = nsPerOp((n) => {
    for (let i = 0; i < n; i += 1) floor.increment();
  }, samples);
  blackhole.value = floor.value + counter.get();
  heap.close();
  return [
    {
      name: 'one-cell increment in atomically (ns)',
      value: increment,
      baseline: floorIncrement,
      baselineName: 'its 20 atomic operations alone (bench/lib/commit-floor.ts)',
      ratio: floorIncrement / increment,
      target: 'report',
    },
    {
      name: 'empty atomically (ns)',
      value: empty,
      baseline: call,
      baselineName: 'function call',
      ratio: call / empty,
      target: 'report',
    },
    {
      name: 'read-only transaction of 10 cells (ns)',
      value: readOnly,
      baseline: plainRead,
      baselineName: '10 JS properties',
      ratio: plainRead / readOnly,
      target: 'report',
    },
  ];
}

/** The bank alone (`npm run bench -- --only=bank`): a quick check of scaling at low contention. */
export async function lowContention(samples: number, durationMs: number): Promise<BenchResult[]> {
  const accountCount = 100_000;
  const heap = Heap.create({ maxBytes: 256 << 20 });
  const accounts: SharedCell<number>[] = [];
  for (let i = 0; i < accountCount; i += 1) accounts.push(heap.cell(1000));
  const params = { heap: heap.handle, accounts: accounts.map((cell) => cell.ref), warmupMs };
  const side = (count: number): { script: URL; count: number; params: unknown } => ({
    script: bankScript,
    count,
    params,
  });
  const pair = await pairedThroughput(side(2), side(1), durationMs, samples);
  const total = atomically(() => accounts.reduce((sum, cell) => sum + cell.get(), 0));
  heap.close();
  if (total !== accountCount * 1000) throw new Error(`bank total ${String(total)} is wrong`);
  return [
    {
      name: 'bank, 100 000 accounts: 2 workers (transfers/s)',
      value: pair.a,
      baseline: pair.b,
      baselineName: '1 worker',
      ratio: pair.ratio,
      target: '≥ 1.7×',
    },
  ];
}

interface ContentionRun {
  readonly opsPerS: number;
  readonly abortRate: number;
  readonly p99: number;
  readonly max: number;
}

async function counterRun(
  mode: CounterMode,
  workers: number,
  workIterations: number,
  workBetween: boolean,
  durationMs: number,
): Promise<ContentionRun> {
  const heap = Heap.create({ maxBytes: 16 << 20 });
  const counter = heap.cell(0);
  const params: CounterParams = {
    mode,
    heap: heap.handle,
    counter: counter.ref,
    lockBuffer: new SharedArrayBuffer(128),
    floorBuffer: new SharedArrayBuffer(commitFloorBytes),
    workIterations,
    workBetween,
    warmupMs: warmupFor(workers),
  };
  const run = await workerRun(counterScript, workers, params, durationMs);
  heap.close();
  const attempts = (run.reports as CounterReport[]).map((report) => report.attempts);
  const summary = AttemptHistogram.summarise(attempts);
  return { opsPerS: run.opsPerS, abortRate: summary.abortRate, p99: summary.p99, max: summary.max };
}

/** Median throughput of `samples` runs, with the abort figures of the median run. */
async function medianCounterRun(
  samples: number,
  run: () => Promise<ContentionRun>,
): Promise<ContentionRun> {
  const runs: ContentionRun[] = [];
  for (let sample = 0; sample < samples; sample += 1) runs.push(await run());
  runs.sort((a, b) => a.opsPerS - b.opsPerS);
  const middle = runs[runs.length >> 1];
  if (middle === undefined) throw new RangeError('no samples');
  return middle;
}

/** One workload of the hot counter: where the work sits, how long it is, and the baselines run. */
interface CounterShape {
  readonly workBetween: boolean;
  readonly workNs: number;
  readonly withNaive: boolean;
}

const counterShapes: readonly CounterShape[] = [
  { workBetween: false, workNs: 1000, withNaive: true },
  { workBetween: true, workNs: 1000, withNaive: true },
  // Where the global lock stops winning: work three times a transaction's own cost (0008).
  { workBetween: false, workNs: 3000, withNaive: false },
];

async function* highContention(samples: number, durationMs: number): AsyncGenerator<BenchResult> {
  for (const { workBetween, workNs, withNaive } of counterShapes) {
    const workIterations = calibrateBusyWork(workNs);
    const micros = String(workNs / 1000);
    const shape = workBetween ? `read, ${micros} µs, write` : `${micros} µs, then increment`;
    const measure = (mode: CounterMode, workers: number): Promise<ContentionRun> =>
      medianCounterRun(samples, () =>
        counterRun(mode, workers, workIterations, workBetween, durationMs),
      );
    const single = await measure('stm', 1);
    for (const workers of [1, 2, 4, 8]) {
      const ours = workers === 1 ? single : await measure('stm', workers);
      const lock = await measure('lock', workers);
      const floor = await measure('floor', workers);
      const naive = withNaive ? await measure('naive', workers) : undefined;
      const figures =
        `aborts ${(ours.abortRate * 100).toFixed(1)} %, p99 attempts ${String(ours.p99)}, ` +
        `max ${String(ours.max)}` +
        (naive === undefined
          ? ''
          : `; naive: aborts ${(naive.abortRate * 100).toFixed(1)} %, ` +
            `p99 ${String(naive.p99)}, max ${String(naive.max)}`);
      const row = (
        subject: ContentionRun,
        subjectName: string,
        against: string,
        baseline: ContentionRun,
        baselineName: string,
        target: string,
      ): BenchResult => ({
        name: `hot counter (${shape}), ${String(workers)} workers: ${subjectName}vs ${against} (tx/s)`,
        value: subject.opsPerS,
        baseline: baseline.opsPerS,
        baselineName,
        ratio: subject.opsPerS / baseline.opsPerS,
        target,
      });
      const versus = (
        against: string,
        baseline: ContentionRun,
        baselineName: string,
        target: string,
      ): BenchResult => row(ours, '', against, baseline, baselineName, target);
      yield versus(`1 worker; ${figures}`, single, 'ours, 1 worker', '≥ 0.9×');
      yield versus('global lock', lock, 'global lock', '≥ 1×');
      yield versus('the protocol alone', floor, 'the floor under contention', 'report');
      yield row(floor, 'the protocol alone ', 'global lock', lock, 'global lock', 'bound');
      if (naive !== undefined) yield versus('naive retry', naive, 'naive retry', 'report');
    }
  }
}

/** The long reader and three writers. */
const starvationWorkers = 4;

async function starvation(durationMs: number): Promise<BenchResult[]> {
  const heap = Heap.create({ maxBytes: 64 << 20 });
  const cells = Array.from({ length: 1000 }, () => heap.cell(0));
  const sum = heap.cell(0);
  const params: StarvationParams = {
    heap: heap.handle,
    cells: cells.map((cell) => cell.ref),
    sum: sum.ref,
    warmupMs: warmupFor(starvationWorkers),
  };
  // One long window rather than samples: the figure of interest is the worst transaction.
  const run = await workerRun(starvationScript, starvationWorkers, params, durationMs * 3);
  heap.close();
  const long = run.reports[0] as StarvationReport;
  const summary = AttemptHistogram.summarise([long.attempts]);
  const latency = median(long.latenciesMs);
  const worst = Math.max(0, ...long.latenciesMs);
  return [
    {
      name:
        `long reader of 1 000 cells vs 3 writers: median latency (ms; ${String(summary.transactions)} ` +
        `commits, attempts p99 ${String(summary.p99)}, max ${String(summary.max)}, worst ${worst.toFixed(1)} ms)`,
      value: latency,
      baseline: worst,
      baselineName: 'worst latency',
      ratio: latency / worst,
      target: 'commits',
    },
  ];
}

/** Rows as they are measured: the whole suite takes about 15 minutes (`--quick`: about 5). */
export async function* stmBenchmarks(
  samples: number,
  durationMs: number,
): AsyncGenerator<BenchResult> {
  yield* transactionCost(samples);
  yield* await lowContention(samples, durationMs);
  yield* highContention(samples, durationMs);
  yield* await starvation(durationMs);
}
