// Checker of the terminate test: runs the main thread's looks at the heap in a worker of its own,
// because a transaction blocked by a dead worker's lock, intent or token blocks its thread for
// good. Here it blocks only this worker, and the main thread, waiting for the reply with a time
// limit, can fail the test instead of hanging. Each check is one read-only audit of every cell,
// bracketed by reads of the workers' plain progress words, and then one transaction that writes
// every cell (it must get every lock).
import { parentPort, workerData } from 'node:worker_threads';
import { Heap, type HeapHandle, type SharedCell, type SharedRef } from '../../src/index.js';
import { progressField, progressWords } from './terminate-progress.js';

export interface CheckData {
  readonly heap: HeapHandle;
  readonly accounts: readonly SharedRef[];
  readonly pairs: readonly (readonly [SharedRef, SharedRef])[];
  /** Every worker's `done` cell, by worker index (made before the first worker starts). */
  readonly done: readonly SharedRef[];
  readonly progress: SharedArrayBuffer;
}

export type CheckRequest = 'check' | 'stop';

export interface CheckReply {
  readonly total: number;
  readonly pairSums: readonly number[];
  /** Each worker's `done` cell, in the audit's snapshot. */
  readonly done: readonly number[];
  /** Each worker's `returned` word, read just before and just after the audit. */
  readonly returnedBefore: readonly number[];
  readonly returnedAfter: readonly number[];
  readonly writeAllMs: number;
}

const data = workerData as CheckData;
const heap = Heap.attach(data.heap);
const accounts = data.accounts.map((ref) => heap.open<SharedCell<number>>(ref));
const pairs = data.pairs.map(
  ([x, y]) => [heap.open<SharedCell<number>>(x), heap.open<SharedCell<number>>(y)] as const,
);
const words = new Int32Array(data.progress);
const doneCells = data.done.map((ref) => heap.open<SharedCell<number>>(ref));
const returned = (): number[] =>
  doneCells.map((_, index) => Atomics.load(words, index * progressWords + progressField.returned));

function check(): CheckReply {
  const returnedBefore = returned();
  const seen = heap.atomically(() => ({
    total: accounts.reduce((sum, account) => sum + account.get(), 0),
    pairSums: pairs.map(([x, y]) => x.get() + y.get()),
    done: doneCells.map((cell) => cell.get()),
  }));
  const returnedAfter = returned();
  const started = performance.now();
  heap.atomically(() => {
    for (const account of accounts) account.set(account.get());
    for (const [x, y] of pairs) {
      x.set(x.get());
      y.set(y.get());
    }
    for (const cell of doneCells) cell.set(cell.get());
  });
  const writeAllMs = performance.now() - started;
  return { ...seen, returnedBefore, returnedAfter, writeAllMs };
}

parentPort?.on('message', (request: CheckRequest) => {
  if (request === 'stop') {
    heap.close();
    parentPort?.close();
    return;
  }
  parentPort?.postMessage(check());
});
