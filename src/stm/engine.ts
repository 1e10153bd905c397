/**
 * (Past 600 lines on purpose: the fast paths must stay in this one class for V8 to inline them;
 * everything else is in the sibling files the table below maps.)
 *
 * The transaction engine of one worker on one heap: the surface that the attempt loop
 * (atomically.ts) and the shared objects (objects/cell.ts) call, and the fast paths of an attempt
 * — reading a cell (`read`), locking one (`lockCell`: the uncontended CAS of `#lockEntry`),
 * buffering a write (`setValue`), `commute` — kept small and in this one class so that V8
 * inlines them into their callers. The algorithm, with the reasons behind each step, is in
 * docs/decisions/0005-stm.md; the words it uses are in words.ts, tword.ts and tx-record.ts. It
 * knows transactional words by their address (`tword`), never the blocks around them: the host
 * names a word's object for reports.
 *
 * Everything past the fast paths is one part per responsibility, each made here at construction
 * and sharing the running attempt (attempt.ts: identity, flags, age, statistics) and its log
 * (attempt-log.ts: read log, write set, checkpoints, actions):
 *
 * | part           | file                   | responsibility                                     |
 * |----------------|------------------------|----------------------------------------------------|
 * | `Snapshot`     | snapshot.ts            | clock cache (TLC), snapshot extension, validation  |
 * | `Contention`   | contention.ts, with    | lock conflicts, intents met, hot cells, the wait   |
 * |                | contention-wait-die.ts | after an abort, escalation to inevitable: wait-die |
 * |                | contention-naive.ts    | or naive retry, chosen at construction             |
 * | `Inevitability`| inevitability.ts       | the heap's token; becoming inevitable              |
 * | `Committer`    | commit.ts              | commit steps 1–7, read-only finish, abort          |
 * | `Waits`        | waits.ts               | `retry` sleeps; an async transaction's waits       |
 *
 * - Reads are invisible: checked against the snapshot (snapshot.ts), never written anywhere, so
 *   a running attempt only ever sees a consistent snapshot (opacity).
 * - Writes lock the cell (owner word) at the first write of an attempt and buffer the new value;
 *   a lock held by another attempt is the contention policy's to resolve.
 * - Commit places intents, publishes its counter, validates, decides and writes back (commit.ts).
 *   A transaction is serialised when its intents are all placed; read-only attempts at their
 *   start. docs/decisions/0005-stm.md proves that this order is a strict serialisation.
 */
import { assert, limits } from '../base/index.js';
import { isIntentWord, numberOfWord, numberWord } from '../values/index.js';
import {
  Attempt,
  recordingStreak,
  TxAbort,
  type AttemptHost,
  type PendingWait,
  type TxCarry,
} from './attempt.js';
import { commuted, hasWrite, noWrite, unlocked, type AttemptLog } from './attempt-log.js';
import { Committer } from './commit.js';
import { ConflictResolver } from './conflicts.js';
import { contentionKindDefault, type Contention, type ContentionKind } from './contention.js';
import { NaiveRetry } from './contention-naive.js';
import { WaitDie } from './contention-wait-die.js';
import { Inevitability } from './inevitability.js';
import { recoverTransaction } from './recovery.js';
import { Snapshot } from './snapshot.js';
import type { TxRecorder } from './recorder.js';
import type { AbortKind, ConflictEvent, WordPlace } from './stats.js';
import { twordOwner, twordValue, twordVersion } from './tword.js';
import { recordField, TxRecords } from './tx-record.js';
import { Waits } from './waits.js';
import { holdsLocks, statusSeq, statusState, versionCovered } from './words.js';

/** What the engine needs of the worker's heap context (kept narrow to avoid a cycle). */
export interface EngineHost extends AttemptHost {
  /**
   * The contention policy (contention.ts): wait-die unless a benchmark asks for naive retry
   * (`useNaiveContention`, or this field).
   */
  readonly contention?: ContentionKind;
}
export { TxAbort, type PendingWait, type TxCarry };

export class TxEngine {
  readonly #host: EngineHost;
  readonly #i32: Int32Array;
  readonly #b64: BigInt64Array;
  readonly records: TxRecords;
  readonly resolver: ConflictResolver;
  readonly slot: number;
  readonly abortSignal: TxAbort;
  /** The running attempt, shared with the parts below (attempt.ts), and its log. */
  readonly #attempt: Attempt;
  readonly #log: AttemptLog;
  readonly #contention: Contention;
  /** The contention policy's hot cells (read by `read`'s fast path; the policy marks them). */
  readonly #hot: Set<number>;
  readonly #snapshot: Snapshot;
  /** The snapshot's clock cache (TLC), which `read`'s fast path checks versions against. */
  readonly #clockCache: Float64Array;
  readonly #inevitability: Inevitability;
  readonly #committer: Committer;
  readonly #waits: Waits;

