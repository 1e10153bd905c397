/**
 * `Heap`: the public face of one shared heap in one worker (API.md). It composes the layers below:
 * memory (the buffer), reclaim (the worker slot), alloc, values and stm (cells). A `Heap` object is
 * local to a worker; `heap.handle` is what crosses to other workers, where `Heap.attach` makes
 * another `Heap` object over the same memory.
 */
import { allocatorUsage, formatAllocatorRegions, isHandleShaped } from '../alloc/index.js';
import { limits, StaleHandleError, TransactionStateError, type Handle } from '../base/index.js';
import { headerWord, headerWord64, HeapMemory } from '../memory/index.js';
import { slotField } from '../reclaim/index.js';
import {
  channelKind,
  createChannel,
  type ChannelOptions,
  type SharedChannel,
} from '../channels/index.js';
import {
  collectionKinds,
  createArray,
  createCounter,
  createMap,
  createObject,
  createSet,
  registerClass,
  sharedFrom,
  type RegistrableClass,
  type Shared,
  type SharedArray,
  type SharedCounter,
  type SharedFields,
  type SharedMap,
  type SharedSet,
} from '../collections/index.js';
import {
  createCell,
  HeapContext,
  ReferenceDied,
  scanReachability,
  type ReachabilityReport,
  type SharedCell,
  type TxLimits,
} from '../objects/index.js';
import {
  atomicallyAsyncOn,
  atomicallyOn,
  readStats,
  transactionEngine,
  type ConflictEvent,
  type TxStats,
} from '../stm/index.js';
import type { SharedRef } from '../values/index.js';
import {
  HeapRecording,
  reportWithoutLog,
  type ConflictLogSetting,
  type ConflictReport,
} from '../diagnostics/index.js';
import { environmentVariable } from '../platform/index.js';

/** Structured-cloneable: send it to a worker (`workerData`, `postMessage`) and `Heap.attach` it. */
export interface HeapHandle {
  readonly kind: 'shared-objects/heap';
  readonly buffer: SharedArrayBuffer;
  /** The conflict log every worker that attaches records into (`HeapOptions.conflictLog`). */
  readonly conflictLog?: string | true;
}

export interface HeapOptions {
  /** Bytes to reserve (not commit): pages become resident only when used. Default 1 GiB. */
  readonly maxBytes?: number;
  /**
   * How long a worker may stay inside the library without reaching a quiescent point before the
   * others stop waiting for it to free memory (it is neutralised and redoes its operation).
   * Default 1000 ms.
   */
  readonly reclaimStallMs?: number;
  /**
   * Cells one transaction of this worker may write (or lock), and read; past them the
   * transaction throws LimitExceededError and commits nothing. Defaults 2^20 and 2^22, which are
   * also the largest accepted. Per worker: `Heap.attach` takes them too.
   */
  readonly txWriteSetMax?: number;
  readonly txReadSetMax?: number;
  /**
   * Records the conflict log (decision 0016): a file path, which this heap empties and every
   * worker attached to it appends to (read it with `shared-objects report <file>`), or `true`
   * for records kept in each thread's memory (`heap.conflicts()` only). Default: the
   * environment variable `SHARED_OBJECTS_LOG`, else off.
   */
  readonly conflictLog?: string | true;
}

/** The options `Heap.attach` takes: the per-worker ones. */
export type AttachOptions = Pick<HeapOptions, 'txWriteSetMax' | 'txReadSetMax'>;

function txLimitsOf(options: AttachOptions): TxLimits {
  return {
    txWriteSetMax: limitOption('txWriteSetMax', options.txWriteSetMax, limits.txWriteSetMax),
    txReadSetMax: limitOption('txReadSetMax', options.txReadSetMax, limits.txReadSetMax),
  };
}

function limitOption(name: string, value: number | undefined, max: number): number {
  if (value === undefined) return max;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new RangeError(
      `${name} must be an integer from 1 to ${String(max)} (got ${String(value)})`,
    );
  }
  return value;
}

