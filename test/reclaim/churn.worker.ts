// Worker of the reclamation tests. Writers replace the strings in shared cells as fast as they can
// (every replacement retires a block); readers read them and check each value is one that a writer
// really wrote. Optionally one worker stalls inside an operation (see stall.test.ts), or the worker
// dies at a test-only crash point or at a random iteration (see death.test.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { faults, type CrashPointName } from '../../src/base/index.js';
import { Heap, type HeapHandle, type SharedCell, type SharedRef } from '../../src/index.js';
import { churnValue, isChurnValue } from './churn-value.js';

export interface ChurnData {
  readonly heap: HeapHandle;
  readonly cells: readonly SharedRef[];
  readonly role: 'writer' | 'reader' | 'staller';
  readonly index: number;
  readonly durationMs: number;
  /** Staller: how long to stay inside one `update` (ms). */
  readonly stallMs?: number;
  /** Die (process.exit) at this crash point, with this probability per visit. */
  readonly crashAt?: CrashPointName;
  readonly crashProbability?: number;
  /** Die (process.exit / throw) after this many operations. */
  readonly dieAfterOps?: number;
  readonly dieBy?: 'exit' | 'throw';
  readonly seed: number;
}

export interface ChurnResult {
  readonly ops: number;
  readonly badReads: string[];
  /** Staller: the values its update saw (first call, and the redo after it woke). */
  readonly stallerSaw?: string[];
}

const data = workerData as ChurnData;
let state = data.seed >>> 0 || 1;
const random = (): number => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 2 ** 32;
};

if (data.crashAt !== undefined) {
  const target = data.crashAt;
  const probability = data.crashProbability ?? 1;
  faults.atCrashPoint = (name) => {
    if (name === target && random() < probability) process.exit(3);
  };
}

const heap = Heap.attach(data.heap);
const cells = data.cells.map((ref) => heap.open<SharedCell<string>>(ref));
const badReads: string[] = [];
const stallerSaw: string[] = [];
let ops = 0;

function die(): never {
  if (data.dieBy === 'throw') throw new Error('worker dies on purpose');
  process.exit(4);
}

if (data.role === 'staller') {
  const cell = cells[0];
  if (cell === undefined) throw new Error('staller needs a cell');
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  let calls = 0;
  cell.update((value) => {
    stallerSaw.push(value);
    calls += 1;
    // Inside the operation: online with an old epoch, holding the old word, for stallMs.
    if (calls === 1) Atomics.wait(sleeper, 0, 0, data.stallMs ?? 0);
    return churnValue(99, calls);
  });
  ops += 1;
} else {
  const deadline = performance.now() + data.durationMs;
  let sequence = 0;
  while (performance.now() < deadline) {
    for (let step = 0; step < 64; step += 1) {
      const cell = cells[Math.floor(random() * cells.length)];
      if (cell === undefined) continue;
      if (data.role === 'writer') {
        sequence += 1;
        cell.set(churnValue(data.index, sequence));
      } else {
        const value = cell.get();
        if (!isChurnValue(value) && badReads.length < 10) badReads.push(JSON.stringify(value));
      }
      ops += 1;
      if (ops === data.dieAfterOps) die();
    }
  }
}
heap.close();
const result: ChurnResult = { ops, badReads, stallerSaw };
parentPort?.postMessage(result);
