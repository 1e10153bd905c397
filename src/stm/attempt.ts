/**
 * The running attempt of one worker's transaction on one heap, as the engine's parts share it:
 * its identity in shared memory (its slot's record, the seq of its status word, and the intent
 * and owner words made from them), its flags (locking, recording reads, inevitable, waiting
 * async, doomed), its age for wait-die, its log (attempt-log.ts), and the statistics it adds to.
 * The engine (engine.ts) drives it; snapshot.ts, commit.ts, inevitability.ts, waits.ts and the
 * contention policies (contention.ts) read and change it in place.
 *
 * Kept apart from the engine class so that those parts can share it without importing the engine
 * (no import cycles, .dependency-cruiser.cjs): the engine holds one `Attempt` and hands it to each
 * part at construction. Module-internal: stm/index.ts exports only the engine's own surface.
 */
import type { Allocator } from '../alloc/index.js';
import type { HeapMemory } from '../memory/index.js';
import type { ReclaimParticipant } from '../reclaim/index.js';
import { intentWord } from '../values/index.js';
import { AttemptLog } from './attempt-log.js';
import type { ConflictResolver } from './conflicts.js';
import {
  statField,
  type AbortKind,
  type ConflictEvent,
  type StatField,
  type WordPlace,
} from './stats.js';
import type { TxRecorder } from './recorder.js';
import { twordOwner } from './tword.js';
import { recordField, recordSlot, type TxRecords } from './tx-record.js';
import { intentPayloadOf, ownerWord, seqMask, statusWord, TxState } from './words.js';

/** What the engine and its parts need of the worker's heap context (kept narrow: no cycle). */
export interface AttemptHost {
  readonly memory: HeapMemory;
  readonly slotIndex: number;
  readonly reclaim: ReclaimParticipant;
  /** Undoes `encodeToStore` for a word that was never published. */
  discardUnpublished(word: bigint): void;
  /** Drops a word that left shared memory: its references released, its block retired. */
  dropWord(word: bigint): void;
  readonly allocator: Allocator;
  /** Cells one transaction may write or lock, and read (`limits` by default; tests shrink them). */
  readonly txWriteSetMax: number;
  readonly txReadSetMax: number;
  /** Where transactional word `tword` sits (for reports). */
  describeWord(tword: number): WordPlace;
}

/**
 * Thrown through user code to end an attempt. User code that catches it anyway cannot save the
 * attempt: the engine remembers that it is doomed and reruns it at the end.
 */
export class TxAbort extends Error {
  kind: AbortKind = 'write-write';
  /** Cell to sleep on before the rerun (0: none), and the owner word seen there. */
  waitTword = 0;
  waitOwner = 0;
  otherSlot = -1;
  /** The futex word an async attempt waits on before its rerun (-1: none): see `pendingWait`. */
  waitIndex = -1;

  constructor() {
    super('transaction attempt aborted (internal signal; reruns automatically)');
    this.name = 'TxAbort';
  }
}

/**
 * What a transaction carries from one attempt to the next: its age (wait-die priority), whether
 * its next attempt starts inevitable, and the cells it slept on (it takes their locks with the
 * contended bit: the wake-up chain). A synchronous transaction keeps it in the engine; an async
 * one keeps its own between attempts, since other transactions of this thread run while it waits.
 */
export interface TxCarry {
  firstAttemptMs: number;
  startInevitable: boolean;
  contended: Set<number>;
}

/** What an async transaction waits for between an aborted attempt and its rerun. */
export type PendingWait =
  | {
      readonly kind: 'lock';
      /** The futex word: a cell's owner word or the inevitability token. */
      readonly index: number;
      /** The cell (0 for the token), and the owner seen there. */
      readonly tword: number;
      readonly owner: number;
    }
  | {
      readonly kind: 'reads';
      /** The cells read, and the version each was read at. */
      readonly units: Int32Array;
      readonly versions: readonly bigint[];
    };

/** Transactions run with a read log for this many transactions after one needed it. */
export const recordingStreak = 64;

export class Attempt {
  readonly host: AttemptHost;
  readonly i32: Int32Array;
  readonly b64: BigInt64Array;
  readonly f64: Float64Array;
  readonly records: TxRecords;
  readonly resolver: ConflictResolver;
  readonly slot: number;
  /** i32 index of this slot's status word. */
  readonly statusIndex: number;
  readonly #statsBase: number;
  readonly #priorityIndex: number;
  readonly log: AttemptLog;
  readonly abortSignal = new TxAbort();
  onConflict: ((event: ConflictEvent) => void) | undefined;
  /** The conflict log's recorder of this worker (recorder.ts), when recording is on. */
  recorder: TxRecorder | undefined;
  /** i32 index of this slot's site request word (tx-record.ts). */
  readonly #siteRequestIndex: number;

