/**
 * `WorkerPool`, the caller's side: worker threads attached to the heap, watched (a worker that
 * exits is recovered by the heap and replaced), running calls of functions a module exports.
 *
 * A call is a record in the pool's control memory (pool-layout.ts), not a message: the caller
 * writes the function's name and the arguments into a free record (payload-codec.ts; shared
 * objects by reference), marks it queued and appends its index to the call ring; a worker claims
 * a batch of indexes with one CAS on the ring's head, runs them, writes each result or error into
 * its record and appends the index to its own done ring. The caller sleeps on `doneSignal` with
 * `Atomics.waitAsync` only when it has nothing to read, and workers notify only when it sleeps.
 *
 * A worker that exits (crash, `process.exit`, terminated for a timeout) fails the call it was
 * running with `WorkerExitedError` (or `CallTimeoutError`); the calls it had claimed and not
 * started are queued again — they never ran, so no call is lost or run twice.
 */
import type { Worker } from 'node:worker_threads';
import { ClosedError } from '../base/index.js';
import { nodeBuiltin, sleepWhileEqualAsync } from '../platform/index.js';
import { callerWaitMsMax, poolRecordsDefault, timeoutCheckMs } from './limits.js';
import {
  errorFromRecord,
  PayloadReader,
  writeJoinedPayload,
  type ErrorRecord,
  type PoolCell,
  type PoolHeap,
} from './pool-heap.js';
import { PoolLayout, recordBytes, recordField, RecordState, word } from './pool-layout.js';

export interface WorkerPoolOptions {
  /** The module every worker imports; calls name its exports. A path or a URL. */
  readonly module: string | URL;
  /** Worker threads. Default: the machine's available parallelism. */
  readonly workers?: number;
  /** A call running longer is failed with CallTimeoutError and its worker replaced. */
  readonly timeoutMs?: number;
  /** Start a new worker when one exits while the pool is open. Default true. */
  readonly replaceWorkers?: boolean;
  /** Call records: calls in flight at once; more wait in this thread. Default 4096. */
  readonly records?: number;
}

/** Internal options: what the layers above (TransactionQueue) hand the workers. */
export interface PoolInternals {
  /** The worker bootstrap script (api/pool-worker): it attaches the heap and serves calls. */
  readonly bootstrap: URL;
  /** Extra data every worker receives (e.g. a queue's control memory). */
  readonly extra?: unknown;
}

/** A call's worker exited (crash, `process.exit`, terminated) while it ran the call. */
export class WorkerExitedError extends Error {
  readonly code = 'WORKER_EXITED';
  /** The pool's index of the worker that exited. */
  readonly workerIndex: number;
  constructor(message: string, workerIndex: number) {
    super(message);
    this.name = 'WorkerExitedError';
    this.workerIndex = workerIndex;
  }
}

/** A call ran past its timeout: its worker was terminated (and replaced). */
export class CallTimeoutError extends Error {
  readonly code = 'CALL_TIMEOUT';
  constructor(message: string) {
    super(message);
    this.name = 'CallTimeoutError';
  }
}

/** What `pool.stats()` reports. */
export interface PoolStats {
  readonly calls: number;
  readonly workersStarted: number;
  readonly workersExited: number;
  readonly requeued: number;
}

interface PendingCall {
  readonly name: string;
  readonly args: readonly unknown[];
  readonly timeoutMs: number;
  resolve(value: unknown): void;
  reject(error: Error): void;
  /** The heap cell holding arguments too big for the record, kept alive until the call ends. */
  cell: PoolCell | undefined;
  /** Set when the caller failed the call itself (timeout): its result is ignored. */
  settled: boolean;
}

interface WorkerEntry {
  readonly worker: Worker;
  readonly index: number;
  ready: boolean;
  /** Why this worker is being terminated by the pool, if it is. */
  terminating: Error | undefined;
}

/** Records a worker reads: what is in `workerData`. */
export interface PoolWorkerData {
  readonly heap: PoolHeap['handle'];
  readonly control: SharedArrayBuffer;
  readonly records: number;
  readonly workers: number;
  readonly index: number;
  readonly module: string;
  readonly extra: unknown;
}

function moduleHref(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (/^(file|data|node):/.test(module)) return module;
  return nodeBuiltin('node:url').pathToFileURL(nodeBuiltin('node:path').resolve(module)).href;
}

