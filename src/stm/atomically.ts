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
import type { PendingWait, TxCarry, TxEngine } from './engine.js';

interface Frame {
  engine: TxEngine | undefined;
  attempt: number;
  /** `inevitable()` was called before any shared object was touched. */
  wantsInevitable: boolean;
  /**
   * Checkpoints (orElse first branches, nested `atomically` calls) open when the engine was bound:
   * `bind` opens them in the engine, where they all start at mark 0.
   */
  openCheckpoints: number;
  /** `orElse` first branches open: a `retry()` inside one goes to its `orElse`, not to the top. */
  branches: number;
  /** Runs in `atomicallyAsync`: waits go through `Atomics.waitAsync` between attempts. */
  waitsAsync: boolean;
  /** What the transaction carries across attempts (an async one keeps it here between them). */
  readonly carry: TxCarry;
}

let current: Frame | undefined;

function newFrame(waitsAsync: boolean): Frame {
  return {
    engine: undefined,
    attempt: 0,
    wantsInevitable: false,
    openCheckpoints: 0,
    branches: 0,
    waitsAsync,
    carry: { firstAttemptMs: 0, startInevitable: false, contended: new Set() },
  };
}

/**
 * The one frame of this thread's synchronous transactions (it is only ever reached through
 * `current` while its transaction runs, and they cannot interleave): one allocation less per
 * transaction. Each async transaction has a frame of its own, since it lives across awaits.
 */
const threadFrame: Frame = newFrame(false);

/**
 * Thrown by `retry()` in an `orElse` first branch that touched no shared object yet (so there is
 * no engine to carry the abort signal); the `orElse` catches it and runs its second branch.
 */
const unboundRetry = new Error('retry() in an orElse branch (internal signal)');

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
  beginAttempt(frame, engine);
  for (let open = 0; open < frame.openCheckpoints; open += 1) engine.checkpoint();
  if (frame.wantsInevitable) engine.becomeInevitable(true);
}