  /**
   * The seq of this slot's status word: moved on by each attempt's first lock (`beginLocking`),
   * which also makes the attempt's intent word, owner word and aborted status from it.
   */
  seq = 0;
  intent = 0n;
  ownerWord = 0;
  abortedStatus = 0;

  /** Aborted (the signal may have been swallowed by user code). */
  doomed = false;
  /** Has taken its first lock: its status is this attempt's (active or inevitable). */
  lockTaking = false;
  /** Keeps a read log (every read); else reads are only counted. */
  recording = false;
  /** Transactions left that record from their start (`recordingStreak`). */
  recordCountdown = 0;
  inevitable = false;
  /** Inevitable because its function called `inevitable()`. */
  userInevitable = false;
  /** The next attempt starts inevitable (this one failed becoming so). */
  startInevitable = false;
  /** The attempt runs in `atomicallyAsync`: where it would block, it aborts and waits async. */
  waitsAsync = false;
  /** Cells this transaction slept on: it takes their locks with the contended bit (wake chain). */
  contended = new Set<number>();
  /** The synchronous transactions' set (an async one swaps its own in for each attempt). */
  readonly #ownContended = this.contended;
  /** The transaction's age (wall-time ms; 0 until taken: `startClock`). */
  firstAttemptMs = 0;
  /** This attempt's start (performance.now(); 0 until taken). */
  attemptStartMs = 0;
  /** Attempts of the transaction so far, this one included. */
  attempts = 0;

  constructor(host: AttemptHost, records: TxRecords, resolver: ConflictResolver) {
    this.host = host;
    const { memory } = host;
    this.i32 = memory.i32;
    this.b64 = memory.b64;
    this.f64 = memory.f64;
    this.records = records;
    this.resolver = resolver;
    this.slot = host.slotIndex;
    this.statusIndex = records.word(this.slot, recordField.status);
    this.#siteRequestIndex = records.word(this.slot, recordField.siteRequest);
    this.#statsBase = records.slot64(this.slot, recordSlot.statsFirst);
    this.#priorityIndex = records.slot64(this.slot, recordSlot.priority);
    this.log = new AttemptLog(host.txReadSetMax, host.txWriteSetMax, (word) => {
      host.discardUnpublished(word);
    });
  }

  /** Aborts the attempt: the caller catches the signal and reruns (or propagates). */
  fail(
    kind: AbortKind,
    waitTword = 0,
    waitOwner = 0,
    otherSlot = -1,
    waitIndex = waitTword === 0 ? -1 : twordOwner(waitTword),
  ): never {
    const signal = this.abortSignal;
    signal.kind = kind;
    signal.waitTword = waitTword;
    signal.waitOwner = waitOwner;
    signal.otherSlot = otherSlot;
    signal.waitIndex = waitIndex;
    this.doomed = true;
    if (this.recorder !== undefined) this.recorder.failing(kind, waitTword);
    throw signal;
  }

