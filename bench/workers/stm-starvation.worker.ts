// Worker of the starvation benchmark (stm.bench.ts): worker 0 runs long transactions that read
// every one of many cells and store their sum; the others keep incrementing random cells of the
// same set. Without contention management the long one would abort forever; it must commit, and
// the benchmark reports how many attempts and how long that took.
import {
  atomically,
  Heap,
  type HeapHandle,
  type SharedCell,
  type SharedRef,
} from '../../src/index.js';
import { AttemptHistogram } from '../lib/attempts.js';
import { runHeapLoop, workerParams } from '../lib/worker-loop.js';

export interface StarvationParams {
  readonly heap: HeapHandle;
  readonly cells: readonly SharedRef[];
  readonly sum: SharedRef;
  readonly warmupMs: number;
}

export interface StarvationReport {
  /** Long transactions only (empty for writers). */
  readonly attempts: readonly number[];
  readonly latenciesMs: readonly number[];
}

const { params, workerIndex } = workerParams() as { params: StarvationParams; workerIndex: number };
const heap = Heap.attach(params.heap);
const cells = params.cells.map((ref) => heap.open<SharedCell<number>>(ref));
const sum = heap.open<SharedCell<number>>(params.sum);
const histogram = new AttemptHistogram();
const latenciesMs: number[] = [];
const isLong = workerIndex === 0;
let seed = 0x2545f491 ^ (workerIndex * 0x9e3779b9);

let runs = 0;
function readAll(): void {
  runs += 1;
  let total = 0;
  for (const cell of cells) total += cell.get();
  sum.set(total);
}

function longTransaction(): number {
  runs = 0;
  const start = performance.now();
  atomically(readAll);
  latenciesMs.push(performance.now() - start);
  histogram.add(runs);
  return 1;
}

const writerBatch = 64;
function writes(): number {
  for (let i = 0; i < writerBatch; i += 1) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    const cell = cells[(seed >>> 0) % cells.length];
    if (cell === undefined) throw new RangeError('no cells to write');
    atomically(() => {
      cell.set(cell.get() + 1);
    });
  }
  return writerBatch;
}

await runHeapLoop({
  warmupMs: params.warmupMs,
  batch: isLong ? longTransaction : writes,
  onStart: () => {
    histogram.reset();
    latenciesMs.length = 0;
  },
  finish: (): StarvationReport => {
    heap.close();
    return isLong
      ? { attempts: Array.from(histogram.counts), latenciesMs }
      : { attempts: [], latenciesMs: [] };
  },
});
