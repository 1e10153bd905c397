/**
 * Contention management: what an attempt does when it meets another transaction — a lock held by
 * another attempt, an intent (a commit in progress), a read that another commit overwrote — and
 * what it does after an abort before its rerun. The policy is a variant, chosen when the engine
 * is made (STYLE.md §10: sibling files behind one interface, not a flag):
 *
 * - contention-wait-die.ts (the default): wait-die on first-attempt time — the older waits (and
 *   preempts after `ownerWaitMsMax`), the younger aborts and sleeps on the cell until released;
 *   hot cells (a read that failed a writing attempt's validation is locked at the first read of
 *   the reruns); escalation to inevitable after `attemptsBeforeInevitable` attempts.
 * - contention-naive.ts (benchmarks only): every conflict aborts and reruns at once — the "naive
 *   retry" baseline that shows what contention management buys.
 *
 * This file holds the interface (an abstract class) and the mechanics both variants share: waiting
 * for an intent's owner, the loop that takes a contended lock, and the bounded wait on a lock
 * that a winner of a conflict does. The conflict protocol itself (lock states, preemption, the
 * wake-up chain) is conflicts.ts's.
 */
import { BugError, crashPoint, limits } from '../base/index.js';
import type { Attempt, PendingWait } from './attempt.js';
import { LockState, WaitEnd } from './conflicts.js';
import { twordOwner, twordValue } from './tword.js';
import { contendedBit, ownerSlot } from './words.js';

/** The contention policies (`EngineHost.contention`). */
export type ContentionKind = 'wait-die' | 'naive';

let kindDefault: ContentionKind = 'wait-die';

/**
 * Benchmarks only (bench/workers/stm-counter.worker.ts): engines made after this call on this
 * thread use the naive-retry policy unless their host names one. For a worker whose engine is made
 * inside `Heap.attach`, where no host is the caller's to fill in. Module state, so per thread.
 */
export function useNaiveContention(): void {
  kindDefault = 'naive';
}

/** The policy of an engine whose host names none. */
export function contentionKindDefault(): ContentionKind {
  return kindDefault;
}

export abstract class Contention {
  /**
   * Cells whose change made a writing attempt of this worker fail: attempts lock them at their
   * first read (engine.ts, `read`). The naive variant never marks any.
   */
  readonly hot = new Set<number>();
  protected readonly attempt: Attempt;

  constructor(attempt: Attempt) {
    this.attempt = attempt;
  }

  /** True if attempt number `attempt` (0 for the first) of a transaction starts inevitable. */
  abstract escalates(attempt: number): boolean;

  /**
   * Aborts on a read of cell `tword` that another transaction overwrote (by a commit of slot
   * `writer`, −1 if unknown).
   */
  abstract staleRead(tword: number, writer: number): never;

  /** After an abort by conflict (a blocking transaction): waits before the rerun, or not. */
  abstract waitAfterAbort(): void;

  /** After an abort by conflict (an async transaction): the lock to wait for, or undefined. */
  abstract pendingLockWait(): PendingWait | undefined;

  /** The transaction ended for good (committed, or its error propagated). */
  abstract endTransaction(): void;

  /**
   * A conflict on the lock of `tword`, held by live `owner` (in lock state `state`): aborts this
   * attempt if it gives way, else waits (bounded by `deadline`) and returns true if it slept.
   */
  protected abstract conflict(
    tword: number,
    owner: number,
    state: LockState,
    deadline: number,
  ): boolean;

  /** The lock of `tword` is held by another (before the conflict is decided). */
  protected abstract lockHeld(tword: number): void;

