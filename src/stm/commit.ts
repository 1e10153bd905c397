/**
 * The end of an attempt: its commit, or its abort. The algorithm, with the reasons behind each
 * step, is in docs/decisions/0005-stm.md; its shared words are in words.ts and tx-record.ts.
 *
 * Commit of a writing attempt (invariant: an attempt's intents are all resolved before its slot's
 * next attempt takes a lock; every cell written is locked by the attempt since its first write):
 *   1. write the redo log to shared memory (tx-record.ts);
 *   2. place an intent in every written cell (CAS old value → intent); then, if the attempt asked
 *      for commit stamps, take them from the heap-wide counter (one `Atomics.add`);
 *   3. publish the commit counter in this slot's clock;
 *   4. validate: read cells still have their read versions and no live intent (written cells
 *      need no check: their locks were held throughout unless the attempt was preempted, and
 *      a preempted attempt fails step 5);
 *   5. decide: CAS status active → committing. LINEARISATION POINT of the transaction. Before it
 *      anyone may abort the attempt (CAS active → aborted), after it anyone may finish it;
 *   6. write back each cell (CAS version old → new, CAS value intent → new), wake watchers;
 *   7. CAS status committing → committed; whoever wins retires the old values; release locks.
 * A transaction is serialised at the end of step 2 (all intents placed); read-only attempts at
 * their start. A read-only attempt that took locks (an inevitable one, or a branch that retried)
 * only moves its status on and releases them.
 *
 * An abort undoes the intents placed (CAS intent → old value), releases the locks, frees the
 * values never published and runs the abort actions. Either way the attempt's shared log count
 * is cleared before its unpublished values are freed (see `#clearLog`).
 */
import { BugError, crashPoint, limits } from '../base/index.js';
import { headerWord64 } from '../memory/index.js';
import { isIntentWord } from '../values/index.js';
import { hasWrite } from './attempt-log.js';
import { recordingStreak, wordFields, type Attempt } from './attempt.js';
import type { Contention } from './contention.js';
import type { Inevitability } from './inevitability.js';
import type { Snapshot } from './snapshot.js';
import { abortStat, type AbortKind } from './stats.js';
import { twordOwner, twordValue, twordVersion } from './tword.js';
import { logEntriesInitial, recordSlot, SharedLog } from './tx-record.js';
import { contendedBit, statusWord, TxState, versionSlot, versionWord } from './words.js';

export class Committer {
  readonly #attempt: Attempt;
  readonly #snapshot: Snapshot;
  readonly #contention: Contention;
  readonly #inevitability: Inevitability;
  readonly #sharedLog: SharedLog;
  /** b64 index of this slot's clock: the counter of its last commit. */
  readonly #clockIndex: number;
  #clock: number;
  /** `#clock` as the BigInt stored in the record (kept alongside: a conversion costs ~20 ns). */
  #clockWord: bigint;
  /** The shared log holds this attempt's entries (its count is set). */
  #logHolds = false;

  constructor(
    attempt: Attempt,
    snapshot: Snapshot,
    contention: Contention,
    inevitability: Inevitability,
  ) {
    this.#attempt = attempt;
    this.#snapshot = snapshot;
    this.#contention = contention;
    this.#inevitability = inevitability;
    const { host, records, slot } = attempt;
    this.#sharedLog = new SharedLog(host.memory, records, slot, host.allocator);
    this.#clockIndex = records.slot64(slot, recordSlot.clock);
    // The slot's clock and seq carry on from its previous holders: versions never recur.
    this.#clock = records.clock(slot);
    this.#clockWord = BigInt(this.#clock);
  }

  /**
   * Makes the shared log now, so that a worker's first commit allocates nothing (the log grows
   * only for transactions that write more cells than it holds).
   */
  reserveLog(): void {
    this.#sharedLog.reserve(logEntriesInitial);
  }