/** What `heap.watch` needs of a worker: Node's `Worker` has it. */
export interface WatchableWorker {
  readonly threadId: number;
  once(event: 'exit', listener: (exitCode: number) => void): unknown;
}

export interface RetiredByWorker {
  readonly slot: number;
  readonly retiredBytes: number;
}

export interface MemoryUsage {
  /** Size of the reservation (the `SharedArrayBuffer`). */
  readonly reservedBytes: number;
  /** Bytes ever touched: metadata plus superblocks up to the highest one used. */
  readonly committedBytes: number;
  /** Bytes of live blocks, headers and size-class rounding included. */
  readonly usedBytes: number;
  /** Bytes of superblocks in use (small-block superblocks and large runs). */
  readonly superblockBytes: number;
  /** Bytes this worker retired that are not freed yet (waiting for other workers to move on). */
  readonly retiredBytes: number;
  /** The same, for every attached worker (bags adopted from departed workers not included). */
  readonly retiredByWorker: readonly RetiredByWorker[];
  /** The current reclamation epoch. */
  readonly epoch: number;
  /** The oldest epoch an online worker has observed, and which slot holds it (-1: none). */
  readonly oldestObservedEpoch: number;
  readonly oldestObservedSlot: number;
  /** Workers attached to the heap now. */
  readonly attachedWorkers: number;
  /**
   * Only with `{ unreachable: true }` (a full scan of the heap: `heap.leakReport()`): shared
   * objects no worker can reach any more (cycles, which reference counting never frees, and what
   * hangs off them), and the bytes they hold.
   */
  readonly unreachableObjects?: number;
  readonly unreachableBytes?: number;
}

export interface MemoryUsageOptions {
  /**
   * Also scan the heap for unreachable shared objects (`unreachableObjects`, `unreachableBytes`).
   * Off by default: the scan walks every live block and traces every reachable object, about
   * 2 µs per object (~200 ms for 100 000; bench/leak-scan.ts), where the rest of `memoryUsage`
   * reads only the allocator's descriptors (~0.1 ms).
   */
  readonly unreachable?: boolean;
}

/** What `heap.leakReport()` found (a diagnostic: nothing is freed). */
export interface LeakReport {
  /** Live shared objects in the heap (cells, maps, sets, counters, arrays, objects, shapes). */
  readonly objects: number;
  /** Those no worker can reach: neither from `heap.root` nor from any worker's wrapper. */
  readonly unreachableObjects: number;
  /** The bytes reference counting would free with them: their blocks and their values' blocks. */
  readonly unreachableBytes: number;
  /**
   * References to them: `heap.open` makes one reachable again (its count is not 0), so that the
   * cycle can be broken and the objects freed.
   */
  readonly unreachable: readonly SharedRef[];
}

function unreachableFigures(
  report: ReachabilityReport,
): Pick<MemoryUsage, 'unreachableObjects' | 'unreachableBytes'> {
  return {
    unreachableObjects: report.unreachableObjects,
    unreachableBytes: report.unreachableBytes,
  };
}

/** Every kind of shared object a heap holds: the collections' and the channel. */
const heapKinds = collectionKinds.with(channelKind);

export class Heap {
  readonly #context: HeapContext;
  /** This worker's wrapper of `heap.root`, made on first use. */
  #root: SharedMap<string> | undefined;

  /** This thread's conflict log, when the heap records (decision 0016). */
  readonly #recording: HeapRecording | undefined;
  readonly #conflictLog: ConflictLogSetting | undefined;

  private constructor(
    memory: HeapMemory,
    txLimits: TxLimits,
    conflictLog: ConflictLogSetting | undefined,
    startsLog: boolean,
  ) {
    this.#context = new HeapContext(memory, heapKinds, txLimits);
    this.#conflictLog = conflictLog;
    if (conflictLog !== undefined) {
      this.#recording = new HeapRecording(this.#context.engine, conflictLog, startsLog);
    }
  }

