/**
 * What a worker does when it meets another transaction in a cell: a write lock (owner word) or an
 * intent (a commit in progress). Shared by the transaction engine and the one-operation paths.
 *
 * - A lock or intent of a *finished* attempt (status seq moved on, or aborted/committed) is free:
 *   an aborted attempt's intent is undone (value ← its old value), a committing one's is written
 *   back (helping). Both are CASes from the exact intent word, so a late or repeated helper
 *   changes nothing (intents are unique to an attempt and all resolved before its slot's next
 *   attempt takes a lock).
 * - A *live* attempt that is committing (status `committing`) is helped at once, per cell.
 * - A live attempt that is still active is waited for: futex-style on the cell's owner word (the
 *   waiter sets its contended bit, the releaser wakes one waiter). After `ownerWaitMsMax` a
 *   waiter preempts it: CAS active → aborted, after which its locks and intents are free.
 * - The wake-up chain (Drepper's futex mutex): a release wakes one sleeper, and clears the word,
 *   bit and all. So a woken waiter that takes the lock takes it with the contended bit set (other
 *   sleepers may remain: its own release must wake the next), and one that does not take it — a
 *   reader waiting for an intent, an aborted attempt waiting to rerun — passes its wake-up on.
 *   Without this, every sleeper but the first waited out its whole slice (`waitSliceMs`).
 *   Inevitable attempts are never preempted (only recovery of a dead worker aborts them).
 */
import { crashPoint, limits } from '../base/index.js';
import type { HeapMemory } from '../memory/index.js';
import { sleepWhileEqual, sleepWhileEqualAsync } from '../platform/index.js';
import { intentPayload, isIntentWord } from '../values/index.js';
import { twordOwner, twordValue, twordVersion, twordWatchers } from './tword.js';
import { findLogEntry, recordField, type TxRecords } from './tx-record.js';
import {
  contendedBit,
  holdsLocks,
  intentSeqMatches,
  intentSlot,
  ownerSeqMatches,
  ownerSlot,
  seqMask,
  statusSeq,
  statusState,
  statusWord,
  TxState,
  versionWord,
  watchGroups,
} from './words.js';

/** What a live lock's owner is doing. */
export const LockState = { free: 0, active: 1, inevitable: 2 } as const;
export type LockState = (typeof LockState)[keyof typeof LockState];

/** How one bounded wait for a lock ended. */
export const WaitEnd = {
  /** The deadline had passed: nothing was waited; the caller may preempt. */
  expired: 0,
  /** Slept (or could not: the word changed first) without taking a wake-up. */
  slept: 1,
  /** Woken by a release's notify: see the wake-up chain above. */
  woken: 2,
} as const;
export type WaitEnd = (typeof WaitEnd)[keyof typeof WaitEnd];

export class ConflictResolver {
  readonly #memory: HeapMemory;
  readonly #i32: Int32Array;
  readonly #b64: BigInt64Array;
  readonly records: TxRecords;
  /** Called when this worker preempts another's attempt (for statistics). */
  onPreempt: ((slot: number) => void) | undefined;

  constructor(memory: HeapMemory, records: TxRecords) {
    this.#memory = memory;
    this.#i32 = memory.i32;
    this.#b64 = memory.b64;
    this.records = records;
  }

