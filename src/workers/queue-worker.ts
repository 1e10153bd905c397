/**
 * `TransactionQueue`, a worker's side (pypy-stm's `transaction.TransactionQueue`): during a run,
 * each pool worker runs this loop once — claim a batch of tasks from the task ring
 * (task-ring.ts), run each as one transaction, publish the tasks a task added only once its
 * transaction has committed — until no task remains anywhere or the run stops.
 *
 * Tasks added by a task are buffered in the attempt and the buffer is emptied when an attempt
 * starts again, so an aborted attempt's additions vanish; after the commit they are counted in
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
  writePayload,
  type PoolCell,
  type PoolHeap,
} from './pool-heap.js';
import { ringWord, TaskRing } from './task-ring.js';

/** A task as it travels outside the ring: its name and its arguments. */
export type TaskTuple = readonly [task: string, args: readonly unknown[]];

/** The queue as a task sees it: `queue.add` inside a task adds to the same run. */
export interface TaskQueueView {
  add(task: string, ...args: unknown[]): void;
}

/** What a task function is called with, before its own arguments. */
export interface TaskContext<H = PoolHeap> {
  readonly heap: H;
  readonly queue: TaskQueueView;
}

/** What every worker of a queue's pool gets in `workerData.extra`. */
export interface QueueWorkerData {
  readonly ring: SharedArrayBuffer;
  readonly slots: number;
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

/**
 * Encodes a task into `scratch` (a payload of the ring's size); returns the heap cell that holds
 * it when it did not fit inline (the caller keeps it alive until the run ends).
 */
export function encodeTask(
  heap: PoolHeap,
  scratch: DataView,
  task: string,
  args: readonly unknown[],
): PoolCell | undefined {
  return writePayload(heap, scratch, 0, taskPayloadBytes, [task, ...args]);
}

export function decodeTask(reader: PayloadReader, view: DataView, at: number): TaskTuple {
  const [task, ...args] = reader.read(view, at) as unknown[];
  return [String(task), args];
}

/** Per worker: what must stay alive until the thread that runs the queue has read the ring. */
const kept: { cells: PoolCell[]; values: unknown[] } = { cells: [], values: [] };

function releaseKept(): void {
  for (const cell of kept.cells) cell[Symbol.dispose]();
  kept.cells = [];
  kept.values = [];
}

export function runQueueLoop(
  heap: PoolHeap,
  exports: Record<string, unknown>,
  data: QueueWorkerData,
  workers: number,
): QueueWorkerResult {
  // The previous run's leftovers have been read by now: its kept values may go.
  releaseKept();
  const ring = new TaskRing(data.ring, data.slots);
  const reader = new PayloadReader(heap);
  const { i32 } = ring;
  const scratchBytes = new Uint8Array(taskPayloadBytes);
  const scratch = new DataView(scratchBytes.buffer);
  const functions = new Map<string, (...args: unknown[]) => unknown>();
  const batch: TaskTuple[] = [];
  let overflow: TaskTuple[] = [];
  const added: TaskTuple[] = [];
  const queue: TaskQueueView = {
    add(task: string, ...args: unknown[]): void {
      added.push([task, args]);
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

  const publish = (task: TaskTuple): boolean => {
    const cell = encodeTask(heap, scratch, task[0], task[1]);
    if (cell !== undefined) kept.cells.push(cell);
    if (task[1].length > 0) kept.values.push(task[1]);
    return ring.push(scratchBytes);
  };

  const flushOverflow = (): void => {
    let i = 0;
    for (const task of overflow) {
      if (!publish(task)) break;
      i += 1;
    }
    if (i > 0) overflow = overflow.slice(i);
  };

  // Tasks of the current batch executed and not yet subtracted from `outstanding`: subtracted
  // once a batch (one contended atomic per batch, not per task).
  let done = 0;
  const finishBatch = (): void => {
    if (done === 0) return;
    // ORDERING: the tasks' commits happened before; the last tasks of the run wake everyone.
    if (Atomics.sub(i32, ringWord.outstanding, done) === done) Atomics.notify(i32, ringWord.tail);
    done = 0;
  };

  const stopWith = (error: unknown, from: number): QueueWorkerResult => {
    finishBatch();
    Atomics.store(i32, ringWord.stop, 1);
    Atomics.notify(i32, ringWord.tail);
    return { executed, error: errorRecord(error), leftovers: [...batch.slice(from), ...overflow] };
  };

  for (;;) {
    if (overflow.length > 0) flushOverflow();
    batch.length = 0;
    ring.take(taskBatchMax, workers, (at) => batch.push(decodeTask(reader, ring.view, at)));
    if (batch.length === 0 && overflow.length > 0) batch.push(...overflow.splice(0, taskBatchMax));
    if (batch.length === 0) {
      if (Atomics.load(i32, ringWord.stop) === 1 || Atomics.load(i32, ringWord.outstanding) === 0) {
        return { executed, leftovers: [] };
      }
      const tail = Atomics.load(i32, ringWord.tail);
      Atomics.add(i32, ringWord.sleepers, 1);
      // ORDERING: sleepers is raised before the wait compares the tail; a producer moves the
      // tail and then reads sleepers. The end of the run (outstanding = 0, stop) notifies all.
      if (Atomics.load(i32, ringWord.outstanding) !== 0) {
        Atomics.wait(i32, ringWord.tail, tail, taskIdleWaitMs);
      }
      Atomics.sub(i32, ringWord.sleepers, 1);
      continue;
    }
    for (let i = 0; i < batch.length; i += 1) {
      if (Atomics.load(i32, ringWord.stop) === 1) {
        finishBatch();
        return { executed, leftovers: [...batch.slice(i), ...overflow] };
      }
      const entry = batch[i];
      if (entry === undefined) break;
      const [task, args] = entry;
      try {
        const fn = lookup(task);
        heap.atomically(() => {
          added.length = 0;
          fn(context, ...args);
        });
      } catch (error) {
        added.length = 0;
        return stopWith(error, i + 1);
      }
      executed += 1;
      done += 1;
      if (added.length > 0) {
        // Counted before they are pushed (and before this task is subtracted).
        Atomics.add(i32, ringWord.outstanding, added.length);
        for (const task of added) if (overflow.length > 0 || !publish(task)) overflow.push(task);
        ring.wake(added.length);
        added.length = 0;
      }
    }
    finishBatch();
  }
}