  /** A new heap. `maxBytes` is a reservation: memory is committed as it is used. */
  static create(options: HeapOptions = {}): Heap {
    const txLimits = txLimitsOf(options);
    const memory = HeapMemory.create(
      options.maxBytes ?? limits.heapBytesDefault,
      options.reclaimStallMs ?? limits.reclaimStallMsDefault,
    );
    formatAllocatorRegions(memory);
    const heap = new Heap(
      memory,
      txLimits,
      options.conflictLog ?? environmentVariable('SHARED_OBJECTS_LOG'),
      true,
    );
    // The root map exists from the start, so no two workers can race to make it. The header's
    // reference keeps it alive as long as the heap (its count never goes below 1).
    const root = createMap<string, unknown>(heap.#context);
    heap.#context.lifetime.retain(root.handle);
    Atomics.store(memory.b64, headerWord64.rootMap, BigInt(root.handle));
    heap.#root = root;
    // Holds nothing now: do not hold reclamation back until this macrotask ends.
    heap.#context.reclaim.quiesce();
    return heap;
  }

  /** The same heap, in this worker. Throws HeapLayoutError for memory that is not a heap. */
  static attach(handle: HeapHandle, options: AttachOptions = {}): Heap {
    const txLimits = txLimitsOf(options);
    return new Heap(HeapMemory.attach(handle.buffer), txLimits, handle.conflictLog, false);
  }

  get handle(): HeapHandle {
    const buffer = this.#context.memory.buffer;
    return this.#conflictLog === undefined
      ? { kind: 'shared-objects/heap', buffer }
      : { kind: 'shared-objects/heap', buffer, conflictLog: this.#conflictLog };
  }

  /** This worker leaves the heap; later use of the heap or its objects throws ClosedError. */
  close(): void {
    if (!this.#context.closed) this.#recording?.close(this.#context.engine);
    this.#context.close();
  }

  /**
   * What this thread is doing, named in its conflict records and reports (a `TransactionQueue`
   * sets its task's name while the task runs). Free text; undefined for nothing in particular.
   */
  get activity(): string | undefined {
    return this.#context.engine.label;
  }

  set activity(label: string | undefined) {
    this.#context.engine.label = label;
  }

  /**
   * The conflict report, live: top conflicts by time lost (kinds, places and keys, both sides'
   * sites, suggested fixes), and each worker's time committed, aborted and waiting. With a log
   * file, every worker's records so far (dead workers' included); with `conflictLog: true`,
   * this thread's. Recording off: the workers' totals from `heap.stats()`, and no conflicts.
   */
  conflicts(): ConflictReport {
    this.#context.checkOpen('heap.conflicts');
    return this.#recording?.report() ?? reportWithoutLog(this.stats());
  }

  get closed(): boolean {
    return this.#context.closed;
  }

  memoryUsage(options: MemoryUsageOptions = {}): MemoryUsage {
    this.#context.checkOpen('heap.memoryUsage');
    const context = this.#context;
    const usage = allocatorUsage(context.memory);
    const { registry, memory } = context;
    const retiredByWorker: RetiredByWorker[] = [];
    for (let slot = 0; slot < limits.workerSlotsMax; slot += 1) {
      if (registry.heldSlotAt(slot) === undefined) continue;
      const retiredBytes = memory.i32[registry.word(slot, slotField.retiredBytes)] ?? 0;
      retiredByWorker.push({ slot, retiredBytes });
    }
    const oldest = context.reclaim.oldestObserved();
    return {
      reservedBytes: memory.buffer.byteLength,
      committedBytes: usage.committedBytes,
      usedBytes: usage.usedBytes,
      superblockBytes: usage.superblockBytes,
      retiredBytes: memory.i32[registry.word(context.slot.index, slotField.retiredBytes)] ?? 0,
      retiredByWorker,
      epoch: Atomics.load(memory.i32, headerWord.reclaimEpoch),
      oldestObservedEpoch: oldest.epoch,
      oldestObservedSlot: oldest.slot,
      attachedWorkers: registry.heldCount(),
      ...(options.unreachable === true ? unreachableFigures(scanReachability(context)) : {}),
    };
  }

  /**
   * The shared objects no worker can reach any more — neither from `heap.root` nor from any
   * worker's wrapper — and the bytes they hold: cycles reference counting never frees, and what
   * hangs off them (ARCHITECTURE.md, "Cycles"). A full scan of the heap; frees nothing. Exact
   * when no other worker is changing the heap, else it may count as unreachable objects that
   * moved during the scan.
   */
  leakReport(): LeakReport {
    this.#context.checkOpen('heap.leakReport');
    const context = this.#context;
    const report = scanReachability(context);
    return {
      objects: report.objects,
      unreachableObjects: report.unreachableObjects,
      unreachableBytes: report.unreachableBytes,
      unreachable: report.unreachable.map(({ handle, tag }) => ({
        kind: 'shared-objects/ref',
        heapId: context.heapId,
        handle,
        tag,
      })),
    };
  }

  /**
   * Frees now every retired block no worker can still be reading (it also happens on its own as
   * values are replaced). Returns the bytes freed.
   */
  reclaim(): number {
    this.#context.checkOpen('heap.reclaim');
    return this.#context.reclaim.reclaimNow();
  }

  /**
   * Lets this thread recover `worker`'s share of the heap when it exits for any reason
   * (`terminate()`, `process.exit`, an uncaught exception): its slot, its pin, its retired blocks
   * and its allocator's superblocks. Call it right after starting the worker.
   */
  watch(worker: WatchableWorker): void {
    this.#context.checkOpen('heap.watch');
    const { threadId } = worker;
    const context = this.#context;
    worker.once('exit', () => {
      if (!context.closed) context.recoverThread(threadId);
    });
  }

  /**
   * Runs `fn` as one transaction on this heap (see `atomically`): it appears to run alone, at one
   * moment between call and return. Nested calls join the enclosing transaction.
   */
  atomically<T>(fn: () => T): T {
    this.#context.checkOpen('heap.atomically');
    return atomicallyOn(this.#context.engine, fn);
  }

  /**
   * Inside a transaction on this heap: runs `action` if the running attempt aborts, or if the
   * nested `atomically` or `orElse` branch it was called in is rolled back — to undo a side
   * effect outside the heap that the transaction made (a buffered message, a local cache
   * entry). A committed transaction never runs it. Outside a transaction: TransactionStateError.
   */
  onAbort(action: () => void): void {
    this.#context.checkOpen('heap.onAbort');
    const engine = transactionEngine(this.#context.engine);
    if (engine === undefined) {
      throw new TransactionStateError(
        'NOT_IN_TRANSACTION',
        'heap.onAbort: called outside a transaction',
      );
    }
    engine.onAbort(action);
  }

  /**
   * `atomically` on this heap for a thread that must keep serving its event loop: every wait of
   * the transaction (retry, a lock held by another worker, the inevitability token) goes through
   * `Atomics.waitAsync`. `fn` stays synchronous.
   */
  atomicallyAsync<T>(fn: () => T): Promise<T> {
    this.#context.checkOpen('heap.atomicallyAsync');
    return atomicallyAsyncOn(this.#context.engine, fn);
  }

  /**
   * Transaction statistics of every worker of this heap since it was created: commits, aborts by
   * kind, waits, time lost in aborted attempts and in waits, and the same per worker slot.
   */
  stats(): TxStats {
    this.#context.checkOpen('heap.stats');
    return readStats(this.#context.memory);
  }

  /**
   * Calls `hook` with every conflict of this worker's transactions on this heap (each abort and
   * each wait, with its kind, cell and time lost), or stops when given undefined. The hook runs
   * inside the library: keep it short, and do not touch shared objects from it.
   */
  onConflict(hook: ((event: ConflictEvent) => void) | undefined): void {
    this.#context.checkOpen('heap.onConflict');
    this.#context.engine.onConflict = hook;
  }

  /** A new shared cell holding `initial`. */
  cell<T>(initial: T): SharedCell<T> {
    return createCell(this.#context, initial);
  }

  /**
   * A new shared map (a `Map` in shared memory, with per-key conflicts) holding `entries`.
   * Keys: primitives and shared objects; values: anything a cell can hold.
   */
  map<K, V>(entries?: Iterable<readonly [K, V]>): SharedMap<K, V> {
    return createMap(this.#context, entries);
  }

  /**
   * The heap's root map: the same `SharedMap` in every worker attached to the heap, so workers
   * find shared objects by name (`heap.root.set('accounts', map)`) instead of passing refs around.
   */
  get root(): SharedMap<string> {
    this.#context.checkOpen('heap.root');
    if (this.#root === undefined) {
      const handle = Number(Atomics.load(this.#context.memory.b64, headerWord64.rootMap)) as Handle;
      this.#root = this.#context.openWrapper(handle) as SharedMap<string>;
    }
    return this.#root;
  }

  /** A new shared set (a `Set` in shared memory) holding `values`: primitives and shared objects. */
  set<T>(values?: Iterable<T>): SharedSet<T> {
    return createSet(this.#context, values);
  }

  /** A new shared counter: `add(n)` from any number of workers never conflicts; `value` sums. */
  counter(initial = 0): SharedCounter {
    return createCounter(this.#context, initial);
  }

  /**
   * A new channel: a multi-producer multi-consumer queue in shared memory. `capacity` 0 makes a
   * rendezvous channel (a send waits for its receiver), n a bounded one, none an unbounded one.
   */
  channel<T>(options?: ChannelOptions): SharedChannel<T> {
    return createChannel<T>(this.#context, options);
  }

  /**
   * A new shared array (an `Array` in shared memory without holes, with per-element conflicts)
   * holding `items`. Elements: anything a cell can hold.
   */
  array<T>(items?: Iterable<T>): SharedArray<T> {
    return createArray(this.#context, items);
  }

  /**
   * A new shared object with the fixed fields of `fields` (its own enumerable string keys, in
   * order), one transactional word each, read and written with property syntax: inside
   * `atomically` part of the transaction, outside each access a transaction of its own. Sealed:
   * assigning an unknown field or deleting one throws a TypeError (strict code). `fields` is a
   * plain object or an instance of a class registered with `registerClass`.
   */
  object<T extends object>(fields: T): SharedFields<T> {
    return createObject(this.#context, fields);
  }

  /**
   * Registers `Class` in this worker under `name` (default: its name), so that `heap.object` takes
   * its instances and opening one, here, gives an object whose prototype chain leads to
   * `Class.prototype`: its methods run in this worker on the shared fields. Every worker that
   * opens such objects registers the class under the same name (code is never stored); register
   * before opening them. Methods are not made atomic: wrap them in `atomically` where needed.
   */
  registerClass(Class: RegistrableClass, name: string = Class.name): void {
    registerClass(this.#context, Class, name);
  }

  /**
   * A plain JSON-like tree made into shared mutable objects in one call: plain objects become
   * objects with fields, arrays `SharedArray`s, Maps `SharedMap`s and Sets `SharedSet`s, all the
   * way down; primitives and shared objects stay as they are. Refuses a cycle.
   */
  from<T>(value: T): Shared<T> {
    return sharedFrom(this.#context, value);
  }

  /**
   * The shared object `ref` names, opened in this worker. `T` is the caller's claim about the
   * object's type (API.md fixes this signature); the block's tag is checked at run time.
   */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
  open<T>(ref: SharedRef): T {
    this.#context.checkOpen('heap.open');
    // A ref arrives through postMessage from code we do not control: check its shape at run time.
    const untrusted: Partial<Record<keyof SharedRef, unknown>> = ref;
    if (untrusted.kind !== 'shared-objects/ref' || !isHandleShaped(Number(untrusted.handle))) {
      throw new TypeError('heap.open: not a reference made by `shared.ref`');
    }
    if (ref.heapId !== this.#context.heapId) {
      throw new StaleHandleError('heap.open: the reference belongs to another heap');
    }
    const handle = ref.handle as Handle;
    this.#context.allocator.blockUnit(handle, ref.tag);
    try {
      return this.#context.openWrapper(handle) as T;
    } catch (error) {
      if (!(error instanceof ReferenceDied)) throw error;
      throw new StaleHandleError('heap.open: the object no longer exists (nothing referred to it)');
    }
  }
}
