/**
 * One worker's machinery for one channel: the checks every method makes, running the
 * transactional core (channel-queue.ts) in the caller's transaction or one of its own, the
 * event words that wake blocked operations after a commit, and the waiting loops — blocking
 * (`Atomics.wait`, workers) and async (`Atomics.waitAsync`, threads that must not block).
 *
 * Waking (a futex per direction, as Go's `recvq`/`sendq` but in shared memory): a committed send
 * bumps `sentEvents` and, if a receiver is registered in `receiversWaiting`, wakes every sleeper
 * on it; a committed receive does the same with `takenEvents` / `sendersWaiting`; `close` both.
 * A waiter loads the event word, tries its operation in a transaction, and sleeps only while the
 * word still holds what it loaded. No wake-up is lost:
 * - ORDERING: the waker commits, then adds to the event word (SeqCst), then loads the waiting
 *   count. The waiter loads the event word (`seen`) before its attempt, and adds to the waiting
 *   count (SeqCst) before `Atomics.wait` compares the word with `seen`. In the single total order
 *   of SeqCst operations either the waker's load sees the waiter registered (it notifies, and the
 *   sleep ends or never starts), or it comes before the registration — then the waker's add comes
 *   before the wait's compare, which sees the word moved (if the add came after `seen` was
 *   loaded) and returns at once, or the add came before `seen` was loaded, so the commit came
 *   before the attempt started, and the attempt saw it (a transaction that starts after a commit
 *   sees it).
 * - Registration comes after a short spin on the event word: a waiter that is only spinning is
 *   not registered, so the waker makes no futex call for it (measured: the notify system call
 *   was most of the cost of a hand-off between two busy workers).
 * - A waker killed between its commit and its add leaves sleepers asleep: every sleep is bounded
 *   (`channelSleepMsMax`) and followed by a new attempt.
 * Waking all sleepers of a direction rather than one keeps the argument this short; a woken
 * waiter that finds nothing sleeps again.
 */
import { ClosedError, limits, StaleHandleError, type Handle } from '../base/index.js';
import type { HeapContext } from '../objects/index.js';
import { sleepWhileEqual, sleepWhileEqualAsync } from '../platform/index.js';
import { atomicallyAsyncOn, atomicallyOn, transactionEngine, type TxEngine } from '../stm/index.js';
import {
  channelTag,
  receiversBlockedIndex,
  receiversWaitingIndex,
  sendersBlockedIndex,
  sendersWaitingIndex,
  sentEventsIndex,
  takenEventsIndex,
} from './channel-layout.js';
import { ChannelQueue, type Taken } from './channel-queue.js';

/** An attempt that found the channel full (send) or empty (receive): wait and try again. */
export const blocked: unique symbol = Symbol('blocked');
/** A wait whose deadline passed. */
export const timedOut: unique symbol = Symbol('timed out');

/** Which way a waiter waits: for items (receivers) or for room and hand-offs (senders). */
export interface Direction {
  /** i32 index of the event word to sleep on. */
  readonly events: number;
  /** i32 index of the count of waiters asleep (or about to be) on it: wakers notify if > 0. */
  readonly waiting: number;
  /** i32 index of the count of operations blocked this way, spinning or asleep. */
  readonly blocked: number;
}

/** A timer span longer than any async transaction (it is cleared when the transaction ends). */
const keepAliveMs = 2 ** 30;

export class ChannelCore {
  readonly context: HeapContext;
  readonly unit: number;
  readonly queue: ChannelQueue;
  readonly forItems: Direction;
  readonly forRoom: Direction;
  readonly #i32: Int32Array;
  readonly #headerWord0: number;
  disposed = false;

  /** `signal*` bound once: registered as commit actions on every operation. */
  readonly signalSent = (): void => {
    this.#signal(this.forItems);
  };
  readonly signalTaken = (): void => {
    this.#signal(this.forRoom);
  };

  constructor(context: HeapContext, handle: Handle) {
    this.context = context;
    this.unit = context.allocator.blockUnit(handle, channelTag);
    this.#i32 = context.memory.i32;
    this.#headerWord0 = this.#i32[this.unit * 2] ?? 0;
    this.queue = new ChannelQueue(context, this.unit);
    this.forItems = {
      events: sentEventsIndex(this.unit),
      waiting: receiversWaitingIndex(this.unit),
      blocked: receiversBlockedIndex(this.unit),
    };
    this.forRoom = {
      events: takenEventsIndex(this.unit),
      waiting: sendersWaitingIndex(this.unit),
      blocked: sendersBlockedIndex(this.unit),
    };
  }

  /** Throws ClosedError (heap closed here) or StaleHandleError (disposed, freed). */
  check(what: string): void {
    const context = this.context;
    context.checkOpen(what);
    if (this.disposed) throw new StaleHandleError(`${what}: this wrapper was disposed`);
    if (this.#i32[this.unit * 2] !== this.#headerWord0) {
      throw new StaleHandleError(`${what}: the channel was freed`);
    }
  }

  /** The running transaction of this heap on this thread, if any. */
  get engineInTransaction(): TxEngine | undefined {
    return transactionEngine(this.context.engine);
  }

  /** Runs `body` in the caller's transaction, or in one of its own. */
  run<R>(body: (engine: TxEngine) => R): R {
    const engine = transactionEngine(this.context.engine);
    if (engine !== undefined) return body(engine);
    const own = this.context.engine;
    return atomicallyOn(own, () => body(own));
  }

  /**
   * `run` for a thread that must not block: contention waits go through `waitAsync`, which does
   * not hold Node's event loop open (see `sleepAsync`), so a timer does for as long as it runs.
   */
  async runAsync<R>(body: (engine: TxEngine) => R): Promise<R> {
    const own = this.context.engine;
    const keepAlive = setTimeout(() => undefined, keepAliveMs);
    try {
      return await atomicallyAsyncOn(own, () => body(own));
    } finally {
      clearTimeout(keepAlive);
    }
  }