  /**
   * Whether `owner` (a non-zero owner word read from cell `tword`) is a live lock, helping a
   * committing owner's write-back of this cell on the way (after which the lock is free).
   */
  lockState(owner: number, tword: number): LockState {
    const slot = ownerSlot(owner);
    const status = this.records.status(slot);
    if (!ownerSeqMatches(owner, statusSeq(status))) return LockState.free;
    const state = statusState(status);
    if (state === TxState.active) return LockState.active;
    if (state === TxState.inevitable) return LockState.inevitable;
    if (state !== TxState.committing) return LockState.free;
    const word = Atomics.load(this.#b64, twordValue(tword));
    if (isIntentWord(word)) this.resolveFinished(tword, word);
    return LockState.free;
  }

  /**
   * Resolves an intent found in cell `tword` if its attempt is decided (helps or undoes it) and
   * returns true; returns false if its attempt is live and undecided (active or inevitable: its
   * owner is between placing intents and deciding), in which case the caller waits or preempts.
   */
  resolveFinished(tword: number, intent: bigint): boolean {
    const payload = intentPayload(intent);
    const slot = intentSlot(payload);
    const status = this.records.status(slot);
    const seq = statusSeq(status);
    if (!intentSeqMatches(payload, seq)) return true; // resolved meanwhile: reread the cell
    const state = statusState(status);
    if (state === TxState.active || state === TxState.inevitable) return false;
    const entry = findLogEntry(this.#memory, this.records, slot, tword);
    // The clock is the decided attempt's commit counter until the slot's next attempt commits.
    const counter = this.records.clock(slot);
    // ORDERING: the entry and counter belong to attempt `seq` only if the status still says so.
    if (this.records.status(slot) !== status || entry === undefined) return true;
    const valueSlot = twordValue(tword);
    if (state === TxState.committing || state === TxState.committed) {
      Atomics.compareExchange(
        this.#b64,
        twordVersion(tword),
        entry.oldVersion,
        versionWord(counter, slot),
      );
      // The cell is half written back (new version, the intent still in place): a helper dying
      // here leaves the value's CAS to the next helper, or to the owner or its recoverer.
      crashPoint('help.midWriteBack');
      if (Atomics.compareExchange(this.#b64, valueSlot, intent, entry.newValue) === intent) {
        this.notifyWatchers(tword);
      }
    } else {
      Atomics.compareExchange(this.#b64, valueSlot, intent, entry.oldValue);
    }
    return true;
  }

  /**
   * Waits (one slice) for the live lock `owner` on cell `tword` to go. Returns `expired` once the
   * wait has lasted past `deadlineMs` and the owner is still active: the caller may preempt.
   */
  waitForOwner(tword: number, owner: number, deadlineMs: number): WaitEnd {
    const ownerIndex = twordOwner(tword);
    const now = performance.now();
    if (now >= deadlineMs) return WaitEnd.expired;
    const woken = this.sleepOnWord(
      ownerIndex,
      owner,
      Math.min(limits.waitSliceMs, deadlineMs - now),
    );
    return woken ? WaitEnd.woken : WaitEnd.slept;
  }

  /**
   * One bounded sleep on a futex word (an owner word or the inevitability token) while it still
   * holds `seen`, with its contended bit set so that the releaser wakes a sleeper. Returns at once
   * if the word changed before the bit could be set. True if a release's notify woke it.
   */
  sleepOnWord(index: number, seen: number, timeoutMs: number): boolean {
    const contended = seen | contendedBit;
    if (seen !== contended && Atomics.compareExchange(this.#i32, index, seen, contended) !== seen) {
      return false;
    }
    return sleepWhileEqual(this.#i32, index, contended, timeoutMs);
  }

  /** `sleepOnWord` through `Atomics.waitAsync`, for a thread that must not block. */
  async sleepOnWordAsync(index: number, seen: number, timeoutMs: number): Promise<boolean> {
    const contended = seen | contendedBit;
    if (seen !== contended && Atomics.compareExchange(this.#i32, index, seen, contended) !== seen) {
      return false;
    }
    return sleepWhileEqualAsync(this.#i32, index, contended, timeoutMs);
  }

  /** Passes a wake-up on to the next sleeper of futex word `index` (see the wake-up chain). */
  passWakeUp(index: number): void {
    Atomics.notify(this.#i32, index, 1);
  }

  /**
   * Aborts the attempt that holds lock `owner` if it is still active. The slot's status is read
   * here, after the wait that led to it: by then the lock's attempt may have ended and its slot
   * begun another, which must not be aborted for what the old one did (a spurious abort of an
   * attempt that may hold nothing this waiter wants). So the status's seq must be the lock's.
   * True if that attempt is no longer live.
   */
  preemptOwner(owner: number): boolean {
    const slot = ownerSlot(owner);
    const seq = statusSeq(this.records.status(slot));
    if (!ownerSeqMatches(owner, seq)) return true;
    return this.preempt(slot, seq);
  }

  /** Aborts attempt `seq` of `slot` if it is still active. True if it is no longer live. */
  preempt(slot: number, seq: number): boolean {
    const statusIndex = this.records.word(slot, recordField.status);
    const active = statusWord(seq, TxState.active);
    const seen = Atomics.compareExchange(
      this.#i32,
      statusIndex,
      active,
      statusWord(seq, TxState.aborted),
    );
    if (seen === active) {
      this.onPreempt?.(slot);
      return true;
    }
    return statusSeq(seen) !== (seq & seqMask) || !holdsLocks(statusState(seen));
  }

  /**
   * Wakes every `retry` sleeper that may watch cell `tword` (after a new value was written there):
   * takes the watchers word whole (words.ts: the writer clears it) and wakes each slot of every
   * watch group in it. ORDERING: called after the new value is published, so a sleeper whose bit
   * is taken here either is woken or, setting its bit again later, sees the new value.
   */
  notifyWatchers(tword: number): void {
    const watchersIndex = twordWatchers(tword);
    if (Atomics.load(this.#b64, watchersIndex) === 0n) return;
    scratch[0] = Atomics.exchange(this.#b64, watchersIndex, 0n);
    for (let half = 0; half < 2; half += 1) {
      let bits = scratchHalves[half] ?? 0;
      while (bits !== 0) {
        const bit = 31 - Math.clz32(bits);
        bits &= ~(1 << bit);
        for (let slot = half * 32 + bit; slot < limits.workerSlotsMax; slot += watchGroups) {
          const wakeIndex = this.records.word(slot, recordField.retryWake);
          Atomics.add(this.#i32, wakeIndex, 1);
          // Every sleeper of the slot: a thread may have several async transactions in `retry`.
          Atomics.notify(this.#i32, wakeIndex);
        }
      }
    }
  }
}

const scratch = new BigInt64Array(1);
const scratchHalves = new Int32Array(scratch.buffer);
