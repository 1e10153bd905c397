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
