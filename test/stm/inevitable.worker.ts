// Worker of the inevitable test. An `inevitable` worker runs transactions that call
// `inevitable()` and then do what only an irrevocable transaction may: a side effect outside the
// heap (a plain shared "inside" counter that must go 0 → 1 → 0 with nobody else inside, and a
// local count of runs past `inevitable()`, which must equal its commits). A `plain` worker runs
// ordinary transactions on the same cells. Both move amounts within pairs kept at x + y === 0,
// rewrite a shared string, and count their commits in their own cell, so the test can check the
// final values exactly. A `churn` worker rewrites a string cell of its own until the inevitable
// workers are done: every write retires a block, so reclamation runs (and neutralises workers
// that stay too long in an operation) even while the inevitable transaction blocks everyone else.
import { parentPort, workerData } from 'node:worker_threads';
import {
  atomically,
  Heap,
  inevitable,
  type HeapHandle,
  type SharedCell,
  type SharedRef,
} from '../../src/index.js';
import { seededRandom } from '../support/random.js';
import { openPairs, type PairRefs } from './bank-cells.js';

/**
 * How an inevitable transaction starts: `bound` is `heap.atomically`, `first` is `atomically`
 * with `inevitable()` before any shared object is touched, `afterRead` is `atomically` with one
 * read before `inevitable()` (the attempt then upgrades to a recorded, locking one).
 */
export type InevitableForm = 'bound' | 'first' | 'afterRead';

export interface InevitableData {
  readonly heap: HeapHandle;
  /** Pairs (x, y) kept at x + y === 0. */
  readonly pairs: PairRefs;
  /** A string every transaction reads and rewrites: `w<worker>:<transaction>`. */
  readonly note: SharedRef;
  /** This worker's count of committed transactions. */
  readonly count: SharedRef;
  /** The churn worker's own string cell (nobody else touches it). */
  readonly scratch: SharedRef;
  /**
   * One Int32 word each, outside the heap: inevitable transactions past `inevitable()` and not
   * yet done with their side effect, and times one of them found another inside.
   */
  readonly inside: SharedArrayBuffer;
  readonly overlaps: SharedArrayBuffer;
  /** One Int32 word: inevitable workers still running (the churn worker stops at 0). */
  readonly running: SharedArrayBuffer;
  readonly role: 'inevitable' | 'plain' | 'churn';
  readonly forms: readonly InevitableForm[];
  readonly index: number;
  readonly seed: number;
  readonly transactions: number;
  /** Busy wait inside an inevitable transaction, to widen the window for an overlap. */
  readonly spinUsMax: number;
  /** Share of inevitable transactions that wait `slowUs` instead (slow I/O, say). */
  readonly slowShare: number;
  readonly slowUs: number;
}

export interface InevitableResult {
  readonly committed: number;
  /** Runs of the code after `inevitable()` returned (must equal `committed`). */
  readonly runsAfterInevitable: number;
  /** Runs of the transaction function (reruns before `inevitable()` returned are allowed). */
  readonly runs: number;
  /** Net amount this worker moved into each pair's x, over its committed transactions. */
  readonly movedToX: readonly number[];
  /** Times a transaction read a pair with x + y !== 0, or a note no worker wrote. */
  readonly inconsistent: number;
  /** Strings the churn worker wrote. */
  readonly churned: number;
}

const data = workerData as InevitableData;
const heap = Heap.attach(data.heap);
const pairs = openPairs(heap, data.pairs);
const note = heap.open<SharedCell<string>>(data.note);
const count = heap.open<SharedCell<number>>(data.count);
const inside = new Int32Array(data.inside);
const overlaps = new Int32Array(data.overlaps);
const running = new Int32Array(data.running);
/** Bounds the churn loop should the inevitable workers never finish (the test fails then). */
const churnWritesMax = 50_000_000;
const random = seededRandom(data.seed);
const noteShape = /^w\d+:\d+$/;

const busyWait = (us: number): void => {
  const until = performance.now() + us / 1000;
  while (performance.now() < until) {
    // Spinning on purpose: time passes while the transaction holds the token and its locks.
  }
};

let committed = 0;
let runsAfterInevitable = 0;
let runs = 0;
let inconsistent = 0;
const movedToX = new Array<number>(pairs.length).fill(0);

/** Checks every pair and the note, moves `amount` into x of pair `at`, rewrites the note. */
function move(at: number, amount: number, transaction: number): void {
  for (const [x, y] of pairs) if (x.get() + y.get() !== 0) inconsistent += 1;
  if (!noteShape.test(note.get())) inconsistent += 1;
  const [x, y] = pairs[at] ?? [];
  if (x === undefined || y === undefined) return;
  x.set(x.get() + amount);
  y.set(y.get() - amount);
  note.set(`w${String(data.index)}:${String(transaction)}`);
  count.set(count.get() + 1);
}

/** The side effect only an inevitable transaction may have: nobody else may be inside. */
function enter(): void {
  runsAfterInevitable += 1;
  if (Atomics.add(inside, 0, 1) !== 0) Atomics.add(overlaps, 0, 1);
}
function leave(): void {
  if (Atomics.load(inside, 0) !== 1) Atomics.add(overlaps, 0, 1);
  Atomics.sub(inside, 0, 1);
}

let churned = 0;
function churn(): void {
  const scratch = heap.open<SharedCell<string>>(data.scratch);
  while (churned < churnWritesMax && Atomics.load(running, 0) > 0) {
    scratch.set(`churn:${String(churned)}`);
    churned += 1;
  }
}

if (data.role === 'churn') churn();
for (let i = 0; data.role !== 'churn' && i < data.transactions; i += 1) {
  const at = Math.floor(random() * pairs.length);
  const amount = 1 + Math.floor(random() * 10);
  const spinUs = random() < data.slowShare ? data.slowUs : random() * data.spinUsMax;
  const form = data.forms[Math.floor(random() * data.forms.length)] ?? 'bound';
  if (data.role === 'plain') {
    atomically(() => {
      runs += 1;
      move(at, amount, i);
    });
  } else {
    const body = (): void => {
      runs += 1;
      if (form === 'afterRead') void count.get();
      inevitable();
      enter();
      try {
        move(at, amount, i);
        busyWait(spinUs);
        // Read again after the wait: an irrevocable transaction must still see its own write.
        if (note.get() !== `w${String(data.index)}:${String(i)}`) inconsistent += 1;
      } finally {
        // Even if the attempt is (wrongly) aborted here: the rerun count reports that, and the
        // overlap count stays about exclusivity alone.
        leave();
      }
    };
    if (form === 'bound') heap.atomically(body);
    else atomically(body);
  }
  committed += 1;
  movedToX[at] = (movedToX[at] ?? 0) + amount;
}
if (data.role === 'inevitable') Atomics.sub(running, 0, 1);
heap.close();
const result: InevitableResult = {
  committed,
  runsAfterInevitable,
  runs,
  movedToX,
  inconsistent,
  churned,
};
parentPort?.postMessage(result);
