// The workers issue's real workload: a word count of a generated corpus (50 MB; 10 MB with
// --quick) into a SharedMap of counters, through a TransactionQueue of one task per 4 KB chunk
// (src/cli/demo/, also `shared-objects demo`): small transactions, so that a conflict costs little. 2 workers against
// 1, alternating runs on fresh heaps, timed from the first `add` to the end of `run`; each run's
// counts are checked against the words added.
import { Heap, TransactionQueue, type SharedCounter, type SharedMap } from '../src/index.js';
import { corpusChunk, vocabulary } from '../src/cli/demo/corpus.js';
import { median } from './lib/measure.js';
import type { BenchResult } from './run.js';

const tasks = new URL('../src/cli/demo/tasks.ts', import.meta.url);
export const chunkBytes = 4 * 1024;

interface WordCountRun {
  readonly seconds: number;
  readonly aborts: number;
  readonly commits: number;
}

export async function countOnce(
  chunks: readonly string[],
  words: number,
  workers: number,
  conflictLog?: string,
): Promise<WordCountRun> {
  const heap = Heap.create(
    conflictLog === undefined ? { maxBytes: 1 << 30 } : { maxBytes: 1 << 30, conflictLog },
  );
  const counts: SharedMap<string, SharedCounter> = heap.map();
  heap.root.set('wordCounts', counts);
  const queue = new TransactionQueue(heap, { module: tasks, workers });
  const started = performance.now();
  for (const chunk of chunks) queue.add('countChunk', chunk);
  const result = await queue.run();
  const seconds = (performance.now() - started) / 1000;
  await queue.close();
  let total = 0;
  for (const counter of counts.values()) total += counter.value;
  if (total !== words)
    throw new Error(`word count: ${String(total)} counted, ${String(words)} added`);
  counts[Symbol.dispose]();
  heap.close();
  return { seconds, aborts: result.aborts, commits: result.commits };
}

export async function wordCountBenchmark(samples: number, quick: boolean): Promise<BenchResult> {
  const corpusBytes = (quick ? 10 : 50) << 20;
  const dictionary = vocabulary(20_000);
  const chunks = Array.from({ length: Math.ceil(corpusBytes / chunkBytes) }, (_, index) =>
    corpusChunk(dictionary, 7, index, chunkBytes),
  );
  const words = chunks.reduce((sum, chunk) => sum + chunk.split(' ').length, 0);
  await countOnce(
    chunks.slice(0, 16),
    chunks.slice(0, 16).reduce((sum, c) => sum + c.split(' ').length, 0),
    2,
  );
  const two: number[] = [];
  const one: number[] = [];
  const ratios: number[] = [];
  let aborts = 0;
  let commits = 0;
  for (let sample = 0; sample < samples; sample += 1) {
    const a = await countOnce(chunks, words, 2);
    const b = await countOnce(chunks, words, 1);
    two.push(a.seconds);
    one.push(b.seconds);
    ratios.push(b.seconds / a.seconds);
    aborts += a.aborts;
    commits += a.commits;
  }
  const megabytes = corpusBytes >> 20;
  return {
    name:
      `word count of ${String(megabytes)} MB into a SharedMap, TransactionQueue, 2 workers vs 1 ` +
      `(s; ${String(chunks.length)} tasks, aborts ${((aborts / Math.max(1, commits)) * 100).toFixed(1)} %)`,
    value: median(two),
    baseline: median(one),
    baselineName: '1 worker',
    ratio: median(ratios),
    target: '≥ 1.6× (speed-up)',
  };
}
