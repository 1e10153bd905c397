/**
 * `TransactionQueue`, the side of the thread that runs it (pypy-stm's
 * `transaction.TransactionQueue`, DESIGN.md §8): `add(task, ...args)` queues a call of a function
 * the queue's module exports; `await run()` runs every queued task — and every task they add — each
 * as one transaction on a worker pool, and resolves when none remains. Since each task is one
 * transaction and a task's additions are published only when it commits, the outcome is that of
 * running the tasks one by one in some order.
 *
 * Hand-out goes through shared memory (task-ring.ts): `run` pushes the queued tasks into the
 * ring (the rest as room frees up), then makes one pool call per worker, which runs the worker
 * loop (queue-worker.ts): a worker claims a batch of tasks per ring access, no message per task.
 *
 * A task that throws: `run` rejects with that error, and the tasks not executed — still in the
 * ring, held by workers, not yet pushed — stay queued here for the next `run`. The task that
 * threw is not queued again (its transaction did not commit). A worker that dies during a run:
 * `run` rejects with `WorkerExitedError`; the task it was running is dropped (as one that threw);
 * the tasks of its batch it had not started are read back from its hand (task-ring.ts) and stay
 * queued with the rest. Only its overflow (tasks it added while a ring was full) is lost.
 */
import { nodeBuiltin, sleepWhileEqualAsync } from '../platform/index.js';
import {
  feedWaitMs,
  taskBatchMax,
  progressMsDefault,
  taskPayloadBytes,
  taskRingSlotsMax,
  taskRingSlotsMin,
} from './limits.js';
import { errorFromRecord, PayloadReader, type PoolCell, type PoolHeap } from './pool-heap.js';
import { WorkerExitedError, WorkerPoolCore, type PoolInternals } from './pool.js';
import {
  decodeTask,
  encodeTask,
  queueRunCall,
  type QueueWorkerData,
  keyWorker,
  type QueueWorkerResult,
  type TaskKey,
  type TaskTuple,
} from './queue-worker.js';
import { ringWord, TaskHands, TaskRing, taskRingBytes } from './task-ring.js';

export interface TransactionQueueOptions {
  /** The module whose exported functions are the tasks (a path or a URL). */
  readonly module: string | URL;
  /** Pool workers. Default: the machine's available parallelism. */
  readonly workers?: number;
  /** Called while a run goes, at most every `progressMs`, and once at its end. */
  readonly onProgress?: (progress: TransactionQueueProgress) => void;
  readonly progressMs?: number;
  /** Slots of the task ring (a power of two from 2^10 to 2^16). Default 2^16. */
  readonly ringSlots?: number;
}

export interface TransactionQueueProgress {
  /** Tasks whose transaction committed, so far in this run. */
  readonly executed: number;
  /** Tasks added and not yet executed (queued, claimed, or running). */
  readonly remaining: number;
  readonly elapsedMs: number;
}

export interface TransactionQueueResult {
  /** Tasks executed (committed) in this run. */
  readonly executed: number;
  /** Transactions committed and attempts aborted on the heap during the run (all workers). */
  readonly commits: number;
  readonly aborts: number;
  /** Time lost in aborted attempts and waits on other transactions, summed over workers. */
  readonly timeLostMs: number;
  readonly elapsedMs: number;
  readonly workers: number;
}

export class TransactionQueueCore {
  readonly #heap: PoolHeap;
  readonly #pool: WorkerPoolCore;
  readonly #ring: TaskRing;
  /** Per worker index: the ring of the keyed tasks routed to that worker. */
  readonly #keyedRings: readonly TaskRing[];
  /** Per worker index: the batch it holds (read when that worker dies during a run). */
  readonly #hands: TaskHands;
  readonly #options: TransactionQueueOptions;
  #tasks: TaskTuple[] = [];
  #running = false;

