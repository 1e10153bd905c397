// Word count of a generated corpus into a SharedMap, on a TransactionQueue: one task per 4 KB
// chunk, run on 1 worker and then on 2, with the speed-up and the most frequent words. The
// corpus generator and the task module are the demo's (src/cli/demo/); `npm run demo` is this
// with progress bars, checked counts and the conflict report.
//   node --require ./scripts/register-tsx.cjs examples/word-count/run.ts [megabytes]
import {
  Heap,
  TransactionQueue,
  type SharedCounter,
  type SharedMap,
  type TransactionQueueResult,
} from 'shared-objects';
import { corpusChunk, vocabulary } from '../../src/cli/demo/corpus.js';

const megabytes = Number(process.argv[2] ?? 8);
const chunkBytes = 4096;
const dictionary = vocabulary(20_000);
const chunks = Array.from({ length: Math.ceil((megabytes << 20) / chunkBytes) }, (_, index) =>
  corpusChunk(dictionary, 7, index, chunkBytes),
);

async function count(
  workers: number,
): Promise<{ seconds: number; top: string; result: TransactionQueueResult }> {
  const heap = Heap.create({ maxBytes: 1 << 30 });
  const counts: SharedMap<string, SharedCounter> = heap.map();
  heap.root.set('wordCounts', counts);
  const queue = new TransactionQueue(heap, {
    module: new URL('../../src/cli/demo/tasks.ts', import.meta.url),
    workers,
  });
  const started = performance.now();
  for (const chunk of chunks) queue.add('countChunk', chunk);
  const result = await queue.run();
  const seconds = (performance.now() - started) / 1000;
  await queue.close();
  const top = [...counts]
    .map(([word, counter]): [string, number] => [word, counter.value])
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([word, n]) => `${word} ${String(n)}`)
    .join(', ');
  heap.close();
  return { seconds, top, result };
}

console.log(`corpus: ${String(megabytes)} MB in ${String(chunks.length)} chunks`);
const one = await count(1);
console.log(
  `1 worker:  ${one.seconds.toFixed(2)} s, ${String(one.result.commits)} commits, ${String(one.result.aborts)} aborts`,
);
const two = await count(2);
console.log(
  `2 workers: ${two.seconds.toFixed(2)} s, ${String(two.result.commits)} commits, ${String(two.result.aborts)} aborts`,
);
console.log(`speed-up: ${(one.seconds / two.seconds).toFixed(2)}×; most frequent: ${two.top}`);
