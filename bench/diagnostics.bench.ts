// What recording the conflict log costs (issue 15: ≤ 20 % of throughput on the contended
// workloads when on), each row measured on and off in the same run, alternating: a single
// thread's uncontended increment, the hot counter on 2 workers (read, 1 µs of work, write:
// conflicts on most transactions), and the word count on a TransactionQueue. The cost of the
// engine's hooks with recording off is measured against the code before them (docs/performance.md).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Heap } from '../src/index.js';
import { corpusChunk, vocabulary } from '../src/cli/demo/corpus.js';
import { calibrateBusyWork } from './lib/busy-work.js';
import { commitFloorBytes } from './lib/commit-floor.js';
import { median, nsPerOp, workerRun } from './lib/measure.js';
import type { BenchResult } from './run.js';
import { chunkBytes, countOnce } from './word-count.bench.js';
import type { CounterParams } from './workers/stm-counter.worker.js';

const counterScript = new URL('./workers/stm-counter.worker.ts', import.meta.url);

function incrementCost(conflictLog: string | undefined): number {
  const heap = Heap.create(
    conflictLog === undefined ? { maxBytes: 16 << 20 } : { maxBytes: 16 << 20, conflictLog },
  );
  const cell = heap.cell(0);
  const ns = nsPerOp((n) => {
    for (let i = 0; i < n; i += 1) {
      heap.atomically(() => {
        cell.set(cell.get() + 1);
      });
    }
  });
  heap.close();
  return ns;
}

export async function hotCounter(
  conflictLog: string | undefined,
  durationMs: number,
): Promise<number> {
  const heap = Heap.create(
    conflictLog === undefined ? { maxBytes: 16 << 20 } : { maxBytes: 16 << 20, conflictLog },
  );
  const counter = heap.cell(0);
  const params: CounterParams = {
    mode: 'stm',
    heap: heap.handle,
    counter: counter.ref,
    lockBuffer: new SharedArrayBuffer(128),
    floorBuffer: new SharedArrayBuffer(commitFloorBytes),
    workIterations: calibrateBusyWork(1000),
    workBetween: true,
    warmupMs: 300,
  };
  const run = await workerRun(counterScript, 2, params, durationMs);
  heap.close();
  return run.opsPerS;
}

/** Medians of on and off, and of the per-round ratio on / off. */
async function paired(
  samples: number,
  measure: (conflictLog: string | undefined) => Promise<number> | number,
  log: string,
): Promise<{ on: number; off: number; ratio: number }> {
  const on: number[] = [];
  const off: number[] = [];
  const ratios: number[] = [];
  for (let sample = 0; sample < samples; sample += 1) {
    const offValue = await measure(undefined);
    const onValue = await measure(log);
    off.push(offValue);
    on.push(onValue);
    ratios.push(onValue / offValue);
  }
  return { on: median(on), off: median(off), ratio: median(ratios) };
}

export async function* diagnosticsBenchmarks(
  samples: number,
  durationMs: number,
): AsyncGenerator<BenchResult> {
  const directory = mkdtempSync(join(tmpdir(), 'shared-objects-bench-'));
  const log = join(directory, 'conflicts.log');
  try {
    const increment = await paired(samples, incrementCost, log);
    yield {
      name: 'one-cell increment, recording on vs off (ns)',
      value: increment.on,
      baseline: increment.off,
      baselineName: 'off',
      ratio: increment.ratio,
      target: '≤ 1.2× (cost)',
    };
    const counter = await paired(samples, (path) => hotCounter(path, durationMs), log);
    yield {
      name: 'hot counter (read, 1 µs, write), 2 workers: recording on vs off (tx/s)',
      value: counter.on,
      baseline: counter.off,
      baselineName: 'off',
      ratio: counter.ratio,
      target: '≥ 0.8× (throughput)',
    };
    const dictionary = vocabulary(20_000);
    const chunks = Array.from({ length: (4 << 20) / chunkBytes }, (_, index) =>
      corpusChunk(dictionary, 7, index, chunkBytes),
    );
    const words = chunks.reduce((sum, chunk) => sum + chunk.split(' ').length, 0);
    const wordCount = await paired(
      samples,
      async (path) => 1 / (await countOnce(chunks, words, 2, path)).seconds,
      log,
    );
    yield {
      name: 'word count of 4 MB, 2 workers: recording on vs off (runs/s)',
      value: wordCount.on,
      baseline: wordCount.off,
      baselineName: 'off',
      ratio: wordCount.ratio,
      target: '≥ 0.8× (throughput)',
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
