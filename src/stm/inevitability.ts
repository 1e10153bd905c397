/**
 * Inevitable (irrevocable) attempts: at most one per heap, holding the heap's inevitability token
 * (header word `inevitableOwner`, an owner word like a cell's lock: memory/header.ts). An
 * inevitable attempt locks every cell it has read (checking that none changed) and every cell it
 * reads from then on, and its status is `inevitable`, which nobody preempts: so it can never be
 * aborted (only recovery of a dead worker aborts it), and it may have side effects. A transaction
 * becomes inevitable by calling `inevitable()`, or after `attemptsBeforeInevitable` aborted
 * attempts under wait-die (contention-wait-die.ts): that bounds a transaction's attempts
 * (docs/decisions/0005-stm.md).
 *
 * The token is a futex word with the wake-up chain of conflicts.ts: a waiter sets the contended
 * bit before sleeping, the releaser wakes one sleeper, and a woken taker keeps the bit set.
 */
import { assert, crashPoint, limits, TransactionStateError } from '../base/index.js';
import { headerWord } from '../memory/index.js';
import type { Attempt } from './attempt.js';
import {
  contendedBit,
  holdsLocks,
  ownerSeqMatches,
  ownerSlot,
  statusSeq,
  statusState,
  statusWord,
  TxState,
} from './words.js';

export class Inevitability {
  readonly #attempt: Attempt;
  /** The engine's `lockCell`: locks a cell for the attempt and returns its write-set entry. */
  readonly #lockCell: (tword: number) => number;
  /** This attempt holds the token (it must give it back when it ends). */
  #holdsToken = false;

  constructor(attempt: Attempt, lockCell: (tword: number) => number) {
    this.#attempt = attempt;
    this.#lockCell = lockCell;
  }

  /**
   * Makes the attempt irrevocable: it takes the heap's one inevitability token, then locks every
   * cell it has read (checking they did not change) and every cell it reads from now on, so it
   * can never be aborted. `byUser` marks the user's own call (a second one is an error).
   */
  become(byUser: boolean): void {
    const attempt = this.#attempt;
    if (attempt.inevitable) {
      if (byUser && attempt.userInevitable) {
        throw new TransactionStateError(
          'ALREADY_INEVITABLE',
          'inevitable() was already called in this transaction',
        );
      }
      attempt.userInevitable ||= byUser;
      return;
    }
    attempt.userInevitable = byUser;
    attempt.beginLocking();
    this.#takeToken();
    crashPoint('inevitable.afterToken');
    const active = statusWord(attempt.seq, TxState.active);
    const inevitable = statusWord(attempt.seq, TxState.inevitable);
    if (Atomics.compareExchange(attempt.i32, attempt.statusIndex, active, inevitable) !== active) {
      attempt.fail('preempted');
    }
    attempt.inevitable = true;
    crashPoint('inevitable.holding');
    const log = attempt.log;
    if (log.reads === 0) return;
    if (!attempt.recording) {
      attempt.startInevitable = true;
      attempt.fail('inevitable');
    }
    for (let index = 0; index < log.logged; index += 1) {
      const tword = log.readTwords[index] ?? 0;
      const entry = this.#lockCell(tword);
      if (log.wOldVersion[entry] !== log.readVersions[index]) {
        attempt.startInevitable = true;
        attempt.fail('write-read', tword);
      }
    }
  }

  /** Takes the inevitability token, waiting for a live holder only while this attempt is empty. */
  #takeToken(): void {
    const attempt = this.#attempt;
    const i32 = attempt.i32;
    const tokenIndex = headerWord.inevitableOwner;
    const me = attempt.ownerWord;
    let slept = false;
    for (let round = 0; ; round += 1) {
      assert(round < limits.txAttemptsMax, 'inevitability token never became free');
      const holder = Atomics.load(i32, tokenIndex);
      if (holder === 0 || !this.tokenLive(holder)) {
        // After sleeping on the token, taken with the contended bit (wake-up chain, conflicts.ts).
        const wanted = me | (holder & contendedBit) | (slept ? contendedBit : 0);
        if (Atomics.compareExchange(i32, tokenIndex, holder, wanted) === holder) {
          this.#holdsToken = true;
          return;
        }
        continue;
      }
      if (attempt.log.reads > 0 || attempt.log.entries > 0 || attempt.waitsAsync) {
        attempt.startInevitable = true;
        attempt.fail('inevitable', 0, holder, ownerSlot(holder), tokenIndex);
      }
      this.#sleepOnToken(holder);
      slept = true;
    }
  }

  /** True if token word `holder` names a live attempt (else the token is free to take). */
  tokenLive(holder: number): boolean {
    const status = this.#attempt.records.status(ownerSlot(holder));
    return ownerSeqMatches(holder, statusSeq(status)) && holdsLocks(statusState(status));
  }

  /** Sleeps one slice on the token while `holder` keeps it; this attempt holds nothing yet. */
  #sleepOnToken(holder: number): void {
    const attempt = this.#attempt;
    const started = performance.now();
    attempt.host.reclaim.quiesce();
    attempt.resolver.sleepOnWord(headerWord.inevitableOwner, holder, limits.waitSliceMs);
    attempt.host.reclaim.enter();
    attempt.noteWait(0, started);
  }

  /** Gives the token back if this attempt holds it (the attempt ended), waking one sleeper. */
  releaseToken(): void {
    if (!this.#holdsToken) return;
    this.#holdsToken = false;
    const i32 = this.#attempt.i32;
    const tokenIndex = headerWord.inevitableOwner;
    const me = this.#attempt.ownerWord;
    const holder = Atomics.load(i32, tokenIndex);
    if ((holder & ~contendedBit) !== me) return;
    // ORDERING: after the attempt's write-back and lock release; a woken waiter sees them.
    if (Atomics.compareExchange(i32, tokenIndex, holder, 0) === holder && holder !== me) {
      Atomics.notify(i32, tokenIndex, 1);
    }
  }
}