function beginAttempt(frame: Frame, engine: TxEngine): void {
  if (frame.waitsAsync) engine.resume(frame.carry);
  engine.begin(frame.attempt, frame.waitsAsync);
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

function refuseAsync(fn: () => unknown, what: string): void {
  if (fn instanceof AsyncFunction) {
    throw new TypeError(`${what}: transactions must be synchronous (got an async function)`);
  }
}

function refusePromise(result: unknown, what: string): void {
  if (isThenable(result)) {
    throw new TypeError(`${what}: the function returned a promise; nothing was committed`);
  }
}

/**
 * Runs `fn` as one transaction: it appears to run alone, at one moment between its call and its
 * return (strict serializability). `fn` may run more than once (when it conflicts with others),
 * so it must not have side effects outside shared objects — unless it calls `inevitable()`
 * first. An exception thrown by `fn` aborts the transaction (nothing of it is visible) and
 * propagates unchanged. Nested calls join the enclosing transaction, closed: if a nested `fn`
 * throws, its own writes are undone before the error reaches the enclosing function, which may
 * catch it and commit without them.
 */
export function atomically<T>(fn: () => T): T {
  return run(undefined, fn);
}

/** `atomically` bound to one heap's engine from the start (`heap.atomically`). */
export function atomicallyOn<T>(engine: TxEngine, fn: () => T): T {
  return run(engine, fn);
}

/**
 * `atomically` for a thread that must keep serving its event loop (Node's main thread, a
 * browser's): `fn` is synchronous as ever, but every wait — `retry`, a lock held by another
 * worker, the inevitability token — ends the attempt and waits through `Atomics.waitAsync`, so
 * timers, I/O and other promises run meanwhile. Called inside a transaction it is an error
 * (a transaction cannot await): use `atomically` there, which joins it.
 */
export function atomicallyAsync<T>(fn: () => T): Promise<T> {
  return runAsync(undefined, fn);
}

/** `atomicallyAsync` bound to one heap's engine from the start (`heap.atomicallyAsync`). */
export function atomicallyAsyncOn<T>(engine: TxEngine, fn: () => T): Promise<T> {
  return runAsync(engine, fn);
}

/** The thread's frame, reset for a new top-level transaction. */
function freshFrame(): Frame {
  const frame = threadFrame;
  frame.engine = undefined;
  frame.attempt = 0;
  frame.wantsInevitable = false;
  frame.openCheckpoints = 0;
  frame.branches = 0;
  return frame;
}

function run<T>(engine: TxEngine | undefined, fn: () => T): T {
  refuseAsync(fn, 'atomically');
  if (current !== undefined) {
    if (engine !== undefined) transactionEngine(engine);
    return nested(current, fn);
  }
  const frame = freshFrame();
  for (;;) {
    const outcome = attempt(frame, engine, fn, 'atomically');
    if (outcome !== rerun) return outcome;
    const bound = frame.engine;
    if (bound !== undefined) afterAbort(bound);
    frame.attempt = nextAttempt(frame, bound);
  }
}

/**
 * The number of the attempt after an abort. A `retry` waited for another transaction's change
 * and starts over: it is not contention, so it must not count toward `attemptsBeforeInevitable`
 * (a consumer woken often by a busy queue would otherwise turn inevitable, where `retry` cannot
 * wait: its reads are locks, not a read set).
 */
function nextAttempt(frame: Frame, bound: TxEngine | undefined): number {
  return bound?.abortSignal.kind === 'retry' ? 0 : frame.attempt + 1;
}

async function runAsync<T>(engine: TxEngine | undefined, fn: () => T): Promise<T> {
  refuseAsync(fn, 'atomicallyAsync');
  if (current !== undefined) {
    throw new TransactionStateError(
      'ASYNC_IN_TRANSACTION',
      'atomicallyAsync inside a transaction: it cannot wait there; call atomically to join it',
    );
  }
  const frame = newFrame(true);
  for (;;) {
    let outcome: T | typeof rerun;
    let pending: PendingWait | undefined;
    try {
      outcome = attempt(frame, engine, fn, 'atomicallyAsync');
      // Taken while this thread still runs the attempt: after it, the engine is anybody's.
      if (outcome === rerun && frame.engine !== undefined) pending = afterAbortAsync(frame.engine);
    } finally {
      frame.engine?.suspend(frame.carry);
    }
    if (outcome !== rerun) return outcome;
    if (pending !== undefined) await frame.engine?.waitAsync(pending);
    frame.attempt = nextAttempt(frame, frame.engine);
  }
}

/** An attempt was aborted: the transaction runs again. */
const rerun = Symbol('rerun');

/**
 * Runs one attempt of a top-level transaction and commits it. Returns its result, or `rerun`
 * after an abort (the engine's abort signal, with what to wait for, says why); throws the
 * function's own error once it is known to come from a consistent state.
 */
function attempt<T>(
  frame: Frame,
  engine: TxEngine | undefined,
  fn: () => T,
  what: string,
): T | typeof rerun {
  assert(frame.attempt < limits.txAttemptsMax, 'a transaction never committed');
  current = frame;
  let result: T;
  try {
    if (engine !== undefined && frame.engine === undefined) bind(frame, engine);
    else if (frame.engine !== undefined) beginAttempt(frame, frame.engine);
    result = fn();
    refusePromise(result, what);
    frame.engine?.commit();
    frame.engine?.endTransaction();
  } catch (error) {
    const bound = frame.engine;
    if (bound === undefined) throw error;
    if (error === bound.abortSignal || bound.doomed) {
      bound.abortAttempt(bound.abortSignal.kind);
      return rerun;
    }
    // User code threw. If what it read is no longer valid, the error may come from a state
    // that never existed for a committed transaction: rerun instead of reporting it.
    const stillValid = bound.readsStillValid();
    bound.abortAttempt('exception');
    if (!stillValid) return rerun;
    bound.endTransaction();
    throw error;
  } finally {
    current = undefined;
  }
  // Outside the transaction: an action may run transactions of its own.
  frame.engine?.runCommitActions();
  return result;
}

/** After an aborted attempt of a blocking transaction: wait where the abort says, then rerun. */
function afterAbort(engine: TxEngine): void {
  const kind = engine.abortSignal.kind;
  if (kind !== 'retry') {
    engine.waitAfterAbort();
  } else if (!engine.recording) {
    engine.recordFromNextAttempt();
  } else {
    engine.sleepUntilReadsChange();
  }
}

/** `afterAbort` for an async transaction: what to wait for (taken now), or none. */
function afterAbortAsync(engine: TxEngine): PendingWait | undefined {
  if (engine.abortSignal.kind === 'retry' && !engine.recording) {
    engine.recordFromNextAttempt();
    return undefined;
  }
  return engine.pendingWait();
}

/**
 * Opens a checkpoint for a nested part of the transaction (an orElse branch, a nested
 * `atomically`), in the engine or, if it is not bound yet, in the frame (`bind` opens it then).
 * Returns whether the engine was bound.
 */
function openCheckpoint(frame: Frame): boolean {
  const engine = frame.engine;
  if (engine === undefined) {
    frame.openCheckpoints += 1;
    return false;
  }
  engine.checkpoint();
  return true;
}

/**
 * Closes the innermost checkpoint, opened when the engine was `bound` (or not): `undo`
 * discards the writes made since it, else they stay in the enclosing transaction.
 */
function closeCheckpoint(frame: Frame, bound: boolean, undo: boolean): void {
  if (!bound) frame.openCheckpoints -= 1;
  const engine = frame.engine;
  if (engine === undefined) return;
  if (undo) engine.rollBack();
  else engine.keep();
}

/** True if `error` is an abort signal of the running attempt (it is going down whole). */
function isAbortSignal(frame: Frame, error: unknown): boolean {
  const engine = frame.engine;
  return (
    error === unboundRetry ||
    (engine !== undefined && (error === engine.abortSignal || engine.doomed))
  );
}

/**
 * A nested `atomically`: joins the transaction, closed. If `fn` throws its own error, its writes
 * are undone before the error propagates (an enclosing function that catches it commits without
 * them); an abort signal passes through untouched (the whole attempt reruns).
 */
function nested<T>(frame: Frame, fn: () => T): T {
  const bound = openCheckpoint(frame);
  let result: T;
  try {
    result = fn();
    refusePromise(result, 'atomically');
  } catch (error) {
    closeCheckpoint(frame, bound, !isAbortSignal(frame, error));
    throw error;
  }
  closeCheckpoint(frame, bound, false);
  return result;
}

function requireFrame(what: string): Frame {
  if (current === undefined) {
    throw new TransactionStateError('NOT_IN_TRANSACTION', `${what} outside a transaction`);
  }
  return current;
}

/**
 * Abandons the running transaction and blocks until one of the shared cells it has read so far
 * is changed by another transaction, then runs it again (GHC's `retry`). Inside an `orElse` first
 * branch it abandons that branch only (the `orElse` runs its second).
 */
export function retry(): never {
  const frame = requireFrame('retry()');
  const engine = frame.engine;
  // Already aborted (a signal swallowed by user code): that abort stands, whatever retry says.
  if (engine?.doomed === true) throw engine.abortSignal;
  if (frame.branches > 0) {
    if (engine === undefined) throw unboundRetry;
    return engine.fail('retry');
  }
  if (engine?.userInevitable === true || frame.wantsInevitable) {
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
 * read. `orElse(() => retry(), t)` behaves as `t`. If `first` throws, its writes are undone before
 * the error propagates (closed nesting). Outside a transaction, runs as one.
 */
export function orElse<T>(first: () => T, second: () => T): T {
  if (current === undefined) return atomically(() => orElse(first, second));
  const frame = current;
  // An attempt aborted before the branch (its signal swallowed) stays aborted whatever the
  // branch does: only a retry of the branch itself is the orElse's to catch.
  const doomedBefore = frame.engine?.doomed === true;
  const bound = openCheckpoint(frame);
  frame.branches += 1;
  let result: T;
  try {
    result = first();
  } catch (error) {
    frame.branches -= 1;
    const engine = frame.engine;
    const branchRetried =
      error === unboundRetry ||
      (engine !== undefined &&
        !doomedBefore &&
        error === engine.abortSignal &&
        engine.abortSignal.kind === 'retry');
    if (!branchRetried) {
      closeCheckpoint(frame, bound, !isAbortSignal(frame, error));
      throw error;
    }
    closeCheckpoint(frame, bound, true);
    engine?.undoom();
    return second();
  }
  frame.branches -= 1;
  closeCheckpoint(frame, bound, false);
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
