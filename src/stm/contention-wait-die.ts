/**
 * The default contention policy (contention.ts): wait-die on first-attempt time (Rosenkrantz,
 * Stearns and Lewis, 1978), with sleeping on the cell after an abort, hot cells and escalation to
 * inevitable. docs/decisions/0005-stm.md and 0007 give the reasons.
 *
 * - Between writers, the older (or inevitable) waits, then preempts an active owner after
 *   `ownerWaitMsMax`; the younger dies. An attempt that holds no lock yet waits whatever its age:
 *   waits-for cycles need every waiter to hold something another waits for, so it cannot close
 *   one, and queueing on the lock costs one wake-up where dying costs a rerun as well.
 * - An attempt that died sleeps on the cell until its owner lets go (bounded), then reruns and
 *   takes that lock with the contended bit (the wake-up chain, conflicts.ts).
 * - A cell whose change failed a writing attempt's validation, and that the attempt wrote too
 *   (a read-modify-write), is *hot* for `hotStreak` transactions: their attempts lock it at
 *   their first read, so read-modify-write conflicts queue on the lock like write-write ones
 *   instead of failing validation again. A cell only read never becomes hot.
 * - A transaction's attempt number `attemptsBeforeInevitable` starts inevitable: it cannot fail.
 */
import { limits } from '../base/index.js';
import type { PendingWait } from './attempt.js';
import { LockState, WaitEnd } from './conflicts.js';
import { Contention } from './contention.js';
import { twordOwner } from './tword.js';
import { contendedBit, ownerSlot } from './words.js';

/**
 * Transactions that keep locking hot cells at their first read after the last validation failure
 * on one: a worker that read-modify-writes a contended cell keeps queueing on its lock instead of
 * failing validation once per transaction.
 */
const hotStreak = 64;

export class WaitDie extends Contention {
  #hotCountdown = 0;

  escalates(attempt: number): boolean {
    return attempt >= limits.attemptsBeforeInevitable;
  }

  /**
   * A writing attempt that read and then wrote (or locked, or commuted) the cell marks it hot:
   * its reruns lock it at their first read of it, so they queue behind the next writer of the
   * cell (wait-die, sleeping on the lock) instead of racing it again and again. A cell it only
   * read does not become hot: locking it would make a reader a writer, and every other reader
   * of it — a collection's table word is read by every operation — would queue behind this
   * worker (the word count on 2 workers spent 38 % of its transaction time so waiting). It
   * sleeps on the cell now if a writer still holds it.
   */
  staleRead(tword: number, writer: number): never {
    const attempt = this.attempt;
    let owner = 0;
    if (attempt.lockTaking) {
      if (attempt.log.entryOf(tword) === undefined) {
        owner = Atomics.load(attempt.i32, twordOwner(tword));
      } else {
        this.hot.add(tword);
        this.#hotCountdown = hotStreak;
      }
    }
    return attempt.fail('write-read', tword, owner, owner === 0 ? writer : ownerSlot(owner));
  }

  /** Sleeps on the cell that was in the way (bounded) until its owner lets go. */
  waitAfterAbort(): void {
    const attempt = this.attempt;
    const signal = attempt.abortSignal;
    if (signal.waitTword === 0 || signal.waitOwner === 0) return;
    const tword = signal.waitTword;
    const resolver = attempt.resolver;
    attempt.contended.add(tword);
    const started = performance.now();
    const deadline = started + limits.ownerWaitMsMax;
    attempt.host.reclaim.quiesce();
    const ownerIndex = twordOwner(tword);
    let woken = false;
    for (let round = 0; round < limits.txAttemptsMax; round += 1) {
      const owner = Atomics.load(attempt.i32, ownerIndex);
      if ((owner & ~contendedBit) !== (signal.waitOwner & ~contendedBit)) break;
      if (resolver.lockState(owner, tword) === LockState.free) break;
      const end = resolver.waitForOwner(tword, owner, deadline);
      if (end === WaitEnd.woken) woken = true;
      if (end === WaitEnd.expired) {
        resolver.preemptOwner(owner);
        break;
      }
    }
    // The rerun may not lock this cell at all: the next sleeper gets the wake-up now.
    if (woken) resolver.passWakeUp(ownerIndex);
    attempt.noteWait(tword, started, signal.otherSlot);
  }

  /** The lock (or the inevitability token) that stopped the attempt, slept on as above. */
  pendingLockWait(): PendingWait | undefined {
    const attempt = this.attempt;
    const signal = attempt.abortSignal;
    if (signal.waitIndex < 0 || signal.waitOwner === 0) return undefined;
    attempt.contended.add(signal.waitTword);
    return {
      kind: 'lock',
      index: signal.waitIndex,
      tword: signal.waitTword,
      owner: signal.waitOwner,
    };
  }

  endTransaction(): void {
    if (this.#hotCountdown > 0) {
      this.#hotCountdown -= 1;
      if (this.#hotCountdown === 0) this.hot.clear();
    }
  }

  /** Wait-die: the older (or inevitable) waits, the younger dies. */
  protected conflict(tword: number, owner: number, state: LockState, deadline: number): boolean {
    const attempt = this.attempt;
    const mayWait =
      state === LockState.active &&
      (attempt.log.locked === 0 || attempt.isOlderThan(ownerSlot(owner)));
    if (!attempt.inevitable && !mayWait) this.giveWay(tword, owner, state);
    return this.waitOnLock(tword, owner, state, deadline);
  }

  /**
   * A hot cell still contended stays hot: reading it unlocked again would fail validation against
   * the next writer and cost a rerun (the transaction's work again) and a sleep.
   */
  protected lockHeld(tword: number): void {
    if (this.hot.size !== 0 && this.hot.has(tword)) this.#hotCountdown = hotStreak;
  }
}