  constructor(host: EngineHost) {
    this.#host = host;
    const { memory } = host;
    this.#i32 = memory.i32;
    this.#b64 = memory.b64;
    this.slot = host.slotIndex;
    this.records = new TxRecords(memory);
    this.resolver = new ConflictResolver(memory, this.records);
    const attempt = new Attempt(host, this.records, this.resolver);
    this.#attempt = attempt;
    this.#log = attempt.log;
    this.abortSignal = attempt.abortSignal;
    const kind = host.contention ?? contentionKindDefault();
    this.#contention = kind === 'naive' ? new NaiveRetry(attempt) : new WaitDie(attempt);
    this.#hot = this.#contention.hot;
    this.#snapshot = new Snapshot(attempt, this.#contention);
    this.#clockCache = this.#snapshot.cache;
    this.#inevitability = new Inevitability(attempt, (tword) => this.lockCell(tword));
    this.resolver.onPreempt = () => {
      attempt.count('preemptions');
    };
    // Reads the slot's clock: before recovery, as it always was (recovery leaves clocks alone).
    this.#committer = new Committer(attempt, this.#snapshot, this.#contention, this.#inevitability);
    this.#waits = new Waits(attempt, this.#snapshot, this.#inevitability);
    // A slot can come back with its previous holder's attempt undecided or unfinished, or its log
    // (reclaim/ recovers zombie slots without knowing about transactions): finish or abort the
    // attempt and retire the log first.
    const leftOver =
      holdsLocks(statusState(Atomics.load(this.#i32, this.#attempt.statusIndex))) ||
      Atomics.load(this.#i32, this.records.word(this.slot, recordField.logUnit)) !== 0;
    if (leftOver) this.recoverSlot(this.slot);
    this.#committer.reserveLog();
    const status = Atomics.load(this.#i32, this.#attempt.statusIndex);
    this.#attempt.seq = statusSeq(status);
    assert(!holdsLocks(statusState(status)), `slot ${this.slot} claimed with a live attempt`);
    this.#snapshot.refreshAll();
  }

  /** Called with every conflict of this worker's transactions (`heap.onConflict`). */
  get onConflict(): ((event: ConflictEvent) => void) | undefined {
    return this.#attempt.onConflict;
  }

  set onConflict(hook: ((event: ConflictEvent) => void) | undefined) {
    this.#attempt.onConflict = hook;
  }

  /** The conflict log's recorder of this worker (decision 0016), or undefined: recording off. */
  get recorder(): TxRecorder | undefined {
    return this.#attempt.recorder;
  }

  set recorder(recorder: TxRecorder | undefined) {
    this.#attempt.recorder = recorder;
  }

  /**
   * What this worker runs now, for the conflict log (a `TransactionQueue` task's name), or
   * undefined. Set by whoever runs the work; read only by the recorder.
   */
  label: string | undefined = undefined;

  /** Where transactional word `tword` sits: object, part, key (for conflict reports). */
  describeWord(tword: number): WordPlace {
    return this.#host.describeWord(tword);
  }

  /** Asks slot `other` for its transaction's site (see `Attempt.requestSite`). */
  requestSite(other: number): void {
    this.#attempt.requestSite(other);
  }

  /** True once per request: another worker asked for this one's transaction site. */
  takeSiteRequest(): boolean {
    return this.#attempt.takeSiteRequest();
  }

  /** Finishes or aborts the attempt a dead holder of `slot` left, and retires its log. */
  recoverSlot(slot: number): void {
    const host = this.#host;
    recoverTransaction(
      {
        memory: host.memory,
        records: this.records,
        resolver: this.resolver,
        reclaim: host.reclaim,
        dropWord: (word) => {
          host.dropWord(word);
        },
        discardUnpublished: (word) => {
          host.discardUnpublished(word);
        },
      },
      slot,
    );
  }

  // ---------------------------------------------------------------- attempts

  /**
   * Starts attempt `attempt` (0 for the first) of a transaction. The clock is read lazily (a read
   * costs as much as a small transaction): a first attempt takes its start time when it first
   * needs it — its first lock (the age that wait-die compares) or its first snapshot extension.
   */
  begin(attempt: number, waitsAsync = false): void {
    this.#host.reclaim.enter();
    const state = this.#attempt;
    state.waitsAsync = waitsAsync;
    state.doomed = false;
    this.#log.forgetReads();
    state.attempts = attempt + 1;
    state.attemptStartMs = 0;
    if (state.recorder !== undefined) state.recorder.attemptStarted(attempt !== 0);
    if (attempt === 0) state.firstAttemptMs = 0;
    else state.startClock();
    // (A rerun that locks hot cells at their first read must log its reads.)
    state.recording = state.recordCountdown > 0 || this.#hot.size !== 0;
    if (state.recordCountdown > 0) state.recordCountdown -= 1;
    const escalate = this.#contention.escalates(attempt);
    if (state.startInevitable || escalate) {
      state.startInevitable = false;
      this.becomeInevitable(false);
    }
  }

  /** Aborts the attempt (Attempt.fail): the caller catches the signal and reruns (or propagates). */
  fail(
    kind: AbortKind,
    waitTword?: number,
    waitOwner?: number,
    otherSlot?: number,
    waitIndex?: number,
  ): never {
    return this.#attempt.fail(kind, waitTword, waitOwner, otherSlot, waitIndex);
  }

  /** `orElse` caught a `retry` of its first branch: the attempt goes on. */
  undoom(): void {
    this.#attempt.doomed = false;
  }

  /** True if the attempt was aborted (the signal may have been swallowed by user code). */
  get doomed(): boolean {
    return this.#attempt.doomed;
  }

  // ---------------------------------------------------------------- reads

  /**
   * The slot word of cell `tword` as this attempt sees it. The common case — a cell this attempt
   * has not locked, no commit in progress on it, a version inside the snapshot — is kept small
   * so that the compiler inlines it into its callers; every other case is a call away.
   */
  read(tword: number): bigint {
    const log = this.#log;
    const attempt = this.#attempt;
    if (log.entries !== 0 || attempt.inevitable || this.#hot.size !== 0) {
      return this.#readOwnOrLocked(tword);
    }
    const b64 = this.#b64;
    const versionIndex = twordVersion(tword);
    const version = Atomics.load(b64, versionIndex);
    const word = Atomics.load(b64, twordValue(tword));
    if (
      isIntentWord(word) ||
      Atomics.load(b64, versionIndex) !== version ||
      !versionCovered(version, this.#clockCache)
    ) {
      return this.#readShared(tword);
    }
    if (attempt.recording) log.logRead(tword, version);
    log.reads += 1;
    return word;
  }

  /** `read` of a cell when this attempt has locked cells, is inevitable, or has hot cells. */
  #readOwnOrLocked(tword: number): bigint {
    const log = this.#log;
    const attempt = this.#attempt;
    if (log.entries !== 0) {
      const index = log.entryOf(tword);
      if (index !== undefined) {
        if (log.wState[index] === commuted) this.#settleCommute(index);
        if (log.wState[index] === unlocked && attempt.inevitable) this.#relock(tword, index);
        if (log.wState[index] === hasWrite) return log.wNewValue[index] ?? 0n;
        // Locked for reading by an inevitable attempt. (Locked without a write otherwise — a
        // failed encoding, a rolled-back branch — is read like any cell: checked against the
        // snapshot.)
        if (attempt.inevitable) return log.wOldValue[index] ?? 0n;
      }
    }
    if (attempt.inevitable) {
      // lockCell may grow the entry arrays: index them only after it returns.
      const index = this.lockCell(tword);
      // Logged too, though a lock needs no validation: an attempt made inevitable by contention
      // that calls `retry` waits on what it read, like any other.
      log.logRead(tword, log.wOldVersion[index] ?? 0n);
      log.reads += 1;
      return log.wOldValue[index] ?? 0n;
    }
    // A cell that made an earlier attempt fail is locked first, and read as locked.
    if (this.#hot.size !== 0 && this.#hot.has(tword)) return this.#readLocked(tword);
    return this.#readShared(tword);
  }

  /** Reads a cell this attempt has not locked: a consistent pair inside the snapshot. */
  #readShared(tword: number): bigint {
    const b64 = this.#b64;
    const versionIndex = twordVersion(tword);
    const valueIndex = twordValue(tword);
    for (let attempt = 0; attempt < limits.txAttemptsMax; attempt += 1) {
      const version = Atomics.load(b64, versionIndex);
      const word = Atomics.load(b64, valueIndex);
      if (isIntentWord(word)) {
        this.meetIntent(tword, word);
        continue;
      }
      if (Atomics.load(b64, versionIndex) !== version) continue;
      // A refreshed snapshot may cover a commit that wrote this cell after the loads above: read
      // the cell again under the new snapshot.
      if (this.#snapshot.extend(version)) continue;
      if (this.#attempt.recording) this.#log.logRead(tword, version);
      this.#log.reads += 1;
      return word;
    }
    return this.fail('write-read', tword);
  }

  /**
   * Reads a cell by locking it: the value and version `lockCell` read under the lock (a
   * consistent committed pair), checked against the snapshot like any read. No reload after a
   * snapshot extension: the cell cannot have changed since that pair was read unless this attempt
   * was preempted, and an extension fails a preempted attempt (after refreshing, so that a
   * preemption before it is seen). Saves the three loads of an unlocked read, on the path where a
   * contended cell is held.
   */
  #readLocked(tword: number): bigint {
    const index = this.lockCell(tword);
    const version = this.#log.wOldVersion[index] ?? 0n;
    this.#snapshot.extend(version);
    if (this.#attempt.recording) this.#log.logRead(tword, version);
    this.#log.reads += 1;
    // (read() returned earlier for a cell this attempt has written.)
    return this.#log.wOldValue[index] ?? 0n;
  }

  /** A reader met an intent: help or undo it if decided, else wait for it (then preempt). */
  meetIntent(tword: number, intent: bigint): void {
    this.#contention.meetIntent(tword, intent);
  }

  // ---------------------------------------------------------------- writes

  /**
   * Locks cell `tword` for this attempt (if not yet) and returns its write-set entry. The entry
   * holds the cell's committed value and version as of the lock; it writes nothing until
   * `setValue`.
   */
  lockCell(tword: number): number {
    const log = this.#log;
    if (log.entries !== 0) {
      const known = log.entryOf(tword);
      if (known !== undefined) {
        const state = log.wState[known];
        if (state === unlocked) this.#relock(tword, known);
        // A commuted cell is not locked yet: lock it now (the caller may overwrite the sum).
        else if (state === commuted) this.#settleCommute(known);
        return known;
      }
    }
    if (log.entries >= log.writeSetMax) log.refuseWriteSet();
    this.#lockEntry(tword);
    const index = log.addEntry(tword);
    this.#readCommitted(tword, index);
    return index;
  }

  /** Locks the cell of an `unlocked` entry again (a rolled-back commute left it unlocked). */
  #relock(tword: number, index: number): void {
    this.#lockEntry(tword);
    this.#readCommitted(tword, index);
    this.#log.wState[index] = noWrite;
  }

  /** Takes the lock of cell `tword` for this attempt (its entry is the caller's to make). */
  #lockEntry(tword: number): void {
    const attempt = this.#attempt;
    if (!attempt.lockTaking) attempt.beginLocking();
    // Uncontended, the lock is one CAS from the free word. After sleeping on this lock (now or
    // before this attempt's abort) other sleepers may remain, so it is taken with the contended
    // bit and its release wakes the next (wake-up chain): that is the slow path's to do.
    const contended = attempt.contended;
    const free =
      (contended.size === 0 || !contended.has(tword)) &&
      Atomics.compareExchange(this.#i32, twordOwner(tword), 0, attempt.ownerWord) === 0;
    if (!free) this.#contention.lockContended(tword);
    attempt.log.locked += 1;
    // A waiter may have preempted this attempt meanwhile: its locks are then not its own.
    if (attempt.preempted()) attempt.fail('preempted');
  }

  /** Buffers the new value of a locked cell (a word encoded for storing, owned by the log). */
  setValue(index: number, word: bigint): void {
    const log = this.#log;
    const state = log.wState[index] ?? noWrite;
    const previous = log.wNewValue[index] ?? 0n;
    if (log.marks.length > 0) {
      log.undo.push({ index, state, value: previous, delta: log.wDelta[index] ?? 0 });
    } else if (state === hasWrite) {
      this.#host.discardUnpublished(previous);
    }
    log.wNewValue[index] = word;
    log.wState[index] = hasWrite;
  }

  /**
   * Adds `delta` to the number in cell `tword` at commit, without reading it now: concurrent
   * commutes of one cell never fail each other's validation (Clojure's `commute`). The commit
   * locks the cell, reads its committed value under the lock and adds; a cell that does not hold
   * a number then is a TypeError, and nothing commits. A read of the cell later in the
   * transaction locks it at once and sees the sum. An inevitable attempt adds at once.
   */
  commute(tword: number, delta: number): void {
    const log = this.#log;
    const known = log.entries === 0 ? undefined : log.entryOf(tword);
    const fresh = known === undefined || log.wState[known] === unlocked;
    if (fresh && !this.#attempt.inevitable) {
      if (known === undefined && log.entries >= log.writeSetMax) log.refuseWriteSet();
      const index = known ?? log.addEntry(tword);
      if (log.marks.length > 0) log.undo.push({ index, state: unlocked, value: 0n, delta: 0 });
      log.wState[index] = commuted;
      log.wDelta[index] = delta;
      return;
    }
    const index = known ?? this.lockCell(tword);
    if (log.wState[index] === commuted) {
      if (log.marks.length > 0) {
        log.undo.push({ index, state: commuted, value: 0n, delta: log.wDelta[index] ?? 0 });
      }
      log.wDelta[index] = (log.wDelta[index] ?? 0) + delta;
      return;
    }
    const current = log.wState[index] === hasWrite ? log.wNewValue[index] : log.wOldValue[index];
    this.setValue(index, numberWord(this.#numberIn(current ?? 0n, tword) + delta));
  }

  /** Locks a `commuted` entry's cell, reads its committed number and writes the sum. */
  #settleCommute(index: number): void {
    const log = this.#log;
    const tword = log.wTwords[index] ?? 0;
    this.#lockEntry(tword);
    this.#readCommitted(tword, index);
    const sum = this.#numberIn(log.wOldValue[index] ?? 0n, tword) + (log.wDelta[index] ?? 0);
    // In place: a rollback of an enclosing checkpoint restores the `commuted` state it undoes.
    log.wNewValue[index] = numberWord(sum);
    log.wState[index] = hasWrite;
  }

  #numberIn(word: bigint, tword: number): number {
    const value = numberOfWord(word);
    if (value === undefined) {
      throw new TypeError(
        `cannot add to cell ${String(this.#host.describeWord(tword).handle)}: it does not hold a number`,
      );
    }
    return value;
  }

  /** Registers `action` to run once after the transaction commits (not if it aborts). */
  onCommit(action: () => void): void {
    this.#log.commitActions.push(action);
  }

  /**
   * Asks for a commit stamp: if this attempt commits having written something, `action` is
   * called with a number from a heap-wide counter at the attempt's serialisation point, before
   * its decision (commit.ts). Stamps increase in the order the transactions that take them are
   * serialised, and the calls of one attempt get consecutive stamps in the order they were
   * asked for — so an ordered collection can stamp its new entries with their insertion order.
   * `action` runs inside the commit: it must only store plainly into blocks the attempt has not
   * published yet (the decision publishes them), and must not throw.
   */
  stampAtCommit(action: (stamp: number) => void): void {
    this.#log.stampActions.push(action);
  }

  /** Registers `action` to run once if this attempt aborts (or its checkpoint rolls back). */
  onAbort(action: () => void): void {
    this.#log.abortActions.push(action);
  }

  /** Runs the commit actions of the transaction that just committed (outside of it). */
  runCommitActions(): void {
    this.#log.runCommitActions();
  }

  /**
   * Reads a cell this attempt has just locked: its committed value and version. Under the lock
   * only the previous holder's intent can still change them, and every path that resolves an
   * intent moves the version before the value (write-back: CAS version, then CAS value; undo:
   * value only). So a value that is not an intent, then the version, is a consistent pair: two
   * loads instead of the three of an unlocked read.
   */
  #readCommitted(tword: number, index: number): void {
    const b64 = this.#b64;
    for (let attempt = 0; attempt < limits.txAttemptsMax; attempt += 1) {
      const word = Atomics.load(b64, twordValue(tword));
      if (isIntentWord(word)) {
        // Left by the previous holder of the lock, whose attempt is decided: resolve it.
        if (!this.resolver.resolveFinished(tword, word)) this.meetIntent(tword, word);
        continue;
      }
      const version = Atomics.load(b64, twordVersion(tword));
      this.#log.wOldVersion[index] = version;
      this.#log.wOldValue[index] = word;
      // An inevitable attempt reads locked cells: it only keeps its clock cache fresh.
      if (this.#attempt.inevitable) this.#snapshot.refreshFor(version);
      return;
    }
    this.fail('write-read', tword);
  }

  // ---------------------------------------------------------------- inevitability

  /**
   * Makes the attempt irrevocable (inevitability.ts). `byUser` marks the user's own call (a second
   * one is an error).
   */
  becomeInevitable(byUser: boolean): void {
    this.#inevitability.become(byUser);
  }

  // ---------------------------------------------------------------- commit

  /** Commits the attempt (commit.ts), or throws the abort signal (the caller reruns). */
  commit(): void {
    const attempt = this.#attempt;
    if (attempt.doomed) attempt.fail(attempt.abortSignal.kind);
    const log = this.#log;
    let writes = 0;
    for (let index = 0; index < log.entries; index += 1) {
      if (log.wState[index] === commuted) this.#settleCommute(index);
      if (log.wState[index] === hasWrite) writes += 1;
    }
    if (writes === 0) this.#committer.finishReadOnly();
    else this.#committer.commitWrites(writes);
  }

  // ---------------------------------------------------------------- abort

  /**
   * Ends a failed attempt (commit.ts): undoes its intents, releases its locks, frees its
   * unpublished values. Its reads are kept (a `retry` sleeps on them) until the next `begin`.
   */
  abortAttempt(kind: AbortKind): void {
    this.#committer.abort(kind);
  }

  /** After an abort by conflict: the contention policy may sleep on the cell in the way. */
  waitAfterAbort(): void {
    this.#contention.waitAfterAbort();
  }

  /** Forgets the read log and the cells slept on (a transaction ended for good). */
  endTransaction(): void {
    this.#log.forgetReads();
    if (this.#attempt.contended.size !== 0) this.#attempt.contended.clear();
    this.#contention.endTransaction();
    this.#attempt.startInevitable = false;
  }

  // ---------------------------------------------------------------- retry and orElse

  /** `retry`: the attempt is aborted; sleep until a cell it read is written (waits.ts). */
  sleepUntilReadsChange(): void {
    this.#waits.sleepUntilReadsChange();
  }

  // ---------------------------------------------------------------- async waits

  /**
   * Takes the per-transaction state out of the engine for an async transaction that is about to
   * wait (other transactions of this thread may run meanwhile), leaving the engine's own.
   */
  suspend(carry: TxCarry): void {
    this.#attempt.suspend(carry);
  }

  /** Puts an async transaction's state back before its next attempt (`suspend`'s inverse). */
  resume(carry: TxCarry): void {
    this.#attempt.resume(carry);
  }

  /**
   * After an aborted async attempt: what to wait for before the rerun, or undefined to rerun at
   * once: the reads of a `retry` (waits.ts), or what the contention policy waits for.
   */
  pendingWait(): PendingWait | undefined {
    if (this.abortSignal.kind === 'retry') return this.#waits.pendingRetry();
    return this.#contention.pendingLockWait();
  }

  /** Waits for `pending` through `Atomics.waitAsync` (waits.ts). */
  waitAsync(pending: PendingWait): Promise<void> {
    return this.#waits.waitAsync(pending);
  }

  /** True if this attempt keeps a read log (a `retry` needs one to know what to wait for). */
  get recording(): boolean {
    return this.#attempt.recording;
  }

  /** Makes the next attempts record their reads (the current one could not). */
  recordFromNextAttempt(): void {
    this.#attempt.recordCountdown = recordingStreak;
  }

  get reads(): number {
    return this.#log.reads;
  }

  get inevitable(): boolean {
    return this.#attempt.inevitable;
  }

  /** The running attempt is inevitable because its function called `inevitable()`. */
  get userInevitable(): boolean {
    return this.#attempt.userInevitable;
  }

  /**
   * Opens a checkpoint (an `orElse` branch, a nested `atomically`): `rollBack` undoes the writes
   * made since and runs the abort actions registered since; `keep` makes them the enclosing
   * level's. Checkpoints nest: each call closes the innermost open one. Reads and locks stay.
   */
  checkpoint(): void {
    this.#log.checkpoint();
  }

  rollBack(): void {
    this.#log.rollBack();
  }

  keep(): void {
    this.#log.keep();
  }

  /** True if every read of the (failed) attempt still holds: a user error then propagates. */
  readsStillValid(): boolean {
    // Preempted: what it read under its locks may have changed since. (An exception thrown after
    // the decision leaves the status committing: the attempt stands and the error propagates.)
    if (this.#attempt.preempted()) return false;
    return !this.#attempt.recording || this.#snapshot.readsStillValid();
  }

  /** Gives the shared log back (the worker leaves). */
  dispose(): void {
    this.#committer.dispose();
  }
}
