// Worker of the reclamation benchmark (reclaim.bench.ts). A churner owns a few cells and replaces
// their strings in a loop, so every `set` retires a string block and its own reclamation runs all
// the time (a full retire bag every ~60 sets). A staller enters `cell.update` and stays inside
// its `fn` for the whole timed window: online, with an epoch that goes stale at the churners'
// first epoch advance, so reclamation waits on it until it is neutralised (`reclaimStallMs`).
//
// It speaks `workerThroughput`'s protocol (lib/measure.ts: 'ready', start flag, stop flag, op
// count) with its own loop rather than `runTimedLoop`, because the heap must be closed before
// the count is posted: the main thread terminates workers as soon as every count has arrived,
// and a close cut short by `terminate()` would leave the worker's slot to recovery.
import { parentPort, workerData } from 'node:worker_threads';
import { Heap, type HeapHandle, type SharedCell } from '../../src/index.js';
import type { WorkerRunData } from '../lib/measure.js';

export interface ChurnParams {
  readonly heap: HeapHandle;
  /** Workers with an index below this churn; the others stall. */
  readonly churners: number;
  readonly cellsPerWorker: number;
  /** Churn this long before reporting ready, so that the timed window runs optimised code. */
  readonly warmupMs: number;
}

/** Sets between two reads of the stop flag (rounded up to whole rounds over the cells). */
const batchOps = 256;
/** Bounds the churn loop: at 10^8 sets/s this is ~3 hours, far beyond any timed window. */
const batchesMax = 2 ** 32;
/**
 * The staller sleeps in slices and checks the stop flag between them (nobody notifies its private
 * word). A slice is short next to the stall bound (100 ms) and the run (≥ 300 ms).
 */
const stallSliceMs = 5;
/** Bounds the stall: 10 minutes of slices, far beyond any timed window. */
const stallSlicesMax = (10 * 60 * 1000) / stallSliceMs;
/** Indexes of `WorkerRunData.control`'s flags. */
const startFlag = 0;
const stopFlag = 1;

const data = workerData as WorkerRunData;
const params = data.params as ChurnParams;
const flags = new Int32Array(data.control);
const heap = Heap.attach(params.heap);
/** Makes every string set distinct: 7 digits for the first 9 million sets. */
let serial = 1_000_000;

/**
 * Goes offline, reports ready and waits for the start flag. A worker goes offline only when it
 * returns to its event loop (a queued microtask), and `Atomics.wait` does not return there: a
 * worker that waited right after its last operation would stay online with its epoch, and hold
 * back the reclamation of every worker still warming up.
 */
async function awaitStart(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  parentPort?.postMessage('ready');
  Atomics.wait(flags, startFlag, 0);
}

/** Sets `cells` round-robin in batches until `done()`; returns the number of sets. */
function churnUntil(
  cells: readonly SharedCell<string>[],
  prefix: string,
  done: () => boolean,
): number {
  const setsPerCell = Math.ceil(batchOps / cells.length);
  let ops = 0;
  for (let batch = 0; batch < batchesMax && !done(); batch += 1) {
    for (const cell of cells) {
      for (let i = 0; i < setsPerCell; i += 1) {
        cell.set(prefix + String(serial));
        serial += 1;
      }
    }
    ops += setsPerCell * cells.length;
  }
  return ops;
}

async function churn(): Promise<number> {
  // 'w0:churned:' + 7 digits: 18–19 characters, one small string block per set.
  const prefix = `w${data.workerIndex}:churned:`;
  const cells: SharedCell<string>[] = [];
  for (let c = 0; c < params.cellsPerWorker; c += 1) cells.push(heap.cell(`${prefix}${c}`));
  // Every run is a new worker: without a warm-up, the timed window would include tiering up
  // (and, with 2 workers on 2 cores, the optimising compiler's threads competing with them).
  const warmEndMs = performance.now() + params.warmupMs;
  churnUntil(cells, prefix, () => performance.now() >= warmEndMs);
  await awaitStart();
  return churnUntil(cells, prefix, () => Atomics.load(flags, stopFlag) !== 0);
}

async function stall(): Promise<number> {
  const cell = heap.cell(0);
  // The stall starts with the timed window: entered earlier, it would be neutralised while the
  // churners warm up, and the window would never see it.
  await awaitStart();
  // A private word that nobody notifies: `Atomics.wait` on it is a sleep that keeps this thread
  // inside the operation without using a core. Busy-waiting instead would take one of the
  // machine's two cores from the churners and measure the lost core, not the stall.
  const parked = new Int32Array(new SharedArrayBuffer(4));
  cell.update(() => {
    for (let slice = 0; slice < stallSlicesMax; slice += 1) {
      if (Atomics.load(flags, stopFlag) !== 0) break;
      Atomics.wait(parked, 0, 0, stallSliceMs);
    }
    return 0;
  });
  return 0;
}

const ops = data.workerIndex < params.churners ? await churn() : await stall();
heap.close();
parentPort?.postMessage(ops);
