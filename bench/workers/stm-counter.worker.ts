// Worker of the high-contention benchmark (stm.bench.ts): every transaction increments one shared
// counter and does about a microsecond of other work. Four ways to run it:
// - 'stm': our transactions, wait-die contention policy (sleep on the cell, hot cells, inevitable);
// - 'naive': our transactions with the naive-retry contention policy (abort and rerun at once;
//   src/stm/contention-naive.ts), chosen before the heap is attached;
// - 'lock': one global spin-then-wait mutex held for the whole transaction;
// - 'floor': the shared-memory steps of our commit protocol alone, on a counter of their own
//   (bench/lib/commit-floor.ts, lockedIncrement): the bound of any implementation of it.
// `workBetween` puts the work between reading and writing the counter (a read-modify-write that
// conflicts for its whole length); otherwise the work comes first and the increment is short.
import {
  atomically,
  Heap,
  type HeapHandle,
  type SharedCell,
  type SharedRef,
} from '../../src/index.js';
import { useNaiveContention } from '../../src/stm/contention.js';
import { AttemptHistogram } from '../lib/attempts.js';
import { busyWork } from '../lib/busy-work.js';
import { CommitFloor } from '../lib/commit-floor.js';
import { lockGlobal, unlockGlobal } from '../lib/global-lock.js';
import { runHeapLoop, workerParams } from '../lib/worker-loop.js';

export type CounterMode = 'stm' | 'naive' | 'lock' | 'floor';

export interface CounterParams {
  readonly mode: CounterMode;
  readonly heap: HeapHandle;
  readonly counter: SharedRef;
  /** [0]: the global lock word; the baseline's counter is a float at byte 64 (its own line). */
  readonly lockBuffer: SharedArrayBuffer;
  /** The floor's one-cell heap in miniature (`commitFloorBytes`). */
  readonly floorBuffer: SharedArrayBuffer;
  readonly workIterations: number;
  readonly workBetween: boolean;
  readonly warmupMs: number;
}

export interface CounterReport {
  readonly attempts: readonly number[];
}

const { params: rawParams, workerIndex } = workerParams();
const params = rawParams as CounterParams;
// The engine is made by Heap.attach and takes its contention policy then.
if (params.mode === 'naive') useNaiveContention();
const heap = Heap.attach(params.heap);
const counter = heap.open<SharedCell<number>>(params.counter);
const lockWord = new Int32Array(params.lockBuffer, 0, 1);
const lockedCounter = new Float64Array(params.lockBuffer, 64, 1);
const histogram = new AttemptHistogram();
const work = params.workIterations;
const floor = new CommitFloor(params.floorBuffer, workerIndex);
const doWork = (): void => {
  busyWork(work);
};

let runs = 0;
function increment(): void {
  runs += 1;
  if (params.workBetween) {
    const value = counter.get();
    busyWork(work);
    counter.set(value + 1);
  } else {
    busyWork(work);
    counter.set(counter.get() + 1);
  }
}

function lockedIncrement(): void {
  lockGlobal(lockWord);
  if (params.workBetween) {
    const value = lockedCounter[0] ?? 0;
    busyWork(work);
    lockedCounter[0] = value + 1;
  } else {
    busyWork(work);
    lockedCounter[0] = (lockedCounter[0] ?? 0) + 1;
  }
  unlockGlobal(lockWord);
}

const batchTransactions = 16;

await runHeapLoop({
  warmupMs: params.warmupMs,
  batch: () => {
    for (let i = 0; i < batchTransactions; i += 1) {
      if (params.mode === 'lock') {
        lockedIncrement();
        continue;
      }
      if (params.mode === 'floor') {
        floor.lockedIncrement(doWork, params.workBetween);
        continue;
      }
      runs = 0;
      atomically(increment);
      histogram.add(runs);
    }
    return batchTransactions;
  },
  onStart: () => {
    histogram.reset();
  },
  finish: (): CounterReport => {
    heap.close();
    return { attempts: Array.from(histogram.counts) };
  },
});
