// Worker side of `workerThroughput`: report ready, wait for the start flag, run batches of the
// operation until the stop flag is set, report the number of operations.
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerRunData } from './measure.js';

export function workerParams(): { params: unknown; workerIndex: number } {
  const data = workerData as WorkerRunData;
  return { params: data.params, workerIndex: data.workerIndex };
}

/** `batch()` runs some operations and returns how many. */
export function runTimedLoop(batch: () => number): void {
  const data = workerData as WorkerRunData;
  const flags = new Int32Array(data.control);
  parentPort?.postMessage('ready');
  Atomics.wait(flags, 0, 0);
  let ops = 0;
  while (Atomics.load(flags, 1) === 0) ops += batch();
  parentPort?.postMessage(ops);
}

export interface HeapLoop {
  /** Runs some operations and returns how many. */
  readonly batch: () => number;
  /** Runs `batch` this long before the timed window, so that it measures optimised code. */
  readonly warmupMs: number;
  /** Called when the timed window opens (to forget what the warm-up counted). */
  readonly onStart?: () => void;
  /** Called when the window closed: closes the heap, returns what the worker reports. */
  readonly finish: () => unknown;
}

/**
 * `runTimedLoop` for workers attached to a heap: warms up, goes offline before waiting for the
 * start flag (a worker is offline only once it returns to its event loop; one that waited right
 * after an operation would keep its epoch and hold back everyone's reclamation), and closes the
 * heap before posting its count (the main thread terminates workers once every count arrived, and
 * a close cut short would leave the slot to recovery).
 */
export async function runHeapLoop(loop: HeapLoop): Promise<void> {
  const data = workerData as WorkerRunData;
  const flags = new Int32Array(data.control);
  const warmEndMs = performance.now() + loop.warmupMs;
  while (performance.now() < warmEndMs) loop.batch();
  await new Promise((resolve) => setImmediate(resolve));
  parentPort?.postMessage('ready');
  Atomics.wait(flags, 0, 0);
  loop.onStart?.();
  let ops = 0;
  while (Atomics.load(flags, 1) === 0) ops += loop.batch();
  const report = loop.finish();
  parentPort?.postMessage({ ops, report });
}
