// Worker of the serializability test: runs seeded random transactions of one workload (list
// append or registers, as in Elle's workloads) against shared cells, and records them in the
// judge's history format (test/support/serializability.ts): what each read and wrote, and when it
// was invoked and completed on a counter that all workers share.
//
// A transaction function may run several times; only its last run committed. Each run records
// into a list of its own and writes fresh values: if a value written by an aborted run ever
// reached a reader, no committed transaction would have written it, and the judge reports that
// (G1a) instead of mistaking it for the committed rerun's value. The runs that aborted are kept
// too, as read-only transactions of the reads they returned to user code: opacity promises that
// even those saw one consistent state, so they must fit the same serial order.
import assert from 'node:assert/strict';
import { parentPort, workerData } from 'node:worker_threads';
import {
  atomically,
  Heap,
  type HeapHandle,
  type SharedCell,
  type SharedRef,
} from '../../src/index.js';
import { seededRandom } from '../support/random.js';
import type { CommittedTransaction, Operation } from '../support/serializability.js';

export type Workload = 'list-append' | 'register';

export interface SerializableData {
  readonly heap: HeapHandle;
  readonly workload: Workload;
  /** Cells holding lists of numbers (list-append) or a number, null until written (register). */
  readonly keys: readonly SharedRef[];
  /** One Int32 that all workers advance to time-stamp invoke and complete. */
  readonly realTimeCounter: SharedArrayBuffer;
  /** One Int32 counting the workers that have started (the start barrier). */
  readonly arrivedCounter: SharedArrayBuffer;
  readonly worker: number;
  readonly workers: number;
  readonly seed: number;
  readonly transactions: number;
  /**
   * Share of steps after which a transaction sleeps (up to pauseMsMax). On 2 cores with 4 workers
   * a transaction of a few microseconds rarely spans another's commit; a sleep keeps it open while
   * the others run, so that their commits land between its reads and its own commit. 0 runs at
   * full speed: the most commits per second, for races in narrow windows.
   */
  readonly pauseShare: number;
}

export interface SerializableResult {
  /** The transactions that committed, with ids like `w3#17`. */
  readonly committed: readonly CommittedTransaction[];
  /**
   * Runs that aborted (`w3#17/aborted-1 (write-read)`, with the abort kind), as read-only
   * transactions holding the reads made before the run wrote the key, each from its run's start
   * to the next run's start.
   */
  readonly aborted: readonly CommittedTransaction[];
}

/** Values written by worker w are w × valuesPerWorkerMax + n, so they are unique per key. */
const valuesPerWorkerMax = 1_000_000;
const stepsPerTransactionMax = 4;
/** The longest sleep inside a transaction (see `pauseShare`): far below ownerWaitMsMax (20 ms). */
const pauseMsMax = 0.2;
/** How long a worker waits for the others to start before it gives up (a bug or a stuck host). */
const startWaitMsMax = 30_000;
const startWaitSliceMs = 100;
/** Share of transactions that only read, so that read-only commits are judged too. */
const readOnlyShare = 0.2;
/**
 * Share of transactions that read two paired keys and (unless read-only) write both. Writes that
 * always go together expose a reader that mixes two snapshots: the bank test's x + y pairs caught
 * such an opacity bug (docs/decisions/0005-stm.md).
 */
const pairShare = 0.3;
/** Share of register transactions of the write-skew shape: read a and b, write one of them. */
const writeSkewShare = 0.2;

interface Step {
  readonly kind: 'read' | 'write';
  readonly key: number;
}

const data = workerData as SerializableData;
const heap = Heap.attach(data.heap);
const realTime = new Int32Array(data.realTimeCounter);
const arrived = new Int32Array(data.arrivedCounter);
const random = seededRandom(data.seed);
const randomKey = (): number => Math.floor(random() * data.keys.length);

/** Never notified: waiting on it is a sleep that gives the core to another worker. */
const sleeper = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
/** Apart from `random`, so that reruns do not change the plans that a seed gives. */
const pauseRandom = seededRandom(~data.seed);
function maybePause(): void {
  if (pauseRandom() < data.pauseShare) Atomics.wait(sleeper, 0, 0, pauseRandom() * pauseMsMax);
}

let written = 0;
function freshValue(): number {
  written += 1;
  assert.ok(written < valuesPerWorkerMax, 'BUG: a worker ran out of unique values');
  return data.worker * valuesPerWorkerMax + written;
}

/** The key paired with `key`: keys 2k and 2k + 1 (the last key of an odd count pairs with 0). */
function partner(key: number): number {
  const other = key ^ 1;
  return other < data.keys.length ? other : 0;
}

function plan(): readonly Step[] {
  const readOnly = random() < readOnlyShare;
  const shape = random();
  if (shape < pairShare) {
    // Like the bank test's pairs: reads of both keys, then (if updating) writes of both.
    const first = randomKey();
    const second = partner(first);
    const reads: Step[] = [
      { kind: 'read', key: first },
      { kind: 'read', key: second },
    ];
    if (readOnly) return reads;
    return [...reads, { kind: 'write', key: first }, { kind: 'write', key: second }];
  }
  if (data.workload === 'register' && shape < pairShare + writeSkewShare) {
    const first = randomKey();
    const second = (first + 1 + Math.floor(random() * (data.keys.length - 1))) % data.keys.length;
    const target = random() < 0.5 ? first : second;
    return [
      { kind: 'read', key: first },
      { kind: 'read', key: second },
      { kind: 'write', key: target },
    ];
  }
  const count = 1 + Math.floor(random() * stepsPerTransactionMax);
  return Array.from({ length: count }, () => ({
    kind: readOnly || random() < 0.5 ? 'read' : 'write',
    key: randomKey(),
  }));
}

