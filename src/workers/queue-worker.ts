/**
 * `TransactionQueue`, a worker's side (pypy-stm's `transaction.TransactionQueue`): during a run,
 * each pool worker runs this loop once — claim a batch of tasks from the task ring
 * (task-ring.ts), run each as one transaction, publish the tasks a task added only once its
 * transaction has committed — until no task remains anywhere or the run stops.
 *
 * Tasks added by a task are buffered in the attempt and the buffer is emptied when an attempt
 * starts again, so an aborted attempt's additions vanish (and those of a rolled-back nested
 * part, through `heap.onAbort`); after the commit they are counted in
 * `outstanding` (before the task itself is subtracted: the count never reaches 0 early) and
 * pushed to the ring, or kept in this worker's overflow list while the ring is full.
 *
 * A task that throws stops the run: this worker sets `stop`, wakes the others, and returns the
 * error with the tasks it holds and has not run; the others return theirs at their next task.
 */
import { taskBatchMax, taskIdleWaitMs, taskPayloadBytes } from './limits.js';
import {
  errorRecord,
  PayloadReader,
  writeJoinedPayload,
  type PoolCell,
  type PoolHeap,
} from './pool-heap.js';
import { ringWord, TaskHands, TaskRing } from './task-ring.js';

/** A task key: tasks that share one run on one worker (`addKeyed`). */
export type TaskKey = string | number;

/** A task as it travels outside the rings: its name, its arguments, and its key if any. */
export type TaskTuple = readonly [task: string, args: readonly unknown[], key?: TaskKey];

/** The queue as a task sees it: its additions join the same queue run. */
export interface TaskQueueView {
  add(task: string, ...args: unknown[]): void;
  /**
   * Adds a task that runs on the worker every task of `key` runs on (by a hash of the key), so
   * that tasks touching the same data do not conflict with each other.
   */
  addKeyed(key: TaskKey, task: string, ...args: unknown[]): void;
}

/** What a task function is called with, before its own arguments. */
export interface TaskContext<H = PoolHeap> {
  readonly heap: H;
  readonly queue: TaskQueueView;
}

/** What every worker of a queue's pool gets in `workerData.extra`. */
export interface QueueWorkerData {
  /** The main ring (and the words every ring's consumer sleeps on). */
  readonly ring: SharedArrayBuffer;
  readonly slots: number;
  /** One ring per worker index, for the keyed tasks routed to it. */
  readonly keyed: readonly SharedArrayBuffer[];
  readonly keyedSlots: number;
  /** Every worker's hand: the batch it claimed (task-ring.ts, `TaskHands`). */
  readonly hands: SharedArrayBuffer;
}

/** What one worker's loop returns to the thread that runs the queue. */
export interface QueueWorkerResult {
  readonly executed: number;
  readonly error?: ReturnType<typeof errorRecord>;
  /** Tasks this worker held and did not run (the run stopped). */
  readonly leftovers: readonly TaskTuple[];
}

/** Name of the pool call that runs the loop. */
export const queueRunCall = 'shared-objects:queue-run';

/** The worker index a key routes to: FNV-1a of its text, modulo the workers. */
export function keyWorker(key: TaskKey, workers: number): number {
  const text = typeof key === 'number' ? String(key) : key;
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return (hash >>> 0) % workers;
}

/**
 * Encodes a task into `scratch` (a payload of the ring's size): `[task, ...args]`, or
 * `[task, key, ...args]` in a keyed ring. Returns the heap cell that holds it when it did not fit
 * inline (the caller keeps it alive until the run ends).
 */
export function encodeTask(
  heap: PoolHeap,
  scratch: DataView,
  [task, args, key]: TaskTuple,
): PoolCell | undefined {
  return writeJoinedPayload(heap, scratch, 0, taskPayloadBytes, task, key, args);
}

export function decodeTask(
  reader: PayloadReader,
  view: DataView,
  at: number,
  keyed: boolean,
): TaskTuple {
  const { name, key, rest } = reader.readJoined(view, at, keyed);
  return key === undefined ? [name, rest] : [name, rest, key];
}

/** Per worker: what must stay alive until the thread that runs the queue has read the rings. */
const kept: { cells: PoolCell[]; values: unknown[] } = { cells: [], values: [] };

function releaseKept(): void {
  for (const cell of kept.cells) cell[Symbol.dispose]();
  kept.cells = [];
  kept.values = [];
}

/** Where a worker is: its heap, the module's exports, its index among `workers`. */
export interface QueueWorkerPlace {
  readonly heap: PoolHeap;
  readonly exports: Record<string, unknown>;
  readonly index: number;
  readonly workers: number;
}