  /** Moves the status to a new active attempt: the first lock of an attempt does this. */
  beginLocking(): void {
    if (this.lockTaking) return;
    // A writing attempt validates its reads at commit, so it must log them all.
    if (!this.recording) {
      if (this.log.reads > 0) {
        this.recordCountdown = recordingStreak;
        this.fail('upgrade');
      }
      this.recording = true;
    }
    this.seq = (this.seq + 1) & seqMask;
    this.intent = intentWord(intentPayloadOf(this.slot, this.seq));
    this.ownerWord = ownerWord(this.slot, this.seq);
    this.abortedStatus = statusWord(this.seq, TxState.aborted);
    // An attempt without an age yet (a first attempt that met nobody) counts as the youngest.
    this.f64[this.#priorityIndex] = this.firstAttemptMs === 0 ? Infinity : this.firstAttemptMs;
    // ORDERING: publishes the priority before any lock of this attempt can be seen.
    Atomics.store(this.i32, this.statusIndex, statusWord(this.seq, TxState.active));
    this.lockTaking = true;
  }

  /** True if another worker aborted this attempt (CAS active → aborted) after it took a lock. */
  preempted(): boolean {
    return this.lockTaking && Atomics.load(this.i32, this.statusIndex) === this.abortedStatus;
  }

  /** The status word this attempt holds while it runs (active or inevitable). */
  ownStatus(): number {
    return statusWord(this.seq, this.inevitable ? TxState.inevitable : TxState.active);
  }

  /** Resets the attempt's flags and write set (it committed or aborted); reads stay. */
  end(committed: boolean): void {
    this.waitsAsync = false;
    this.lockTaking = false;
    this.inevitable = false;
    this.userInevitable = false;
    this.log.endAttempt();
    if (this.recorder !== undefined) this.recorder.attemptEnded(committed);
  }

  // ---------------------------------------------------------------- conflict log (0016)

  /** Asks slot `other` for the site of the transaction it runs (it answers at its attempt end). */
  requestSite(other: number): void {
    Atomics.store(this.i32, this.records.word(other, recordField.siteRequest), 1);
  }

  /** True once per request: a loser asked for this slot's transaction site. */
  takeSiteRequest(): boolean {
    if (Atomics.load(this.i32, this.#siteRequestIndex) === 0) return false;
    Atomics.store(this.i32, this.#siteRequestIndex, 0);
    return true;
  }

  /** Hands an abort to the hook and the recorder (the caller checked that one is set). */
  emitConflict(event: ConflictEvent): void {
    const kind = event.kind;
    // An upgrade rerun and a user's exception are no conflicts: the log leaves them out.
    if (this.recorder !== undefined && kind !== 'upgrade' && kind !== 'exception') {
      this.recorder.conflict(event);
    }
    if (this.onConflict !== undefined && kind !== 'retry') this.onConflict(event);
  }

  // ---------------------------------------------------------------- age (wait-die)

  /** True if this transaction's first attempt is older than slot `other`'s current one. */
  isOlderThan(other: number): boolean {
    this.startClock();
    const theirs = this.records.priority(other);
    return this.firstAttemptMs < theirs || (this.firstAttemptMs === theirs && this.slot < other);
  }

  /**
   * Takes the attempt's start time, and the transaction's age if it has none yet. Lazy, because a
   * clock read costs about 100 ns here, a tenth of a small transaction: a first attempt reads it
   * only when it must compare ages (a conflict); reruns read it at their start. The age is wall
   * time (time origin + now), so that workers with different time origins (browsers) compare.
   */
  startClock(): void {
    if (this.attemptStartMs !== 0) return;
    const now = performance.now();
    this.attemptStartMs = now;
    if (this.firstAttemptMs !== 0) return;
    this.firstAttemptMs = performance.timeOrigin + now;
    // Published while this attempt's locks may be seen. Until now it counted as the youngest; the
    // age it takes is younger than any a waiter has compared against so far, so no waiter that
    // chose to wait for it (being older) would now have to die, nor the other way round: no
    // waits-for cycle can come of it.
    if (this.lockTaking) this.f64[this.#priorityIndex] = this.firstAttemptMs;
  }

  /** Milliseconds since the attempt started (0 if it never needed its start time). */
  attemptMs(): number {
    return this.attemptStartMs === 0 ? 0 : performance.now() - this.attemptStartMs;
  }

  // ---------------------------------------------------------------- async transactions

  /**
   * Takes the per-transaction state out for an async transaction that is about to wait (other
   * transactions of this thread may run meanwhile), leaving the synchronous ones' own.
   */
  suspend(carry: TxCarry): void {
    carry.firstAttemptMs = this.firstAttemptMs;
    carry.startInevitable = this.startInevitable;
    carry.contended = this.contended;
    this.contended = this.#ownContended;
    this.startInevitable = false;
  }

  /** Puts an async transaction's state back before its next attempt (`suspend`'s inverse). */
  resume(carry: TxCarry): void {
    this.firstAttemptMs = carry.firstAttemptMs;
    this.startInevitable = carry.startInevitable;
    this.contended = carry.contended;
  }

  // ---------------------------------------------------------------- statistics

  count(field: StatField): void {
    const at = this.#statsBase + statField[field];
    this.f64[at] = (this.f64[at] ?? 0) + 1;
  }

  addStat(field: StatField, amount: number): void {
    const at = this.#statsBase + statField[field];
    this.f64[at] = (this.f64[at] ?? 0) + amount;
  }

  noteAttempts(): void {
    const at = this.#statsBase + statField.attemptsMax;
    if (this.attempts > (this.f64[at] ?? 0)) this.f64[at] = this.attempts;
  }

  /**
   * Counts a wait on another transaction (`tword`: its cell, 0 for none; `otherSlot`: its worker,
   * -1 if unknown) begun at `started`.
   */
  noteWait(tword: number, started: number, otherSlot = -1): void {
    const lost = performance.now() - started;
    this.count('waits');
    this.addStat('waitMs', lost);
    if (this.recorder !== undefined) this.recorder.waited(tword, lost, otherSlot);
    if (this.onConflict !== undefined) {
      this.onConflict({
        kind: 'wait',
        ...wordFields(this.host, tword),
        slot: this.slot,
        otherSlot,
        lostMs: lost,
      });
    }
  }
}

/** The word fields of a conflict event: the word, its place, and the block that holds it. */
export function wordFields(
  host: AttemptHost,
  tword: number,
): Pick<ConflictEvent, 'cell' | 'word' | 'place'> {
  if (tword === 0) return { cell: 0, word: 0, place: undefined };
  const place = host.describeWord(tword);
  return { cell: place.handle, word: tword, place };
}