export class WorkerPoolCore {
  readonly #heap: PoolHeap;
  readonly #reader: PayloadReader;
  readonly #layout: PoolLayout;
  readonly #control: SharedArrayBuffer;
  readonly #i32: Int32Array;
  readonly #view: DataView;
  readonly #options: WorkerPoolOptions;
  readonly #internals: PoolInternals;
  readonly #module: string;
  /** Per record: the call it carries, if any; `#inFlight` of them are set. */
  readonly #pending: (PendingCall | undefined)[];
  #inFlight = 0;
  /** Calls waiting for a free record. */
  #backlog: PendingCall[] = [];
  /** The first call of `#backlog` not yet submitted (a queue without O(n) shifts). */
  #backlogHead = 0;
  readonly #freeRecords: number[] = [];
  readonly #workers: (WorkerEntry | undefined)[];
  /** Per worker index: how far the caller has read its done ring. */
  readonly #doneHeads: number[];
  readonly #exits = new Set<Promise<void>>();
  #pumping = false;
  #wakeScheduled = false;
  #closing = false;
  #closed = false;
  #startupError: Error | undefined;
  #stats = { calls: 0, workersStarted: 0, workersExited: 0, requeued: 0 };
  #idle: (() => void) | undefined;
  /** Calls in flight that have a timeout (the pump then checks timeouts often). */
  #timedCalls = 0;

  constructor(heap: PoolHeap, options: WorkerPoolOptions, internals: PoolInternals) {
    const workers = options.workers ?? nodeBuiltin('node:os').availableParallelism();
    const records = options.records ?? poolRecordsDefault;
    if (!Number.isInteger(workers) || workers < 1 || workers > 255) {
      throw new RangeError(`workers must be an integer from 1 to 255 (got ${String(workers)})`);
    }
    if (!Number.isInteger(records) || records < 1 || records > 2 ** 20) {
      throw new RangeError(`records must be an integer from 1 to 2^20 (got ${String(records)})`);
    }
    this.#heap = heap;
    this.#reader = new PayloadReader(heap);
    this.#options = options;
    this.#internals = internals;
    this.#module = moduleHref(options.module);
    this.#layout = new PoolLayout(records, workers);
    this.#control = new SharedArrayBuffer(this.#layout.totalBytes);
    this.#i32 = new Int32Array(this.#control);
    this.#view = new DataView(this.#control);
    for (let record = records - 1; record >= 0; record -= 1) this.#freeRecords.push(record);
    this.#pending = new Array<PendingCall | undefined>(records).fill(undefined);
    this.#workers = new Array<WorkerEntry | undefined>(workers).fill(undefined);
    this.#doneHeads = new Array<number>(workers).fill(0);
    for (let index = 0; index < workers; index += 1) this.#start(index);
  }

  /** Worker threads of the pool. */
  get size(): number {
    return this.#layout.workers;
  }

