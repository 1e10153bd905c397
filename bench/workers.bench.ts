// Workers benchmarks (issue: workers). Same run, same worker count (2), rounds interleaving ours
// and the baselines (each round's ratio; medians over rounds):
// - pool of tiny calls (add two numbers, many in flight): WorkerPool against piscina (target
//   ≥ 10×) and against a plain postMessage pool, one message per call and per reply (≥ 2×);
// - TransactionQueue of tiny tasks (an empty transaction each): tasks per second (target
//   ≥ 1 000 000/s) against piscina's calls per second of the same tiny function (≥ 40×).
import { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { Heap, TransactionQueue, WorkerPool } from '../src/index.js';
import { median } from './lib/measure.js';
import type { BenchResult } from './run.js';
import { wordCountBenchmark } from './word-count.bench.js';

const workers = 2;
const module = new URL('./workers/pool-calls.worker.ts', import.meta.url);
const postMessageScript = new URL('./workers/post-message.worker.ts', import.meta.url);
/** Calls in flight per batch: enough to keep every pool busy. */
const batchCalls = 10_000;
const queueTasks = 200_000;

/** A plain pool: round-robin, one postMessage per call, promises matched by id. */
class PostMessagePool {
  readonly #workers: Worker[];
  readonly #pending = new Map<number, (value: number) => void>();
  #next = 0;

  constructor(count: number) {
    this.#workers = Array.from({ length: count }, () => {
      const worker = new Worker(postMessageScript);
      worker.on('message', (message: { id: number; value: number }) => {
        const resolve = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        resolve?.(message.value);
      });
      return worker;
    });
  }

  call(a: number, b: number): Promise<number> {
    const id = this.#next;
    this.#next += 1;
    const worker = this.#workers[id % this.#workers.length];
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      worker?.postMessage({ id, a, b });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }
}

/** Calls per second of `batch` (which makes `batchCalls` calls) over about `durationMs`. */
async function callsPerS(batch: () => Promise<unknown>, durationMs: number): Promise<number> {
  const started = performance.now();
  let calls = 0;
  do {
    await batch();
    calls += batchCalls;
  } while (performance.now() - started < durationMs);
  return calls / ((performance.now() - started) / 1000);
}

export async function workersBenchmarks(
  samples: number,
  durationMs: number,
): Promise<BenchResult[]> {
  const heap = Heap.create({ maxBytes: 256 << 20 });
  const pool = new WorkerPool(heap, { module, workers });
  const queue = new TransactionQueue(heap, { module, workers });
  const piscina = new Piscina({
    filename: module.href,
    minThreads: workers,
    maxThreads: workers,
  });
  const plain = new PostMessagePool(workers);
  const ourBatch = () =>
    Promise.all(Array.from({ length: batchCalls }, (_, i) => pool.call('add', i, 1)));
  const piscinaBatch = () =>
    Promise.all(
      Array.from({ length: batchCalls }, (_, i) =>
        piscina.run({ a: i, b: 1 }, { name: 'addPair' }),
      ),
    );
  const plainBatch = () =>
    Promise.all(Array.from({ length: batchCalls }, (_, i) => plain.call(i, 1)));
  // Timed from the first add to the end of the run: adding is part of the cost of a task.
  const queueRun = async (): Promise<number> => {
    const started = performance.now();
    for (let i = 0; i < queueTasks; i += 1) queue.add('nothing');
    const result = await queue.run();
    return result.executed / ((performance.now() - started) / 1000);
  };
  // Warm-up: workers started, modules loaded, code optimised.
  await callsPerS(ourBatch, 300);
  await callsPerS(piscinaBatch, 300);
  await callsPerS(plainBatch, 300);
  await queueRun();

  const figures = { ours: [] as number[], piscina: [] as number[], plain: [] as number[] };
  const queueFigures: number[] = [];
  const ratios = { piscina: [] as number[], plain: [] as number[], queue: [] as number[] };
  for (let round = 0; round < samples; round += 1) {
    const ours = await callsPerS(ourBatch, durationMs);
    const theirs = await callsPerS(piscinaBatch, durationMs);
    const postMessage = await callsPerS(plainBatch, durationMs);
    const tasks = await queueRun();
    figures.ours.push(ours);
    figures.piscina.push(theirs);
    figures.plain.push(postMessage);
    queueFigures.push(tasks);
    ratios.piscina.push(ours / theirs);
    ratios.plain.push(ours / postMessage);
    ratios.queue.push(tasks / theirs);
  }
  await pool.close();
  await queue.close();
  await piscina.destroy();
  await plain.close();
  heap.close();
  const piscinaCalls = median(figures.piscina);
  return [
    {
      name: `pool: tiny calls/s, ${String(workers)} workers`,
      value: median(figures.ours),
      baseline: piscinaCalls,
      baselineName: 'piscina',
      ratio: median(ratios.piscina),
      target: '≥ 10',
    },
    {
      name: `pool: tiny calls/s, ${String(workers)} workers`,
      value: median(figures.ours),
      baseline: median(figures.plain),
      baselineName: 'postMessage pool',
      ratio: median(ratios.plain),
      target: '≥ 2',
    },
    {
      name: `TransactionQueue: tiny tasks/s, ${String(workers)} workers`,
      value: median(queueFigures),
      baseline: piscinaCalls,
      baselineName: 'piscina calls/s',
      ratio: median(ratios.queue),
      target: '≥ 40 (and ≥ 1e6 tasks/s)',
    },
    await wordCountBenchmark(Math.min(samples, 5), durationMs < 1000),
  ];
}