/**
 * One run of a list-append transaction, recording into `ops` as it goes (a run may be aborted
 * at any step). Appending reads the list but records no read.
 */
function runListAppend(
  cells: readonly SharedCell<readonly number[]>[],
  steps: readonly Step[],
  ops: Operation[],
): void {
  for (const { kind, key } of steps) {
    const cell = cells[key];
    assert.ok(cell !== undefined);
    if (kind === 'read') {
      ops.push({ kind: 'readList', key, list: cell.get() });
      maybePause();
      continue;
    }
    const value = freshValue();
    cell.set([...cell.get(), value]);
    ops.push({ kind: 'append', key, value });
    maybePause();
  }
}

/**
 * One run of a register transaction. A write is always preceded by a read of its key in the same
 * transaction: the judge orders a register's versions only by read-modify-writes (the value
 * written follows the value read), and a blind write would have no known place.
 */
function runRegister(
  cells: readonly SharedCell<number | null>[],
  steps: readonly Step[],
  ops: Operation[],
): void {
  const touched = new Set<number>();
  for (const { kind, key } of steps) {
    const cell = cells[key];
    assert.ok(cell !== undefined);
    if (kind === 'read' || !touched.has(key)) {
      ops.push({ kind: 'read', key, value: cell.get() });
      touched.add(key);
    }
    if (kind === 'write') {
      const value = freshValue();
      cell.set(value);
      ops.push({ kind: 'write', key, value });
    }
    maybePause();
  }
}

type Runner = (steps: readonly Step[], ops: Operation[]) => void;

function transactionRunner(): Runner {
  if (data.workload === 'list-append') {
    const cells = data.keys.map((ref) => heap.open<SharedCell<readonly number[]>>(ref));
    return (steps, ops) => {
      runListAppend(cells, steps, ops);
    };
  }
  const cells = data.keys.map((ref) => heap.open<SharedCell<number | null>>(ref));
  return (steps, ops) => {
    runRegister(cells, steps, ops);
  };
}

/**
 * What an aborted run saw of other transactions: its reads of keys it had not yet written (its
 * writes never happened, and a read after one would show them).
 */
function externalReads(ops: readonly Operation[]): Operation[] {
  const written = new Set<number>();
  const reads: Operation[] = [];
  for (const op of ops) {
    if (op.kind === 'append' || op.kind === 'write') written.add(op.key);
    else if (!written.has(op.key)) reads.push(op);
  }
  return reads;
}

/**
 * Starting a worker takes longer than many of its transactions: without a barrier the first
 * worker would run much of its share alone, and the others' transactions would meet no conflict.
 */
function waitForAllWorkers(): void {
  // ORDERING: the last to arrive sees the full count and wakes the others; a waiter that misses
  // the wake-up sees the count change and does not sleep (Atomics.wait compares first).
  if (Atomics.add(arrived, 0, 1) + 1 === data.workers) {
    Atomics.notify(arrived, 0);
    return;
  }
  const deadline = performance.now() + startWaitMsMax;
  for (;;) {
    const seen = Atomics.load(arrived, 0);
    if (seen === data.workers) return;
    assert.ok(performance.now() < deadline, `only ${String(seen)} workers started`);
    Atomics.wait(arrived, 0, seen, startWaitSliceMs);
  }
}

const runTransaction = transactionRunner();
const committed: CommittedTransaction[] = [];
const aborted: CommittedTransaction[] = [];
/** The abort kind of each aborted run of the running transaction, in order, for explanations. */
const abortKinds: string[] = [];
heap.onConflict((event) => {
  if (event.kind !== 'wait') abortKinds.push(event.kind);
});
waitForAllWorkers();
for (let i = 1; i <= data.transactions; i += 1) {
  const id = `w${String(data.worker)}#${String(i)}`;
  const steps = plan();
  const runs: { readonly start: number; readonly ops: Operation[] }[] = [];
  // ORDERING: every counter update is sequentially consistent, so a transaction whose complete
  // is below another's invoke really returned before the other was called (real-time order).
  abortKinds.length = 0;
  const invoke = Atomics.add(realTime, 0, 1);
  atomically(() => {
    const ops: Operation[] = [];
    runs.push({ start: Atomics.add(realTime, 0, 1), ops });
    runTransaction(steps, ops);
  });
  const complete = Atomics.add(realTime, 0, 1);
  const last = runs.at(-1);
  assert.ok(last !== undefined, 'BUG: atomically returned without running the transaction');
  committed.push({ id, invoke, complete, ops: last.ops });
  for (const [run, { start, ops }] of runs.slice(0, -1).entries()) {
    const reads = externalReads(ops);
    if (reads.length === 0) continue;
    // It aborted before the next run started (there is one: this run was not the last).
    const end = runs[run + 1]?.start ?? complete;
    aborted.push({
      id: `${id}/aborted-${String(run + 1)} (${abortKinds[run] ?? 'unknown'})`,
      invoke: start,
      complete: end,
      ops: reads,
    });
  }
}
heap.close();
const result: SerializableResult = { committed, aborted };
parentPort?.postMessage(result);
