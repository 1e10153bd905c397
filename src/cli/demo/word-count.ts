/**
 * The demo's workload: a word count of a generated corpus (corpus.ts) into a `SharedMap` of
 * counters through a `TransactionQueue` of one task per chunk (tasks.ts), on a chosen number of
 * workers, with its counts read back and compared with a plain count made in this thread.
 */
import { Heap, TransactionQueue, type HeapOptions } from '../../api/index.js';
import type { SharedCounter, SharedMap } from '../../collections/index.js';
import type { TransactionQueueProgress, TransactionQueueResult } from '../../workers/index.js';
import { corpusChunk, vocabulary } from './corpus.js';
import { countsRootKey } from './tasks.js';

/** Bytes of text per task: small transactions, so that a conflict costs little. */
export const chunkBytes = 4 * 1024;
const vocabularySize = 20_000;
const corpusSeed = 7;
/** Address space reserved for a run's heap (committed only as used). */
const heapBytesMax = 1 << 30;

// The task module, next to this file: .ts under tsx (src/), .js when built (dist/).
const taskModule = new URL(
  import.meta.url.endsWith('.ts') ? './tasks.ts' : './tasks.js',
  import.meta.url,
);

export interface Corpus {
  readonly chunks: readonly string[];
  readonly bytes: number;
  readonly words: number;
}

export function generateCorpus(bytes: number): Corpus {
  const dictionary = vocabulary(vocabularySize);
  const chunkCount = Math.max(1, Math.ceil(bytes / chunkBytes));
  const chunks = Array.from({ length: chunkCount }, (_, index) =>
    corpusChunk(dictionary, corpusSeed, index, chunkBytes),
  );
  let words = 0;
  let total = 0;
  for (const chunk of chunks) {
    words += chunk.split(' ').length;
    total += chunk.length;
  }
  return { chunks, bytes: total, words };
}

/** The reference: the same count, in this thread, with a plain Map. */
export function countSerially(corpus: Corpus): Map<string, number> {
  const counts = new Map<string, number>();
  for (const chunk of corpus.chunks) {
    for (const word of chunk.split(' ')) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

export interface PoolCountOptions {
  readonly workers: number;
  /** Heap options of the run (e.g. recording its conflict log). */
  readonly heapOptions?: HeapOptions;
  readonly onProgress?: (progress: TransactionQueueProgress, aborts: number) => void;
}

export interface PoolCount {
  readonly seconds: number;
  readonly result: TransactionQueueResult;
  readonly counts: ReadonlyMap<string, number>;
}

/**
 * The count on a pool of `workers`, timed from the first `add` to the end of `run`, once every
 * worker has started (worker start-up, about a second under tsx, is not the count's time).
 */
export async function countOnPool(corpus: Corpus, options: PoolCountOptions): Promise<PoolCount> {
  const heap = Heap.create({ maxBytes: heapBytesMax, ...options.heapOptions });
  try {
    const shared: SharedMap<string, SharedCounter> = heap.map();
    heap.root.set(countsRootKey, shared);
    // Progress is reported for the count, not for the warm-up run.
    let counting = false;
    let abortsBefore = 0;
    const { onProgress } = options;
    const queue = new TransactionQueue(heap, {
      module: taskModule,
      workers: options.workers,
      onProgress: (progress) => {
        if (counting) onProgress?.(progress, heap.stats().aborts - abortsBefore);
      },
    });
    try {
      for (let worker = 0; worker < options.workers; worker += 1) queue.add('warmUp');
      await queue.run();
      counting = true;
      abortsBefore = heap.stats().aborts;
      const started = performance.now();
      for (const chunk of corpus.chunks) queue.add('countChunk', chunk);
      const result = await queue.run();
      const seconds = (performance.now() - started) / 1000;
      const counts = new Map<string, number>();
      for (const [word, counter] of shared) counts.set(word, counter.value);
      return { seconds, result, counts };
    } finally {
      await queue.close();
    }
  } finally {
    heap.close();
  }
}

/** The first difference between a pool's counts and the reference, or undefined. */
export function countsDifference(
  counted: ReadonlyMap<string, number>,
  reference: ReadonlyMap<string, number>,
): string | undefined {
  if (counted.size !== reference.size) {
    return `${String(counted.size)} distinct words counted, ${String(reference.size)} expected`;
  }
  for (const [word, expected] of reference) {
    const got = counted.get(word);
    if (got !== expected) {
      return `'${word}' counted ${String(got ?? 0)} times, ${String(expected)} expected`;
    }
  }
  return undefined;
}

/** The `count` most frequent words, most frequent first. */
export function topWords(
  counts: ReadonlyMap<string, number>,
  count: number,
): (readonly [string, number])[] {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, count);
}
