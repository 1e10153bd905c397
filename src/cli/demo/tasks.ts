/**
 * The word count's task, run by a `TransactionQueue` in pool workers (the demo's, the example's
 * and the benchmark's): count one chunk of the corpus into the shared map of counts
 * (heap.root 'wordCounts'). Each word's count is a `heap.counter()`, whose adds commute: two
 * tasks that count the same frequent word do not conflict; only the first insert of a word into
 * the map can meet another task's.
 */
import type { TaskContext } from '../../api/index.js';
import type { SharedCounter, SharedMap } from '../../collections/index.js';

/** The heap.root key of the map of counts. */
export const countsRootKey = 'wordCounts';

export function countChunk({ heap }: TaskContext, chunk: string): void {
  // Counted locally first: one shared add per distinct word of the chunk, not per occurrence.
  const local = new Map<string, number>();
  for (const word of chunk.split(' ')) local.set(word, (local.get(word) ?? 0) + 1);
  const counts = heap.root.get(countsRootKey) as SharedMap<string, SharedCounter>;
  for (const [word, count] of local) {
    let counter = counts.get(word);
    if (counter === undefined) {
      counter = heap.counter();
      counts.set(word, counter);
    }
    counter.add(count);
  }
}

/**
 * Does nothing: a run of one per worker before the timed run makes sure every worker has
 * started and loaded this module, so that the timing is of the count alone.
 */
export function warmUp(): void {
  // Intentionally empty.
}
