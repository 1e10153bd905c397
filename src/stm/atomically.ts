/**
 * The transaction API (API.md): `atomically`, `retry`, `orElse`, `inevitable`, and the attempt
 * loop that reruns a transaction until it commits.
 *
 * A transaction is a *frame* on this thread: the top-level `atomically` call makes one, nested
 * calls join it. `atomically(fn)` does not name a heap; the frame binds to the heap (its engine)
 * of the first shared object `fn` touches, and a later object of another heap is an error.
 * `heap.atomically(fn)` binds at once. JavaScript runs one thread per realm and transactions are
 * synchronous (a function that returns a promise is refused), so one module-level frame suffices.
 */
import { assert, limits, TransactionStateError } from '../base/index.js';
import type { TxEngine } from './engine.js';

interface Frame {
  engine: TxEngine | undefined;
  attempt: number;
  /** `inevitable()` was called before any shared object was touched. */
  wantsInevitable: boolean;
  /** `orElse` branches open when the engine was bound (their checkpoints start at 0). */
  openBranches: number;
}

let current: Frame | undefined;

/**
 * The one frame of this thread, reused by every top-level transaction (it is only ever reached
 * through `current` while its transaction runs): one allocation less per transaction.
 */
const threadFrame: Frame = {
  engine: undefined,
  attempt: 0,
  wantsInevitable: false,
  openBranches: 0,
};

/**
 * The engines of the heaps this thread has open, so that `inevitable()` can find its heap. Weak:
 * a heap dropped without `close()` must not be kept alive by this list.
 */
const openEngines = new Set<WeakRef<TxEngine>>();

/** A heap context opened on this thread (its engine joins the list). */
export function engineOpened(engine: TxEngine): void {
  openEngines.add(new WeakRef(engine));
}

/** A heap context closed on this thread (its engine leaves the list). */
export function engineClosed(engine: TxEngine): void {
  for (const ref of openEngines) {
    const open = ref.deref();
    if (open === undefined || open === engine) openEngines.delete(ref);
  }
}

function liveEngines(): TxEngine[] {
  const live: TxEngine[] = [];
  for (const ref of openEngines) {
    const engine = ref.deref();
    if (engine === undefined) openEngines.delete(ref);
    else live.push(engine);
  }
  return live;
}

/** The engine of the running transaction for an object of `engine`'s heap, or undefined. */
export function transactionEngine(engine: TxEngine): TxEngine | undefined {
  const frame = current;
  if (frame === undefined) return undefined;
  if (frame.engine === engine) return engine;
  if (frame.engine !== undefined) {
    throw new TransactionStateError(
      'MIXED_HEAPS',
      'one transaction used shared objects of two different heaps',
    );
  }
  bind(frame, engine);
  return engine;
}

function bind(frame: Frame, engine: TxEngine): void {
  frame.engine = engine;
  engine.begin(frame.attempt);
  for (let branch = 0; branch < frame.openBranches; branch += 1) engine.checkpoint();
  if (frame.wantsInevitable) engine.becomeInevitable(true);
}

