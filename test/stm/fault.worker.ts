// Worker of the fault test. Every worker that transfers runs the same transfer (a → b, and a
// transfer count), so the main thread can tell exactly which transfers took effect.
// - A victim arms a crash point and, reaching it, dies there by exiting, throwing or hanging
//   (telling the main thread where first), or parks there until the main thread releases it
//   ('park': a bounded wait on a shared word) and then goes on. Options make its transfer
//   inevitable, or wait in `retry` until `flag` is set; `report` names a point it only announces.
// - A survivor runs transfers that cancel out on the same cells and reports how long it took.
// - A recoverer recovers a dead thread's slot as `heap.watch` would (it may itself die in there).
import { parentPort, workerData } from 'node:worker_threads';
import { faults, type TxCrashPointName } from '../../src/base/index.js';
import {
  atomically,
  Heap,
  inevitable,
  retry,
  type HeapHandle,
  type SharedCell,
  type SharedRef,
} from '../../src/index.js';
import { HeapMemory } from '../../src/memory/index.js';
import { HeapContext, objectKinds } from '../../src/objects/index.js';

export type DeathMode = 'exit' | 'throw' | 'hang';
export type FaultPoint = TxCrashPointName | 'user';

export interface FaultData {
  readonly heap: HeapHandle;
  readonly a: SharedRef;
  readonly b: SharedRef;
  readonly count: SharedRef;
  readonly flag: SharedRef;
  /** One Int32 word: the main thread sets it to 1 (and notifies) to end every park. */
  readonly release: SharedArrayBuffer;
  readonly role: 'victim' | 'survivor' | 'recoverer';
  readonly crashAt?: FaultPoint;
  readonly mode?: DeathMode | 'park';
  /** The crash point after which the victim says `reached` (and goes on). */
  readonly report?: FaultPoint;
  /** The victim's transfer calls `inevitable()` first. */
  readonly inevitable?: boolean;
  /** The victim's transfer `retry`s until `flag` is not 0. */
  readonly waitForFlag?: boolean;
  /** What a victim moves from a to b. */
  readonly amount?: number;
  readonly transfers?: number;
  /** A recoverer's dead thread. */
  readonly deadThreadId?: number;
}

export type FaultMessage =
  | { readonly kind: 'dying'; readonly at: FaultPoint }
  | { readonly kind: 'parked'; readonly at: FaultPoint }
  | { readonly kind: 'reached'; readonly at: FaultPoint }
  | { readonly kind: 'survived' }
  | { readonly kind: 'recovered'; readonly slots: number }
  | { readonly kind: 'done'; readonly ms: number };

/**
 * Longest park; past it the worker goes on and the test, which releases parked workers long
 * before, fails on the outcome.
 */
const parkMsMax = 30_000;

/** A hanging worker left running this long was forgotten by a failed test: it exits. */
const hangMsMax = 120_000;

const data = workerData as FaultData;
const release = new Int32Array(data.release);

const post = (message: FaultMessage): void => {
  parentPort?.postMessage(message);
};

function die(at: FaultPoint): void {
  // Said first: the main thread records that this point fired, whatever the death does next.
  post({ kind: 'dying', at });
  if (data.mode === 'exit') process.exit(3);
  if (data.mode === 'throw') throw new Error('victim dies on purpose');
  // Hang until terminated (the test does so within hangMs, or after it fails).
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, hangMsMax);
  process.exit(4);
}

/** Parked already: a rerun of the transaction (after a preemption) goes past the point. */
let parked = false;

function park(at: FaultPoint): void {
  if (parked) return;
  parked = true;
  post({ kind: 'parked', at });
  Atomics.wait(release, 0, 0, parkMsMax);
}

function reach(at: FaultPoint): void {
  if (at === data.report) post({ kind: 'reached', at });
  if (at !== data.crashAt) return;
  if (data.mode === 'park') park(at);
  else die(at);
}

function transferAs(heap: Heap, amount: number): void {
  const a = heap.open<SharedCell<number>>(data.a);
  const b = heap.open<SharedCell<number>>(data.b);
  const count = heap.open<SharedCell<number>>(data.count);
  const flag = heap.open<SharedCell<number>>(data.flag);
  atomically(() => {
    if (data.inevitable === true) inevitable();
    if (data.waitForFlag === true && flag.get() === 0) retry();
    a.set(a.get() - amount);
    b.set(b.get() + amount);
    count.set(count.get() + 1);
    reach('user');
  });
}

function survive(heap: Heap, transfers: number): void {
  const a = heap.open<SharedCell<number>>(data.a);
  const b = heap.open<SharedCell<number>>(data.b);
  const count = heap.open<SharedCell<number>>(data.count);
  const started = performance.now();
  for (let i = 0; i < transfers; i += 1) {
    atomically(() => {
      a.set(a.get() - 1);
      b.set(b.get() + 1);
    });
    atomically(() => {
      b.set(b.get() - 1);
      a.set(a.get() + 1);
    });
  }
  // Nothing of the dead may hold the inevitability token either: an inevitable transaction that
  // writes every cell of the test.
  atomically(() => {
    inevitable();
    a.set(a.get());
    b.set(b.get());
    count.set(count.get());
  });
  post({ kind: 'done', ms: performance.now() - started });
}

faults.atCrashPoint = (name) => {
  if (name === data.report || name === data.crashAt) reach(name);
};

if (data.role === 'recoverer') {
  // What `heap.watch` runs when the watched thread exits (api/heap.ts), on a context of its own.
  const context = new HeapContext(HeapMemory.attach(data.heap.buffer), objectKinds);
  const slots = context.recoverThread(data.deadThreadId ?? -1);
  context.close();
  post({ kind: 'recovered', slots });
} else {
  const heap = Heap.attach(data.heap);
  if (data.role === 'victim') {
    transferAs(heap, data.amount ?? 0);
    post({ kind: 'survived' });
  } else {
    survive(heap, data.transfers ?? 0);
  }
  heap.close();
}