  /** A reader met an intent: help or undo it if decided, else wait for it (then preempt). */
  meetIntent(tword: number, intent: bigint): void {
    const attempt = this.attempt;
    const resolver = attempt.resolver;
    if (resolver.resolveFinished(tword, intent)) return;
    if (attempt.recorder !== undefined) attempt.recorder.meeting(tword);
    const started = performance.now();
    const deadline = started + limits.ownerWaitMsMax;
    const valueIndex = twordValue(tword);
    const ownerIndex = twordOwner(tword);
    for (let spin = 0; spin < limits.conflictSpinMax; spin += 1) {
      if (Atomics.load(attempt.b64, valueIndex) !== intent) return;
    }
    let woken = false;
    let lastOwner = 0;
    for (let round = 0; round < limits.txAttemptsMax; round += 1) {
      if (Atomics.load(attempt.b64, valueIndex) !== intent) break;
      if (resolver.resolveFinished(tword, intent)) break;
      const owner = Atomics.load(attempt.i32, ownerIndex);
      if (owner !== 0) lastOwner = owner;
      // An async attempt does not block: it gives way and waits for the owner outside.
      if (owner !== 0 && attempt.waitsAsync) {
        attempt.fail('write-read', tword, owner, ownerSlot(owner));
      }
      if (owner !== 0) {
        const end = resolver.waitForOwner(tword, owner, deadline);
        if (end === WaitEnd.woken) woken = true;
        if (end !== WaitEnd.expired) continue;
      } else if (performance.now() < deadline) {
        continue;
      }
      // Stuck in its commit phase past the bound: dead or stalled. Abort it if still active.
      if (owner !== 0) resolver.preemptOwner(owner);
      resolver.resolveFinished(tword, intent);
      break;
    }
    // A reader does not take the lock it was woken from: the next sleeper gets the wake-up.
    if (woken) resolver.passWakeUp(ownerIndex);
    attempt.noteWait(tword, started, lastOwner === 0 ? -1 : ownerSlot(lastOwner));
  }

  /**
   * Takes the lock of cell `tword` against other owners (the slow path of the engine's
   * `#lockEntry`): the policy decides each conflict; a lock whose owner has finished is free.
   */
  lockContended(tword: number): void {
    this.lockHeld(tword);
    const attempt = this.attempt;
    const me = attempt.ownerWord;
    const ownerIndex = twordOwner(tword);
    let deadline = 0;
    let waitStarted = 0;
    let lastOwner = 0;
    let slept = attempt.contended.size !== 0 && attempt.contended.has(tword);
    for (let round = 0; ; round += 1) {
      if (round >= limits.txAttemptsMax) throw new BugError(`lock of cell ${tword} stuck`);
      const owner = Atomics.load(attempt.i32, ownerIndex);
      if (owner !== 0) {
        const state = attempt.resolver.lockState(owner, tword);
        if (state !== LockState.free) {
          lastOwner = owner;
          if (deadline === 0) {
            if (attempt.recorder !== undefined) attempt.recorder.meeting(tword);
            waitStarted = performance.now();
            deadline = waitStarted + limits.ownerWaitMsMax;
          }
          if (this.conflict(tword, owner, state, deadline)) slept = true;
          crashPoint('lock.contended');
          continue;
        }
      }
      // After sleeping on this lock, taken with the contended bit (wake-up chain, conflicts.ts).
      const wanted = me | (owner & contendedBit) | (slept ? contendedBit : 0);
      if (Atomics.compareExchange(attempt.i32, ownerIndex, owner, wanted) === owner) break;
    }
    crashPoint('lock.afterCas');
    if (waitStarted !== 0) {
      attempt.noteWait(tword, waitStarted, lastOwner === 0 ? -1 : ownerSlot(lastOwner));
    }
  }

  /** Aborts this attempt: it gives way to `owner`, the holder of the lock of `tword`. */
  protected giveWay(tword: number, owner: number, state: LockState): never {
    const kind = state === LockState.inevitable ? 'inevitable' : 'write-write';
    return this.attempt.fail(kind, tword, owner, ownerSlot(owner));
  }

  /**
   * The winner of a conflict waits for the lock's owner: spins, then sleeps one slice on the lock
   * (an async attempt gives way instead: it waits outside), then preempts an active owner whose
   * wait has passed `deadline`. Returns true if it slept (it then takes the lock contended).
   */
  protected waitOnLock(tword: number, owner: number, state: LockState, deadline: number): boolean {
    const attempt = this.attempt;
    const ownerIndex = twordOwner(tword);
    for (let spin = 0; spin < limits.lockSpinMax; spin += 1) {
      if (Atomics.load(attempt.i32, ownerIndex) !== owner) return false;
    }
    if (attempt.waitsAsync) this.giveWay(tword, owner, state);
    const end = attempt.resolver.waitForOwner(tword, owner, deadline);
    if (end === WaitEnd.expired && state === LockState.active) {
      attempt.resolver.preemptOwner(owner);
    }
    return end !== WaitEnd.expired;
  }
}