export function runQueueLoop(place: QueueWorkerPlace, data: QueueWorkerData): QueueWorkerResult {
  const { heap, exports, index, workers } = place;
  // The previous run's leftovers have been read by now: its kept values may go.
  releaseKept();
  const ring = new TaskRing(data.ring, data.slots);
  const keyedRings = data.keyed.map((buffer) => new TaskRing(buffer, data.keyedSlots));
  const ownRing = keyedRings[index];
  const hands = new TaskHands(data.hands, taskBatchMax);
  if (ownRing === undefined) throw new Error(`BUG: no keyed ring for worker ${String(index)}`);
  const reader = new PayloadReader(heap);
  const { i32 } = ring;
  const scratchBytes = new Uint8Array(taskPayloadBytes);
  const scratch = new DataView(scratchBytes.buffer);
  const functions = new Map<string, (...args: unknown[]) => unknown>();
  const batch: TaskTuple[] = [];
  // Tasks waiting for room in a full ring; run by this worker when it finds nothing else.
  let overflow: TaskTuple[] = [];
  const added: TaskTuple[] = [];
  // An addition made in a nested `atomically` or `orElse` branch that is rolled back vanishes
  // with it (closed nesting), as an aborted attempt's do.
  const addUndoably = (tuple: TaskTuple): void => {
    const before = added.length;
    added.push(tuple);
    heap.onAbort(() => {
      if (added.length > before) added.length = before;
    });
  };
  const queue: TaskQueueView = {
    add(task: string, ...args: unknown[]): void {
      addUndoably([task, args]);
    },
    addKeyed(key: TaskKey, task: string, ...args: unknown[]): void {
      addUndoably([task, args, key]);
    },
  };
  const context: TaskContext = { heap, queue };
  let executed = 0;

  const lookup = (task: string): ((...args: unknown[]) => unknown) => {
    let fn = functions.get(task);
    if (fn === undefined) {
      const exported = exports[task];
      if (typeof exported !== 'function') {
        throw new TypeError(`TransactionQueue: the module exports no function ${task}`);
      }
      fn = exported as (...args: unknown[]) => unknown;
      functions.set(task, fn);
    }
    return fn;
  };

  /** Pushes a task to its ring (its own keyed ring included); false when that ring is full. */
  const publish = (task: TaskTuple): boolean => {
    const key = task[2];
    const target = key === undefined ? ring : keyedRings[keyWorker(key, workers)];
    if (target === undefined) throw new Error('BUG: a key routed past the keyed rings');
    const cell = encodeTask(heap, scratch, task);
    if (cell !== undefined) kept.cells.push(cell);
    if (task[1].length > 0) kept.values.push(task[1]);
    return target.push(scratchBytes);
  };

  const flushOverflow = (): void => {
    const waiting: TaskTuple[] = [];
    for (const task of overflow) if (!publish(task)) waiting.push(task);
    if (waiting.length !== overflow.length) ring.wake(workers);
    overflow = waiting;
  };

  // Tasks of the current batch executed and not yet subtracted from `outstanding`: subtracted
  // once a batch (one contended atomic per batch, not per task).
  let done = 0;
  const finishBatch = (): void => {
    if (done === 0) return;
    Atomics.add(i32, ringWord.executed, done);
    // ORDERING: the tasks' commits happened before; the last tasks of the run wake everyone.
    if (Atomics.sub(i32, ringWord.outstanding, done) === done) ring.wake(workers);
    done = 0;
  };

  const stopWith = (error: unknown, from: number): QueueWorkerResult => {
    finishBatch();
    Atomics.store(i32, ringWord.stop, 1);
    ring.wake(workers);
    return { executed, error: errorRecord(error), leftovers: [...batch.slice(from), ...overflow] };
  };

  const sleep = (): void => {
    Atomics.add(i32, ringWord.sleepers, 1);
    // ORDERING: see TaskRing.wake — sleepers, then wakeSeq, then a look at the rings.
    const seq = Atomics.load(i32, ringWord.wakeSeq);
    if (
      !ring.hasReady() &&
      !ownRing.hasReady() &&
      Atomics.load(i32, ringWord.outstanding) !== 0 &&
      Atomics.load(i32, ringWord.stop) === 0
    ) {
      Atomics.wait(i32, ringWord.wakeSeq, seq, taskIdleWaitMs);
    }
    Atomics.sub(i32, ringWord.sleepers, 1);
  };

  for (;;) {
    if (overflow.length > 0) flushOverflow();
    batch.length = 0;
    // Its own keyed tasks first, then a fair share of the main ring; each claimed task is also
    // copied into this worker's hand (recovery, if it dies).
    let keyed = true;
    ownRing.take(taskBatchMax, 1, (at) => {
      hands.keep(index, batch.length, ownRing.bytes, at);
      batch.push(decodeTask(reader, ownRing.view, at, true));
    });
    if (batch.length === 0) {
      keyed = false;
      ring.take(taskBatchMax, workers, (at) => {
        hands.keep(index, batch.length, ring.bytes, at);
        batch.push(decodeTask(reader, ring.view, at, false));
      });
    }
    // Overflow tasks are not in the hand: a dead worker's overflow is lost.
    hands.hold(index, batch.length, keyed);
    if (batch.length === 0 && overflow.length > 0) batch.push(...overflow.splice(0, taskBatchMax));
    if (batch.length === 0) {
      if (Atomics.load(i32, ringWord.stop) === 1 || Atomics.load(i32, ringWord.outstanding) === 0) {
        return { executed, leftovers: [] };
      }
      sleep();
      continue;
    }
    for (let i = 0; i < batch.length; i += 1) {
      if (Atomics.load(i32, ringWord.stop) === 1) {
        finishBatch();
        return { executed, leftovers: [...batch.slice(i), ...overflow] };
      }
      const entry = batch[i];
      if (entry === undefined) break;
      hands.running(index, i);
      const [task, args] = entry;
      try {
        const fn = lookup(task);
        heap.activity = task;
        heap.atomically(() => {
          added.length = 0;
          fn(context, ...args);
        });
      } catch (error) {
        added.length = 0;
        return stopWith(error, i + 1);
      } finally {
        heap.activity = undefined;
      }
      executed += 1;
      done += 1;
      if (added.length > 0) {
        // Counted before they are pushed (and before this task is subtracted).
        Atomics.add(i32, ringWord.outstanding, added.length);
        for (const task of added) if (!publish(task)) overflow.push(task);
        ring.wake(Math.min(added.length, workers));
        added.length = 0;
      }
    }
    finishBatch();
  }
}