function isThenable(value: unknown): boolean {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

const AsyncFunction = (async () => {
  /* only its constructor is used */
}).constructor;

function refuseAsync(fn: () => unknown): void {
  if (fn instanceof AsyncFunction) {
    throw new TypeError('atomically: transactions must be synchronous (got an async function)');
  }
}

/**
 * Runs `fn` as one transaction: it appears to run alone, at one moment between its call and its
 * return (strict serializability). `fn` may run more than once (when it conflicts with others),
 * so it must not have side effects outside shared objects — unless it calls `inevitable()`
 * first. An exception thrown by `fn` aborts the transaction (nothing of it is visible) and
 * propagates unchanged. Nested calls join the enclosing transaction.
 */
export function atomically<T>(fn: () => T): T {
  return run(undefined, fn);
}

/** `atomically` bound to one heap's engine from the start (`heap.atomically`). */
export function atomicallyOn<T>(engine: TxEngine, fn: () => T): T {
  return run(engine, fn);
}

/** The thread's frame, reset for a new top-level transaction. */
function freshFrame(): Frame {
  const frame = threadFrame;
  frame.engine = undefined;
  frame.attempt = 0;
  frame.wantsInevitable = false;
  frame.openBranches = 0;
  return frame;
}

function run<T>(engine: TxEngine | undefined, fn: () => T): T {
  refuseAsync(fn);
  if (current !== undefined) {
    if (engine !== undefined) transactionEngine(engine);
    return fn();
  }
  const frame = freshFrame();
  for (;;) {
    assert(frame.attempt < limits.txAttemptsMax, 'a transaction never committed');
    current = frame;
    try {
      if (engine !== undefined && frame.engine === undefined) bind(frame, engine);
      else if (frame.engine !== undefined) frame.engine.begin(frame.attempt);
      const result = fn();
      if (isThenable(result)) {
        throw new TypeError('atomically: the function returned a promise; nothing was committed');
      }
      frame.engine?.commit();
      frame.engine?.endTransaction();
      return result;
    } catch (error) {
      const bound = frame.engine;
      if (bound === undefined) throw error;
      if (error === bound.abortSignal || bound.doomed) {
        afterAbort(bound);
        frame.attempt += 1;
        continue;
      }
      // User code threw. If what it read is no longer valid, the error may come from a state
      // that never existed for a committed transaction: rerun instead of reporting it.
      const stillValid = bound.readsStillValid();
      bound.abortAttempt('exception');
      if (!stillValid) {
        frame.attempt += 1;
        continue;
      }
      bound.endTransaction();
      throw error;
    } finally {
      current = undefined;
    }
  }
}

function afterAbort(engine: TxEngine): void {
  const kind = engine.abortSignal.kind;
  engine.abortAttempt(kind);
  if (kind !== 'retry') {
    engine.waitAfterAbort();
  } else if (!engine.recording) {
    engine.recordFromNextAttempt();
  } else {
    engine.sleepUntilReadsChange();
  }
}

function requireFrame(what: string): Frame {
  if (current === undefined) {
    throw new TransactionStateError('NOT_IN_TRANSACTION', `${what} outside a transaction`);
  }
  return current;
}

/**
 * Abandons the running transaction and blocks until one of the shared cells it has read so far
 * is changed by another transaction, then runs it again (GHC's `retry`).
 */
export function retry(): never {
  const frame = requireFrame('retry()');
  const engine = frame.engine;
  if (engine?.inevitable === true || frame.wantsInevitable) {
    throw new TransactionStateError(
      'RETRY_IN_INEVITABLE',
      'retry() in an inevitable transaction: it cannot be rolled back',
    );
  }
  if (engine === undefined || engine.reads === 0) {
    throw new TransactionStateError(
      'RETRY_WITHOUT_READS',
      'retry() before reading any shared cell would wait forever',
    );
  }
  return engine.fail('retry');
}

/**
 * Runs `first`; if it calls `retry()`, its writes are undone (its reads are kept) and `second`
 * runs instead. If `second` retries too, the whole transaction retries, waiting on what both
 * read. Outside a transaction, runs as one.
 */
export function orElse<T>(first: () => T, second: () => T): T {
  if (current === undefined) return atomically(() => orElse(first, second));
  const frame = current;
  const before = frame.engine;
  const mark = before === undefined ? 0 : before.checkpoint();
  if (before === undefined) frame.openBranches += 1;
  let result: T;
  try {
    result = first();
  } catch (error) {
    if (before === undefined) frame.openBranches -= 1;
    const engine = frame.engine;
    if (
      engine === undefined ||
      error !== engine.abortSignal ||
      engine.abortSignal.kind !== 'retry'
    ) {
      throw error;
    }
    engine.rollBackTo(mark);
    engine.undoom();
    return second();
  }
  if (before === undefined) frame.openBranches -= 1;
  frame.engine?.keepFrom(mark);
  return result;
}

/**
 * Makes the running transaction irrevocable: from here on it never aborts, so it may have side
 * effects (I/O). At most one transaction of a heap is inevitable at a time; others wait for it.
 * Calling it twice in one transaction is an error. A transaction that has not touched a shared
 * object yet becomes inevitable on the one heap this thread has open; with several open, it must
 * name its heap (`heap.atomically`) or touch one of its objects first.
 */
export function inevitable(): void {
  const frame = requireFrame('inevitable()');
  if (frame.engine === undefined) {
    if (frame.wantsInevitable) {
      throw new TransactionStateError(
        'ALREADY_INEVITABLE',
        'inevitable() was already called in this transaction',
      );
    }
    const engines = liveEngines();
    const only = engines.length === 1 ? engines[0] : undefined;
    if (only === undefined) {
      throw new TransactionStateError(
        'HEAP_UNKNOWN',
        `inevitable() before touching any shared object, with ${String(engines.length)} heaps ` +
          'open on this thread: use heap.atomically(...) so the transaction knows its heap',
      );
    }
    // Bound now, so that it is exclusive from this call on, not from its first cell access.
    frame.wantsInevitable = true;
    bind(frame, only);
    return;
  }
  frame.engine.becomeInevitable(true);
}
