/**
 * `WorkerPool`, a worker's side: attach the heap, import the pool's module, then claim batches
 * of call records from the call ring (pool-layout.ts) and run them, until the pool closes. A
 * worker blocks in `Atomics.wait` only when the ring is empty.
 *
 * Claiming: read head h and tail t; take k = a fair share of t − h (at most `callBatchMax`) with
 * one CAS of the head from h to h + k — the linearisation point of the claim. The claimed
 * records are then marked `claimed` by this worker (so that, if it dies, the pool queues them
 * again) and run one by one, each marked `running` with its start time first (timeouts).
 *
 * Between batches the worker awaits a microtask, so that the heap's reclamation sees it
 * quiescent (DESIGN.md §6) and its promise-returning calls make progress.
 */
import { nodeBuiltin } from '../platform/index.js';
import { callBatchMax, macrotaskYieldMs, workerIdleWaitMs } from './limits.js';
import {
  errorRecord,
  PayloadReader,
  writePayload,
  type AttachHeap,
  type PoolCell,
  type PoolHeap,
} from './pool-heap.js';
import { PoolLayout, recordBytes, recordField, RecordState, word } from './pool-layout.js';
import type { PoolWorkerData } from './pool.js';
import { queueRunCall, runQueueLoop, type QueueWorkerData } from './queue-worker.js';

/** What a function of the library (not of the module) gets when a call names it. */
interface InternalCall {
  readonly heap: PoolHeap;
  readonly exports: Record<string, unknown>;
  readonly data: PoolWorkerData;
}

/** Functions a pool worker runs besides the module's exports, by name (`shared-objects:…`). */
const internalFunctions = new Map<string, (call: InternalCall, ...args: unknown[]) => unknown>([
  [
    queueRunCall,
    ({ heap, exports, data }) =>
      runQueueLoop(
        { heap, exports, index: data.index, workers: data.workers },
        data.extra as QueueWorkerData,
      ),
  ],
]);

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

class PoolWorker {
  readonly #heap: PoolHeap;
  readonly #reader: PayloadReader;
  readonly #data: PoolWorkerData;
  readonly #layout: PoolLayout;
  readonly #i32: Int32Array;
  readonly #view: DataView;
  readonly #exports: Record<string, unknown>;
  /** Per record: what this worker last returned through it (kept alive until it is reused). */
  readonly #held = new Map<number, { cell: PoolCell | undefined; value: unknown }>();

  constructor(heap: PoolHeap, data: PoolWorkerData, exports: Record<string, unknown>) {
    this.#heap = heap;
    this.#reader = new PayloadReader(heap);
    this.#data = data;
    this.#layout = new PoolLayout(data.records, data.workers);
    this.#i32 = new Int32Array(data.control);
    this.#view = new DataView(data.control);
    this.#exports = exports;
  }