  constructor(heap: PoolHeap, options: TransactionQueueOptions, internals: PoolInternals) {
    const slots = options.ringSlots ?? taskRingSlotsMax;
    if (
      !Number.isInteger(Math.log2(slots)) ||
      slots < taskRingSlotsMin ||
      slots > taskRingSlotsMax
    ) {
      throw new RangeError(
        `ringSlots must be a power of two from 2^10 to 2^16 (got ${String(slots)})`,
      );
    }
    const ring = new SharedArrayBuffer(taskRingBytes(slots));
    this.#ring = new TaskRing(ring, slots);
    this.#ring.format();
    this.#heap = heap;
    this.#options = options;
    const workers = options.workers ?? nodeBuiltin('node:os').availableParallelism();
    const keyedSlots = taskRingSlotsMin;
    const keyed = Array.from(
      { length: workers },
      () => new SharedArrayBuffer(taskRingBytes(keyedSlots)),
    );
    this.#keyedRings = keyed.map((buffer) => {
      const keyedRing = new TaskRing(buffer, keyedSlots);
      keyedRing.format();
      return keyedRing;
    });
    const hands = new SharedArrayBuffer(TaskHands.bytesFor(workers, taskBatchMax));
    this.#hands = new TaskHands(hands, taskBatchMax);
    const extra: QueueWorkerData = { ring, slots, keyed, keyedSlots, hands };
    this.#pool = new WorkerPoolCore(
      heap,
      {
        module: options.module,
        ...(options.workers === undefined ? {} : { workers: options.workers }),
      },
      { ...internals, extra },
    );
  }

  /** Tasks queued for the next `run` (after a failed run: those it did not execute). */
  get size(): number {
    return this.#tasks.length;
  }

  /** Queues a call of the module's exported function `task` with `args` (shareable values). */
  add(task: string, ...args: unknown[]): void {
    if (typeof task !== 'string') throw new TypeError('queue.add: the task is a function name');
    this.#tasks.push([task, args]);
  }

  /**
   * Queues a task with a key: tasks that share a key run on one worker (chosen by a hash of the
   * key), so that tasks touching the same data do not conflict with each other.
   */
  addKeyed(key: TaskKey, task: string, ...args: unknown[]): void {
    if (typeof task !== 'string')
      throw new TypeError('queue.addKeyed: the task is a function name');
    if (typeof key !== 'string' && typeof key !== 'number') {
      throw new TypeError('queue.addKeyed: a key is a string or a number');
    }
    this.#tasks.push([task, args, key]);
  }

  /**
   * Runs every queued task, and the tasks they add, each as one transaction on the pool.
   * Resolves when none remains; rejects with the first error a task threw (the tasks not
   * executed stay queued).
   */
  async run(): Promise<TransactionQueueResult> {
    if (this.#running) throw new Error('queue.run: this queue is already running');
    this.#running = true;
    try {
      return await this.#run();
    } finally {
      this.#running = false;
    }
  }

  /** Stops the pool's workers (after a run: call it when the queue is no longer needed). */
  close(): Promise<void> {
    return this.#pool.close();
  }

  async #run(): Promise<TransactionQueueResult> {
    const heap = this.#heap;
    const ring = this.#ring;
    const { i32 } = ring;
    const started = performance.now();
    const before = heap.stats();
    const tasks = this.#tasks;
    this.#tasks = [];
    const workers = this.#pool.size;
    const kept: PoolCell[] = [];
    const scratchBytes = new Uint8Array(taskPayloadBytes);
    const scratch = new DataView(scratchBytes.buffer);
    let fed = 0;
    const feed = (): void => {
      for (;;) {
        const entry = tasks[fed];
        if (entry === undefined) break;
        const key = entry[2];
        const target = key === undefined ? ring : this.#keyedRings[keyWorker(key, workers)];
        if (target === undefined) throw new Error('BUG: a key routed past the keyed rings');
        const cell = encodeTask(heap, scratch, entry);
        // A full ring stops the feed (in order) until its worker makes room.
        if (!target.push(scratchBytes)) {
          cell?.[Symbol.dispose]();
          break;
        }
        if (cell !== undefined) kept.push(cell);
        fed += 1;
      }
      ring.wake(workers);
    };
    Atomics.store(i32, ringWord.stop, 0);
    Atomics.store(i32, ringWord.executed, 0);
    for (let worker = 0; worker < workers; worker += 1) this.#hands.waiting(worker);
    // ORDERING: outstanding counts every task of the run before any worker can finish one.
    Atomics.store(i32, ringWord.outstanding, tasks.length);
    let executedSoFar = 0;
    const progress = (): void => {
      this.#options.onProgress?.({
        executed: executedSoFar,
        remaining: Atomics.load(i32, ringWord.outstanding),
        elapsedMs: performance.now() - started,
      });
    };
    try {
      feed();
      if (tasks.length === 0) return this.#result(before, started, 0);
      const run = { ended: false };
      const calls = Array.from({ length: workers }, () =>
        this.#pool.call<QueueWorkerResult>(queueRunCall).catch((error: unknown) => {
          // A dead worker: stop the others.
          Atomics.store(i32, ringWord.stop, 1);
          ring.wake(workers);
          throw error;
        }),
      );
      const settled = Promise.allSettled(calls).finally(() => {
        run.ended = true;
      });
      let lastProgress = performance.now();
      const progressMs = this.#options.progressMs ?? progressMsDefault;
      while (!run.ended) {
        feed();
        const head = Atomics.load(i32, ringWord.head);
        executedSoFar = Atomics.load(i32, ringWord.executed);
        if (
          this.#options.onProgress !== undefined &&
          performance.now() - lastProgress >= progressMs
        ) {
          lastProgress = performance.now();
          progress();
        }
        const waitMs = fed < tasks.length ? feedWaitMs : progressMs;
        await Promise.race([settled, sleepWhileEqualAsync(i32, ringWord.head, head, waitMs)]);
      }
      const outcomes = await settled;
      let executed = 0;
      let failure: Error | undefined;
      const leftovers: TaskTuple[] = [];
      const reader = new PayloadReader(heap);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') {
          failure ??= outcome.reason as Error;
          // A dead worker: the tasks of its batch it had not started are queued again (the
          // one it was running when it died is dropped, as a task that threw).
          if (outcome.reason instanceof WorkerExitedError) {
            const worker = outcome.reason.workerIndex;
            const { from, to, keyed } = this.#hands.waiting(worker);
            for (let i = from; i < to; i += 1) {
              const at = this.#hands.taskByte(worker, i);
              leftovers.push(decodeTask(reader, this.#hands.view, at, keyed));
            }
          }
          continue;
        }
        executed += outcome.value.executed;
        leftovers.push(...outcome.value.leftovers);
        if (outcome.value.error !== undefined) failure ??= errorFromRecord(outcome.value.error);
      }
      executedSoFar = executed;
      progress();
      if (failure === undefined) return this.#result(before, started, executed);
      // Not executed: what is left in the ring, what workers held, what was never pushed.
      ring.take(ring.slots, 1, (at) => leftovers.push(decodeTask(reader, ring.view, at, false)));
      for (const keyedRing of this.#keyedRings) {
        keyedRing.take(keyedRing.slots, 1, (at) => {
          leftovers.push(decodeTask(reader, keyedRing.view, at, true));
        });
      }
      this.#tasks = [...leftovers, ...tasks.slice(fed), ...this.#tasks];
      throw failure;
    } finally {
      for (const cell of kept) cell[Symbol.dispose]();
    }
  }

  #result(
    before: ReturnType<PoolHeap['stats']>,
    started: number,
    executed: number,
  ): TransactionQueueResult {
    const after = this.#heap.stats();
    return {
      executed,
      commits: after.commits - before.commits,
      aborts: after.aborts - before.aborts,
      timeLostMs: after.lostMs - before.lostMs + (after.waitMs - before.waitMs),
      elapsedMs: performance.now() - started,
      workers: this.#pool.size,
    };
  }
}