  /** Puts `value`: its position, or `blocked` if full. ClosedError if the channel is closed. */
  put(engine: TxEngine, value: unknown, what: string): number | typeof blocked {
    const put = this.queue.put(engine, value);
    if (put === 'closed') throw new ClosedError(what, 'the channel is closed');
    if (put === 'full') return blocked;
    engine.onCommit(this.signalSent);
    return put;
  }

  /** Takes the head item; `blocked` if empty, 'closed' if closed and drained. */
  take(engine: TxEngine): Exclude<Taken, 'empty'> | typeof blocked {
    const taken = this.queue.take(engine);
    if (taken === 'empty') return blocked;
    if (taken !== 'closed') engine.onCommit(this.signalTaken);
    return taken;
  }

  /**
   * Repeats `attempt` (each call its own transaction) until it returns something other than
   * `blocked`, sleeping on `direction` in between; `timedOut` once `deadlineMs`
   * (`performance.now()` time) has passed. Unbounded by design when the deadline is infinite:
   * a receive waits as long as the channel stays empty. Each sleep is bounded.
   */
  waitFor<R>(
    direction: Direction,
    deadlineMs: number,
    attempt: () => R | typeof blocked,
  ): R | typeof timedOut {
    const i32 = this.#i32;
    let registered = false;
    let blockedCounted = false;
    try {
      for (;;) {
        // ORDERING: loaded before the attempt (see the module comment).
        const seen = Atomics.load(i32, direction.events);
        const result = attempt();
        if (result !== blocked) return result;
        if (!blockedCounted) {
          Atomics.add(i32, direction.blocked, 1);
          blockedCounted = true;
        }
        const remainingMs = deadlineMs - performance.now();
        if (remainingMs <= 0) return timedOut;
        if (this.#spinWhileEqual(direction.events, seen)) continue;
        if (!registered) {
          // ORDERING: registered before the sleep compares the event word with `seen`.
          Atomics.add(i32, direction.waiting, 1);
          registered = true;
        }
        this.context.reclaim.quiesce();
        sleepWhileEqual(
          i32,
          direction.events,
          seen,
          Math.min(remainingMs, limits.channelSleepMsMax),
        );
      }
    } finally {
      if (registered) Atomics.sub(i32, direction.waiting, 1);
      if (blockedCounted) Atomics.sub(i32, direction.blocked, 1);
    }
  }

  /** `waitFor` without blocking the thread: each attempt and each sleep are async. */
  async waitForAsync<R>(
    direction: Direction,
    deadlineMs: number,
    attempt: () => Promise<R | typeof blocked>,
  ): Promise<R | typeof timedOut> {
    const i32 = this.#i32;
    let registered = false;
    let blockedCounted = false;
    try {
      for (;;) {
        const seen = Atomics.load(i32, direction.events);
        const result = await attempt();
        if (result !== blocked) return result;
        if (!blockedCounted) {
          Atomics.add(i32, direction.blocked, 1);
          blockedCounted = true;
        }
        const remainingMs = deadlineMs - performance.now();
        if (remainingMs <= 0) return timedOut;
        if (Atomics.load(i32, direction.events) !== seen) continue;
        if (!registered) {
          // ORDERING: registered before the sleep compares the event word with `seen`.
          Atomics.add(i32, direction.waiting, 1);
          registered = true;
        }
        this.context.reclaim.quiesce();
        const sleepMs = Math.min(remainingMs, limits.channelSleepMsMax);
        await sleepAsync(i32, direction.events, seen, sleepMs);
      }
    } finally {
      if (registered) Atomics.sub(i32, direction.waiting, 1);
      if (blockedCounted) Atomics.sub(i32, direction.blocked, 1);
    }
  }

  /** Receivers blocked now, spinning or asleep (a rendezvous `trySend` needs one). */
  receiversBlocked(): number {
    return Atomics.load(this.#i32, this.forItems.blocked);
  }

  /** True if the event word moved within `channelSpinMs` (at most `channelSpinLoadsMax` loads). */
  #spinWhileEqual(index: number, seen: number): boolean {
    const i32 = this.#i32;
    const until = performance.now() + limits.channelSpinMs;
    for (let spin = 1; spin <= limits.channelSpinLoadsMax; spin += 1) {
      if (Atomics.load(i32, index) !== seen) return true;
      // The clock costs more than a load: look at it every 64 loads.
      if ((spin & 63) === 0 && performance.now() >= until) return false;
    }
    return false;
  }

  /** A commit action: announce the change to `direction`'s waiters. */
  #signal(direction: Direction): void {
    // ORDERING: after the commit; the add is ordered before the load of the waiting count.
    Atomics.add(this.#i32, direction.events, 1);
    if (Atomics.load(this.#i32, direction.waiting) > 0) Atomics.notify(this.#i32, direction.events);
  }
}

/**
 * `sleepWhileEqualAsync` that keeps the thread alive meanwhile: a pending `Atomics.waitAsync`
 * does not hold Node's event loop open, so a worker whose only work is an awaited receive would
 * otherwise exit (code 13, unsettled top-level await). A long timer, cleared at once after, does.
 */
export async function sleepAsync(
  i32: Int32Array,
  index: number,
  expected: number,
  timeoutMs: number,
): Promise<void> {
  // Not `timeoutMs`: a timed-out waitAsync may resolve after a timer of the same span fired.
  const keepAlive = setTimeout(() => undefined, keepAliveMs);
  try {
    await sleepWhileEqualAsync(i32, index, expected, timeoutMs);
  } finally {
    clearTimeout(keepAlive);
  }
}
