// Worker of the terminate test: the bank workload (random transfers, read-all audits, a pair kept
// at x + y === 0 as an opacity check), plus what the main thread needs to judge a worker it
// killed. Each transfer also adds 1 to this worker's `done` cell. No other worker reads or writes
// that cell, so after a kill nobody helps a commit there: recovery alone finishes (or undoes) it.
// After `atomically` returns the worker stores how many transfers returned in a plain shared
// word, so after a kill `done - returned` is 0 or 1, and exactly 1 if the victim died after its
// commit was decided. The worker stores the last step of its transaction it reached (user code,
// or a commit crash point), so the test can tell where kills landed; and when the main thread
// aims at a step, the worker parks there until it is terminated, which puts kills in the narrow
// windows of the commit on purpose.
import { parentPort, workerData } from 'node:worker_threads';
import { faults } from '../../src/base/index.js';
import {
  atomically,
  Heap,
  inevitable,
  type HeapHandle,
  type SharedCell,
  type SharedRef,
} from '../../src/index.js';
import { seededRandom } from '../support/random.js';
import {
  openNumbers,
  openPairs,
  randomTransfer,
  transferWithPair,
  type PairRefs,
} from './bank-cells.js';
import type { BankResult } from './bank.worker.js';
import {
  noAim,
  phaseCode,
  phases,
  progressField,
  progressWords,
  type PhaseName,
} from './terminate-progress.js';

export interface TerminateData {
  readonly heap: HeapHandle;
  readonly accounts: readonly SharedRef[];
  /** Pairs (x, y) kept at x + y === 0. */
  readonly pairs: PairRefs;
  /** This worker's count of committed transfers. */
  readonly done: SharedRef;
  /** Plain shared words, laid out in terminate-progress.ts. */
  readonly progress: SharedArrayBuffer;
  readonly index: number;
  readonly seed: number;
  readonly transfers: number;
  readonly auditEvery: number;
  /** Share of transfers that call `inevitable()` first (so kills also hit the token holder). */
  readonly inevitableShare: number;
  /** Longest park at an aimed point; past it the worker goes on (the main thread was late). */
  readonly parkMsMax: number;
  readonly expectedTotal: number;
}

/** What a worker that finished reports: the bank worker's result. */
export type TerminateResult = BankResult;

const data = workerData as TerminateData;
const heap = Heap.attach(data.heap);
const accounts = openNumbers(heap, data.accounts);
const pairs = openPairs(heap, data.pairs);
const done = heap.open<SharedCell<number>>(data.done);
const words = new Int32Array(data.progress);
const base = data.index * progressWords;
const crashPhases = new Set<string>(phases);

/** Records the phase; if the main thread aims at it, waits there to be terminated. */
function reach(phase: number): void {
  // ORDERING: the main thread reads the phase of a dead worker; its last store is the answer.
  Atomics.store(words, base + progressField.phase, phase);
  if (Atomics.load(words, base + progressField.aim) !== phase) return;
  Atomics.store(words, base + progressField.aim, noAim);
  Atomics.store(words, base + progressField.parked, 1);
  // Terminated while waiting here, normally. A late main thread finds the worker gone on.
  Atomics.wait(words, base + progressField.parked, 1, data.parkMsMax);
  Atomics.store(words, base + progressField.parked, 0);
}

faults.atCrashPoint = (name) => {
  if (crashPhases.has(name)) reach(phaseCode(name as PhaseName));
};

const random = seededRandom(data.seed);
const idle = phaseCode('idle');
const user = phaseCode('user');
const locked = phaseCode('user.locked');
const lockedInevitable = phaseCode('user.inevitable');
const audit = phaseCode('audit');

let audits = 0;
let opacityViolations = 0;
const badAudits: number[] = [];
for (let i = 1; i <= data.transfers; i += 1) {
  const { from, to, amount, pair } = randomTransfer(random, accounts, pairs);
  const asInevitable = random() < data.inevitableShare;
  atomically(() => {
    if (asInevitable) inevitable();
    reach(user);
    done.set(done.get() + 1);
    if (!transferWithPair(from, to, pair, amount)) {
      opacityViolations += 1;
      return;
    }
    // Every lock of the transfer is held here (and the token, for an inevitable one).
    reach(asInevitable ? lockedInevitable : locked);
  });
  Atomics.store(words, base + progressField.returned, i);
  reach(idle);
  if (i % data.auditEvery === 0) {
    reach(audit);
    const total = atomically(() => accounts.reduce((sum, account) => sum + account.get(), 0));
    reach(idle);
    audits += 1;
    if (total !== data.expectedTotal) badAudits.push(total);
  }
}
heap.close();
const result: TerminateResult = { audits, badAudits, opacityViolations, transfers: data.transfers };
parentPort?.postMessage(result);