  stats(): PoolStats {
    return { ...this.#stats };
  }

  /**
   * Calls the function `name` exported by the pool's module in some worker, with `args`
   * (shareable values; shared objects by reference). Resolves with its result (awaited if a
   * promise); rejects with its error (type, message and worker stack kept).
   */
  call<T = unknown>(name: string, ...args: unknown[]): Promise<T> {
    return this.callWithTimeout<T>(this.#options.timeoutMs ?? 0, name, ...args);
  }

  /** `call` with its own timeout in milliseconds (0: none). */
  callWithTimeout<T = unknown>(timeoutMs: number, name: string, ...args: unknown[]): Promise<T> {
    if (this.#closing) return Promise.reject(new ClosedError('pool.call: the pool is closed'));
    if (this.#startupError !== undefined) return Promise.reject(this.#startupError);
    return new Promise<T>((resolve, reject) => {
      const call: PendingCall = {
        name,
        args,
        timeoutMs,
        resolve: resolve,
        reject,
        cell: undefined,
        settled: false,
      };
      this.#stats.calls += 1;
      const record = this.#freeRecords.pop();
      if (record === undefined) this.#backlog.push(call);
      else this.#submit(record, call);
      this.#pump();
    });
  }

  /**
   * Waits for every call made so far, then stops the workers: each leaves the heap (its share of
   * the heap is freed). Later calls reject with ClosedError.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closing = true;
    if (this.#inFlight > 0 || this.#backlogHead < this.#backlog.length) {
      await new Promise<void>((resolve) => {
        this.#idle = resolve;
      });
    }
    this.#closed = true;
    // ORDERING: workers read `closing` each time they find the ring empty, and the notify wakes
    // the ones asleep on the tail.
    Atomics.store(this.#i32, word.closing, 1);
    Atomics.notify(this.#i32, word.queueTail);
    await Promise.all([...this.#exits]);
  }

  #submit(record: number, call: PendingCall): void {
    const { payload } = recordField;
    const at = this.#layout.recordByte(record);
    try {
      call.cell = writeJoinedPayload(
        this.#heap,
        this.#view,
        at + payload,
        at + recordBytes,
        call.name,
        undefined,
        call.args,
      );
    } catch (error) {
      this.#freeRecords.push(record);
      call.reject(error as Error);
      return;
    }
    this.#pending[record] = call;
    this.#inFlight += 1;
    if (call.timeoutMs > 0) this.#timedCalls += 1;
    this.#enqueue(record);
  }

  #enqueue(record: number): void {
    const i32 = this.#i32;
    Atomics.store(i32, this.#layout.stateWord(record), RecordState.queued);
    const tail = Atomics.load(i32, word.queueTail);
    i32[this.#layout.queueWord + ((tail >>> 0) % this.#layout.records)] = record;
    // ORDERING: publishes the ring slot (and the record's payload and state before it) to
    // workers, which load the tail before reading slots. Linearisation point of the enqueue.
    Atomics.store(i32, word.queueTail, (tail + 1) | 0);
    this.#wakeSoon();
  }

  /**
   * Wakes sleeping workers once after the calls made in this turn of the event loop, not once
   * per call (a notify is a system call). ORDERING: a worker raises `sleepers` before its wait
   * compares the tail; the tail was stored before this load of `sleepers`.
   */
  #wakeSoon(): void {
    if (this.#wakeScheduled) return;
    this.#wakeScheduled = true;
    queueMicrotask(() => {
      this.#wakeScheduled = false;
      const i32 = this.#i32;
      const sleepers = Atomics.load(i32, word.sleepers);
      if (sleepers > 0) Atomics.notify(i32, word.queueTail, sleepers);
    });
  }

  /** Reads every finished record; returns how many. */
  #drain(): number {
    const i32 = this.#i32;
    const { records } = this.#layout;
    let finished = 0;
    for (let worker = 0; worker < this.#layout.workers; worker += 1) {
      const tailWord = this.#layout.doneTailWord(worker);
      // ORDERING: the worker stored the ring slot and its record before this tail.
      const tail = Atomics.load(i32, tailWord);
      let head = this.#doneHeads[worker] ?? 0;
      while (head !== tail) {
        const record = i32[tailWord + 1 + ((head >>> 0) % records)] ?? -1;
        head = (head + 1) | 0;
        this.#finish(record);
        finished += 1;
      }
      this.#doneHeads[worker] = head;
    }
    return finished;
  }

  #finish(record: number): void {
    const call = this.#pending[record];
    const at = this.#layout.recordByte(record);
    const state = Atomics.load(this.#i32, this.#layout.stateWord(record)) as RecordState;
    if (call !== undefined && !call.settled) {
      call.settled = true;
      try {
        const value = this.#reader.read(this.#view, at + recordField.payload);
        if (state === RecordState.doneOk) call.resolve(value);
        else call.reject(errorFromRecord(value as ErrorRecord));
      } catch (error) {
        call.reject(error as Error);
      }
    }
    this.#release(record);
  }

  #release(record: number): void {
    const call = this.#pending[record];
    if (call?.cell !== undefined) call.cell[Symbol.dispose]();
    if (call !== undefined && call.timeoutMs > 0) this.#timedCalls -= 1;
    if (call !== undefined) {
      this.#pending[record] = undefined;
      this.#inFlight -= 1;
    }
    Atomics.store(this.#i32, this.#layout.stateWord(record), RecordState.free);
    const next = this.#backlog[this.#backlogHead];
    if (next === undefined) {
      this.#freeRecords.push(record);
      return;
    }
    this.#backlogHead += 1;
    if (this.#backlogHead === this.#backlog.length) {
      this.#backlog = [];
      this.#backlogHead = 0;
    }
    this.#submit(record, next);
  }

  /** Reads results while calls are in flight; sleeps with Atomics.waitAsync in between. */
  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    void this.#pumpLoop();
  }

  async #pumpLoop(): Promise<void> {
    const i32 = this.#i32;
    let checkedAt = performance.now();
    while (this.#inFlight > 0) {
      // Timeouts are checked whether or not results flow meanwhile.
      if (this.#timedCalls > 0 && performance.now() - checkedAt >= timeoutCheckMs) {
        checkedAt = performance.now();
        this.#checkTimeouts();
      }
      if (this.#drain() > 0) {
        // Let the callers' continuations run (they may call again) before the next look.
        await Promise.resolve();
        continue;
      }
      Atomics.store(i32, word.callerWaits, 1);
      // ORDERING: callerWaits is set before the signal is read and the rings looked at again; a
      // worker adds to the signal after its done-ring store and notifies if callerWaits is set,
      // so a result published after this look changes the signal and wakes the wait.
      const signal = Atomics.load(i32, word.doneSignal);
      if (this.#drain() === 0 && this.#inFlight > 0) {
        const waitMs = this.#timedCalls > 0 ? timeoutCheckMs : callerWaitMsMax;
        await sleepWhileEqualAsync(i32, word.doneSignal, signal, waitMs);
      }
      Atomics.store(i32, word.callerWaits, 0);
    }
    this.#pumping = false;
    if (this.#backlogHead === this.#backlog.length && this.#idle !== undefined) {
      const idle = this.#idle;
      this.#idle = undefined;
      idle();
    }
  }

  #checkTimeouts(): void {
    const now = Date.now();
    for (const [record, call] of this.#pending.entries()) {
      if (call === undefined || call.timeoutMs <= 0 || call.settled) continue;
      const at = this.#layout.recordByte(record);
      if (Atomics.load(this.#i32, this.#layout.stateWord(record)) !== RecordState.running) continue;
      const startedAt = this.#view.getFloat64(at + recordField.startedAt, true);
      if (now - startedAt <= call.timeoutMs) continue;
      const index = this.#view.getInt32(at + recordField.worker, true);
      const entry = this.#workers[index];
      const error = new CallTimeoutError(
        `pool call ${call.name} ran past its timeout of ${String(call.timeoutMs)} ms; ` +
          `its worker (index ${String(index)}) was terminated`,
      );
      call.settled = true;
      call.reject(error);
      if (entry !== undefined && entry.terminating === undefined) {
        entry.terminating = error;
        void entry.worker.terminate();
      }
    }
  }

  #start(index: number): void {
    const data: PoolWorkerData = {
      heap: this.#heap.handle,
      control: this.#control,
      records: this.#layout.records,
      workers: this.#layout.workers,
      index,
      module: this.#module,
      extra: this.#internals.extra,
    };
    const { Worker } = nodeBuiltin('node:worker_threads');
    const worker = new Worker(this.#internals.bootstrap, { workerData: data });
    // The heap recovers the worker's share (slot, pins, retired blocks) when it exits: listen
    // first, so recovery runs before this pool looks at the worker's records.
    this.#heap.watch(worker);
    const entry: WorkerEntry = { worker, index, ready: false, terminating: undefined };
    this.#workers[index] = entry;
    this.#stats.workersStarted += 1;
    let startupError: Error | undefined;
    worker.on('message', (message: { ready?: true; startupError?: ErrorRecord }) => {
      if (message.ready === true) entry.ready = true;
      if (message.startupError !== undefined) startupError = errorFromRecord(message.startupError);
    });
    worker.on('error', (error) => {
      if (!entry.ready) startupError ??= error;
    });
    const exited = new Promise<void>((resolve) => {
      worker.once('exit', (exitCode) => {
        this.#exited(entry, exitCode, startupError);
        resolve();
      });
    });
    this.#exits.add(exited);
    void exited.then(() => this.#exits.delete(exited));
  }

  #exited(entry: WorkerEntry, exitCode: number, startupError: Error | undefined): void {
    this.#stats.workersExited += 1;
    this.#workers[entry.index] = undefined;
    if (this.#closed) return;
    // Results it published before it died are good: read them first.
    this.#drain();
    const i32 = this.#i32;
    for (const [record, call] of this.#pending.entries()) {
      if (call === undefined) continue;
      const at = this.#layout.recordByte(record);
      if (this.#view.getInt32(at + recordField.worker, true) !== entry.index) continue;
      const state = Atomics.load(i32, this.#layout.stateWord(record)) as RecordState;
      if (state === RecordState.claimed) {
        // Never started: queue it again for another worker.
        this.#stats.requeued += 1;
        this.#enqueue(record);
      } else if (state === RecordState.running) {
        if (!call.settled) {
          call.settled = true;
          call.reject(
            new WorkerExitedError(
              `pool call ${call.name}: its worker (index ${String(entry.index)}) exited with ` +
                `code ${String(exitCode)} while running it`,
              entry.index,
            ),
          );
        }
        this.#release(record);
      } else if (state === RecordState.doneOk || state === RecordState.doneError) {
        // Finished, but it died before it appended the record to its done ring: the payload
        // was complete when the state was stored, so the result stands.
        this.#finish(record);
      }
    }
    if (!entry.ready && startupError !== undefined) {
      // The module does not load: replacing the worker would fail the same way.
      this.#startupError = startupError;
      if (this.#workers.every((other) => other === undefined)) this.#failAll(startupError);
      return;
    }
    if (this.#options.replaceWorkers ?? true) this.#start(entry.index);
    this.#pump();
  }

  #failAll(error: Error): void {
    const backlog = this.#backlog.slice(this.#backlogHead);
    this.#backlog = [];
    this.#backlogHead = 0;
    for (const call of backlog) call.reject(error);
    for (const [record, call] of this.#pending.entries()) {
      if (call === undefined) continue;
      if (!call.settled) call.reject(error);
      call.settled = true;
      this.#release(record);
    }
  }
}