  /** Steps 1–7 for an attempt with `writes` written cells (commutes settled already). */
  commitWrites(writes: number): void {
    const attempt = this.#attempt;
    this.#writeSharedLog(writes);
    crashPoint('commit.beforeIntents');
    this.#placeIntents();
    crashPoint('commit.afterIntents');
    if (attempt.log.stampActions.length !== 0) this.#stamp();
    const counter = this.#clock + 1;
    this.#clock = counter;
    this.#clockWord += 1n;
    // ORDERING: the clock is published after every intent is placed (the serialisation point)
    // and before any cell shows the new version, so a reader that sees the version can refresh
    // its cache to cover it, and a snapshot that covers it was taken after the intents. It is
    // also the attempt's commit counter for helpers (it stays put until the next attempt).
    Atomics.store(attempt.b64, this.#clockIndex, this.#clockWord);
    // This worker's own commits are in its snapshot (it placed their intents itself): without
    // this, its next read of a cell it wrote would refresh and validate for nothing.
    this.#snapshot.cache[attempt.slot] = counter;
    // Written cells need no check: their locks were held all along unless the attempt was
    // preempted, and then the decision below fails.
    const stale = attempt.inevitable ? 0 : this.#snapshot.firstStaleRead();
    if (stale !== 0) {
      // The writer that moved the cell on, for the conflict report (its version names it).
      const writer = versionSlot(Atomics.load(attempt.b64, twordVersion(stale)));
      this.#contention.staleRead(stale, writer === attempt.slot ? -1 : writer);
    }
    crashPoint('commit.beforeDecision');
    const committing = statusWord(attempt.seq, TxState.committing);
    if (
      Atomics.compareExchange(attempt.i32, attempt.statusIndex, attempt.ownStatus(), committing) !==
      attempt.ownStatus()
    ) {
      attempt.fail('preempted');
    }
    crashPoint('commit.afterDecision');
    this.#finishDecided(committing);
    // A worker that keeps writing keeps its read log on (no upgrade rerun every streak).
    attempt.recordCountdown = recordingStreak;
    attempt.count('commits');
    attempt.noteAttempts();
    this.#endAttempt(true);
  }

  /** Commits an attempt that wrote nothing: it was serialised at its start. */
  finishReadOnly(): void {
    const attempt = this.#attempt;
    if (attempt.lockTaking) {
      // Locks without writes (an inevitable attempt's reads, or a branch that retried).
      const idle = statusWord(attempt.seq, TxState.committed);
      Atomics.compareExchange(attempt.i32, attempt.statusIndex, attempt.ownStatus(), idle);
      this.#releaseLocks();
      this.#inevitability.releaseToken();
    }
    attempt.count('commits');
    attempt.count('readOnlyCommits');
    attempt.noteAttempts();
    this.#endAttempt(true);
  }

  #writeSharedLog(writes: number): void {
    const log = this.#attempt.log;
    const retired = this.#sharedLog.reserve(writes);
    if (retired !== undefined) this.#attempt.host.reclaim.retireBlock(retired);
    let at = 0;
    for (let index = 0; index < log.entries; index += 1) {
      if (log.wState[index] !== hasWrite) continue;
      this.#sharedLog.write(
        at,
        log.wTwords[index] ?? 0,
        log.wOldVersion[index] ?? 0n,
        log.wOldValue[index] ?? 0n,
        log.wNewValue[index] ?? 0n,
      );
      at += 1;
    }
    this.#sharedLog.setCount(writes);
    this.#logHolds = true;
  }

  /**
   * Empties the shared log when an attempt ends, before its unpublished values are freed: a
   * recoverer frees the new values of a dead worker's aborted attempt from its log (recovery.ts),
   * so a count left over from an attempt that ended would free them twice.
   */
  #clearLog(): void {
    if (!this.#logHolds) return;
    this.#logHolds = false;
    this.#sharedLog.setCount(0);
  }

  #placeIntents(): void {
    const attempt = this.#attempt;
    const log = attempt.log;
    const intent = attempt.intent;
    const b64 = attempt.b64;
    for (let index = 0; index < log.entries; index += 1) {
      if (log.wState[index] !== hasWrite) continue;
      log.intentsPlaced = index + 1;
      const tword = log.wTwords[index] ?? 0;
      const old = log.wOldValue[index] ?? 0n;
      const seen = Atomics.compareExchange(b64, twordValue(tword), old, intent);
      if (seen !== old) this.#placeIntentAfter(tword, old, seen);
      crashPoint('commit.midIntents');
    }
  }

  /**
   * Hands out this attempt's commit stamps (TxEngine.stampAtCommit). Invariant: if stamp(A) <
   * stamp(B) for two committed attempts, A is serialised before B. Ordering argument: each takes
   * its stamps after its intents are all placed and before it validates its reads, all with
   * SeqCst atomics. If B is serialised before A, then A read a word B wrote — A's read met B's
   * intent (placed before B's stamp) and waited for B's decision, so A's stamp came after B's —
   * or B wrote a word A read before — A's validation, after A's stamp, would meet B's intent or
   * new version, and fail unless B's intent came after A's stamp, so B's stamp did too — or both
   * wrote one word, whose lock A took after B released it. So an iteration that orders entries
   * by stamp sees the serial order of their inserts.
   */
  #stamp(): void {
    const attempt = this.#attempt;
    const actions = attempt.log.stampActions;
    attempt.log.stampActions = [];
    const count = actions.length;
    const last = Number(Atomics.add(attempt.b64, headerWord64.commitStamp, BigInt(count))) + count;
    for (let index = 0; index < count; index += 1) actions[index]?.(last - count + 1 + index);
  }

  /**
   * The cell held `seen`, not the value read under the lock: a stale intent of an aborted earlier
   * holder (resolved, then try again), or the cell changed — this attempt lost its lock (it was
   * preempted).
   */
  #placeIntentAfter(tword: number, old: bigint, seen: bigint): void {
    const attempt = this.#attempt;
    for (let round = 0; round < limits.txAttemptsMax; round += 1) {
      if (!isIntentWord(seen) || !attempt.resolver.resolveFinished(tword, seen)) {
        attempt.fail('preempted', tword);
      }
      seen = Atomics.compareExchange(attempt.b64, twordValue(tword), old, attempt.intent);
      if (seen === old) return;
    }
    throw new BugError(`intent on ${tword} never placed`);
  }

  /** Steps 6–7 of the commit: write back, mark committed, retire old values, release. */
  #finishDecided(committing: number): void {
    const attempt = this.#attempt;
    const log = attempt.log;
    this.#writeBack(this.#clock);
    const committed = statusWord(attempt.seq, TxState.committed);
    const won =
      Atomics.compareExchange(attempt.i32, attempt.statusIndex, committing, committed) ===
      committing;
    this.#releaseLocks();
    if (won) {
      for (let index = 0; index < log.entries; index += 1) {
        if (log.wState[index] === hasWrite) attempt.host.dropWord(log.wOldValue[index] ?? 0n);
      }
    }
    this.#inevitability.releaseToken();
  }

  #writeBack(counter: number): void {
    const attempt = this.#attempt;
    const log = attempt.log;
    const b64 = attempt.b64;
    const intent = attempt.intent;
    const version = versionWord(counter, attempt.slot);
    let done = 0;
    for (let index = 0; index < log.entries; index += 1) {
      if (log.wState[index] !== hasWrite) continue;
      const tword = log.wTwords[index] ?? 0;
      // Conditional on the exact old words: a helper may have done either step already.
      Atomics.compareExchange(b64, twordVersion(tword), log.wOldVersion[index] ?? 0n, version);
      const newValue = log.wNewValue[index] ?? 0n;
      if (Atomics.compareExchange(b64, twordValue(tword), intent, newValue) === intent) {
        attempt.resolver.notifyWatchers(tword);
      }
      done += 1;
      if (done === 1) crashPoint('commit.midWriteBack');
    }
  }

  #releaseLocks(): void {
    const attempt = this.#attempt;
    const log = attempt.log;
    const me = attempt.ownerWord;
    const i32 = attempt.i32;
    for (let index = 0; index < log.entries; index += 1) {
      const ownerIndex = twordOwner(log.wTwords[index] ?? 0);
      // ORDERING: after the write-back; a waiter woken here sees the new value. The plain word
      // (nobody sleeping) is tried first; a waiter may set the contended bit at any moment.
      const seen = Atomics.compareExchange(i32, ownerIndex, me, 0);
      // Otherwise taken over already (a finished attempt's lock is free: lazy release).
      if (seen !== me && (seen & ~contendedBit) === me) this.#releaseContended(ownerIndex, seen);
    }
  }

  /** Releases a lock that a waiter marked contended, and wakes one sleeper. */
  #releaseContended(ownerIndex: number, contended: number): void {
    const i32 = this.#attempt.i32;
    let expected = contended;
    for (let round = 0; round < limits.conflictSpinMax; round += 1) {
      const seen = Atomics.compareExchange(i32, ownerIndex, expected, 0);
      if (seen === expected) {
        Atomics.notify(i32, ownerIndex, 1);
        return;
      }
      if ((seen & ~contendedBit) !== this.#attempt.ownerWord) return;
      expected = seen;
    }
  }

  /**
   * Ends a failed attempt: undoes its intents, releases its locks, frees its unpublished values.
   * Its reads are kept (a `retry` sleeps on them) until the next `begin`.
   */
  abort(kind: AbortKind): void {
    const attempt = this.#attempt;
    const log = attempt.log;
    const committing = statusWord(attempt.seq, TxState.committing);
    if (attempt.lockTaking && Atomics.load(attempt.i32, attempt.statusIndex) === committing) {
      // Decided already (an exception unwound through the write-back): finish, never undo.
      this.#finishDecided(committing);
      this.#endAttempt();
      return;
    }
    if (attempt.lockTaking) {
      const aborted = statusWord(attempt.seq, TxState.aborted);
      Atomics.compareExchange(attempt.i32, attempt.statusIndex, attempt.ownStatus(), aborted);
      const intent = attempt.intent;
      for (let index = 0; index < log.intentsPlaced; index += 1) {
        if (log.wState[index] !== hasWrite) continue;
        const tword = log.wTwords[index] ?? 0;
        Atomics.compareExchange(attempt.b64, twordValue(tword), intent, log.wOldValue[index] ?? 0n);
      }
      this.#releaseLocks();
    }
    this.#clearLog();
    log.discardWrites();
    this.#inevitability.releaseToken();
    log.commitActions = [];
    log.runAbortActions(0);
    attempt.count(abortStat[kind]);
    const lostMs = attempt.attemptMs();
    attempt.addStat('lostMs', lostMs);
    if (attempt.onConflict !== undefined || attempt.recorder !== undefined) {
      const signal = attempt.abortSignal;
      attempt.emitConflict({
        kind,
        ...wordFields(attempt.host, signal.waitTword),
        slot: attempt.slot,
        otherSlot: kind === 'exception' ? -1 : signal.otherSlot,
        lostMs,
      });
    }
    this.#endAttempt();
  }

  #endAttempt(committed = false): void {
    this.#clearLog();
    this.#attempt.end(committed);
  }

  /** Gives the shared log back (the worker leaves). */
  dispose(): void {
    this.#sharedLog.dispose();
  }
}