  async serve(): Promise<void> {
    const i32 = this.#i32;
    const { records } = this.#layout;
    const claimed: number[] = [];
    let lastMacrotask = performance.now();
    for (;;) {
      const head = Atomics.load(i32, word.queueHead);
      // ORDERING: the tail load acquires the ring slots (and records) the caller published.
      const tail = Atomics.load(i32, word.queueTail);
      const queued = (tail - head) | 0;
      if (queued > 0) {
        const k = Math.min(callBatchMax, Math.max(1, Math.floor(queued / this.#data.workers)));
        for (let i = 0; i < k; i += 1) {
          claimed[i] = i32[this.#layout.queueWord + (((head + i) >>> 0) % records)] ?? -1;
        }
        // Linearisation point of the claim. The slots read above cannot have been reused: the
        // caller reuses slot s only after `records` more enqueues, and the records claimed here
        // are not free, so that many enqueues cannot have happened.
        if (Atomics.compareExchange(i32, word.queueHead, head, (head + k) | 0) !== head) continue;
        for (let i = 0; i < k; i += 1) this.#mark(claimed[i] ?? -1, RecordState.claimed);
        for (let i = 0; i < k; i += 1) {
          const pending = this.#run(claimed[i] ?? -1);
          if (pending !== undefined) await pending;
        }
        await Promise.resolve();
        continue;
      }
      if (Atomics.load(i32, word.closing) === 1) return;
      // Back to the event loop before sleeping, now and then: finalizers and messages run.
      if (performance.now() - lastMacrotask >= macrotaskYieldMs) {
        await new Promise((resolve) => setImmediate(resolve));
        lastMacrotask = performance.now();
        continue;
      }
      Atomics.add(i32, word.sleepers, 1);
      // ORDERING: sleepers is raised before the tail is compared by the wait; the caller stores
      // the tail and then reads sleepers, so one of the two sees the other.
      Atomics.wait(i32, word.queueTail, tail, workerIdleWaitMs);
      Atomics.sub(i32, word.sleepers, 1);
    }
  }

  #mark(record: number, state: RecordState): void {
    const at = this.#layout.recordByte(record);
    this.#view.setInt32(at + recordField.worker, this.#data.index, true);
    if (state === RecordState.running) {
      this.#view.setFloat64(at + recordField.startedAt, Date.now(), true);
    }
    // ORDERING: publishes worker and startedAt to the caller (timeouts, recovery).
    Atomics.store(this.#i32, this.#layout.stateWord(record), state);
  }

  /** Runs one call; returns a promise only when the function returned one. */
  #run(record: number): Promise<void> | undefined {
    this.#held.delete(record);
    this.#mark(record, RecordState.running);
    const at = this.#layout.recordByte(record);
    let result: unknown;
    try {
      const { name, rest } = this.#reader.readJoined(this.#view, at + recordField.payload, false);
      result = this.#invoke(name, rest);
    } catch (error) {
      this.#done(record, RecordState.doneError, errorRecord(error));
      return undefined;
    }
    if (!isThenable(result)) {
      this.#done(record, RecordState.doneOk, result);
      return undefined;
    }
    return Promise.resolve(result).then(
      (value) => {
        this.#done(record, RecordState.doneOk, value);
      },
      (error: unknown) => {
        this.#done(record, RecordState.doneError, errorRecord(error));
      },
    );
  }

  #invoke(name: string, args: unknown[]): unknown {
    const internal = internalFunctions.get(name);
    if (internal !== undefined) {
      return internal({ heap: this.#heap, exports: this.#exports, data: this.#data }, ...args);
    }
    const fn = this.#exports[name];
    if (typeof fn !== 'function') {
      throw new TypeError(`pool call: the module ${this.#data.module} exports no function ${name}`);
    }
    return Reflect.apply(fn, undefined, args);
  }

  #done(record: number, state: RecordState, value: unknown): void {
    const at = this.#layout.recordByte(record);
    let cell: PoolCell | undefined;
    try {
      cell = writePayload(
        this.#heap,
        this.#view,
        at + recordField.payload,
        at + recordBytes,
        value,
      );
    } catch (error) {
      state = RecordState.doneError;
      cell = writePayload(
        this.#heap,
        this.#view,
        at + recordField.payload,
        at + recordBytes,
        errorRecord(error),
      );
    }
    // The result's shared objects stay alive until this record is reused (the caller opened
    // them by then).
    this.#held.set(record, { cell, value });
    const i32 = this.#i32;
    Atomics.store(i32, this.#layout.stateWord(record), state);
    const tailWord = this.#layout.doneTailWord(this.#data.index);
    const tail = Atomics.load(i32, tailWord);
    i32[tailWord + 1 + ((tail >>> 0) % this.#layout.records)] = record;
    // ORDERING: publishes the done-ring slot and the record to the caller; then the signal.
    Atomics.store(i32, tailWord, (tail + 1) | 0);
    Atomics.add(i32, word.doneSignal, 1);
    // One notify per sleep of the caller: the first worker to find it asleep clears the flag.
    if (
      Atomics.load(i32, word.callerWaits) === 1 &&
      Atomics.exchange(i32, word.callerWaits, 0) === 1
    ) {
      Atomics.notify(i32, word.doneSignal);
    }
  }

  close(): void {
    for (const { cell } of this.#held.values()) cell?.[Symbol.dispose]();
    this.#held.clear();
    this.#heap.close();
  }
}

/** The body of a pool worker (api/pool-worker.ts calls it with `Heap.attach`). */
export async function servePool(attach: AttachHeap): Promise<void> {
  const threads = nodeBuiltin('node:worker_threads');
  const data = threads.workerData as PoolWorkerData;
  const port = threads.parentPort;
  if (port === null) throw new Error('servePool: not in a worker thread');
  let worker: PoolWorker;
  try {
    const heap = attach(data.heap);
    const exports = (await import(data.module)) as Record<string, unknown>;
    worker = new PoolWorker(heap, data, exports);
  } catch (error) {
    port.postMessage({ startupError: errorRecord(error) });
    throw error;
  }
  port.postMessage({ ready: true });
  await worker.serve();
  worker.close();
  port.close();
}
