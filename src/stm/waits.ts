/**
 * The waits between an aborted attempt and its rerun that are not the contention policy's:
 * `retry` (GHC's: sleep until a cell the attempt read is written), and every wait of an async
 * transaction (`atomicallyAsync`), which must not block its thread and so waits through
 * `Atomics.waitAsync` after its attempt has ended — for a `retry`, or for the lock or the
 * inevitability token that stopped it (contention.ts says whether to wait for those at all).
 *
 * Watching (words.ts, the watchers word): a `retry` sets this worker's watch-group bit on every cell it
 * read, then sleeps on its record's `retryWake` counter; a committer that writes a watched cell
 * takes the bits and bumps the counter of every slot of each group (conflicts.ts,
 * `notifyWatchers`). A wake-up that changed nothing read only costs a validation.
 */
import { crashPoint, limits, TransactionStateError } from '../base/index.js';
import { sleepWhileEqual, sleepWhileEqualAsync } from '../platform/index.js';
import type { Attempt, PendingWait } from './attempt.js';
import { LockState } from './conflicts.js';
import type { Inevitability } from './inevitability.js';
import { firstStaleOf, type Snapshot } from './snapshot.js';
import { twordWatchers } from './tword.js';
import { recordField } from './tx-record.js';
import { contendedBit, watchBit } from './words.js';

export class Waits {
  readonly #attempt: Attempt;
  readonly #snapshot: Snapshot;
  readonly #inevitability: Inevitability;
  /** i32 index of this slot's `retryWake` counter (the futex word of its `retry` sleeps). */
  readonly #wakeIndex: number;

  constructor(attempt: Attempt, snapshot: Snapshot, inevitability: Inevitability) {
    this.#attempt = attempt;
    this.#snapshot = snapshot;
    this.#inevitability = inevitability;
    this.#wakeIndex = attempt.records.word(attempt.slot, recordField.retryWake);
  }

  /**
   * `retry`: the attempt is aborted; sleep until a cell it read is written, then rerun. Every
   * read cell gets this worker's watcher bit; committers that write such a cell wake us.
   */
  sleepUntilReadsChange(): void {
    const attempt = this.#attempt;
    const log = attempt.log;
    if (log.reads === 0) {
      throw new TransactionStateError(
        'RETRY_WITHOUT_READS',
        'retry() before reading any shared cell would wait forever',
      );
    }
    const i32 = attempt.i32;
    const wakeIndex = this.#wakeIndex;
    this.#watchAll(log.readTwords, log.logged);
    crashPoint('retry.watching');
    const started = performance.now();
    attempt.host.reclaim.quiesce();
    // ORDERING: the watcher bits are set (SeqCst) before each validation, and the wake counter
    // is read before it; a committer writes its value before it takes the bits and bumps the
    // counter. So either the validation sees the write, or the sleep sees the counter move.
    // Unbounded by design: `retry` waits as long as nothing it read changes. Each sleep is
    // bounded (`retrySleepMsMax`); a wake-up that changed nothing read (a stale watch bit of
    // this slot's group) only costs a validation.
    for (;;) {
      const seen = Atomics.load(i32, wakeIndex);
      if (!this.#snapshot.readsStillValid()) break;
      sleepWhileEqual(i32, wakeIndex, seen, limits.retrySleepMsMax);
    }
    crashPoint('retry.woken');
    attempt.host.reclaim.enter();
    attempt.addStat('waitMs', performance.now() - started);
  }

  /** Sets this worker's watch-group bit on `count` cells of `units` (words.ts: never cleared here). */
  #watchAll(units: Int32Array, count: number): void {
    const bit = watchBit(this.#attempt.slot);
    const b64 = this.#attempt.b64;
    for (let index = 0; index < count; index += 1) {
      Atomics.or(b64, twordWatchers(units[index] ?? 0), bit);
    }
  }

  /**
   * After an aborted async attempt that retried: its read cells, watched from here on, and their
   * versions, copied, since the engine's read log is the next transaction's once this thread
   * returns to its event loop.
   */
  pendingRetry(): PendingWait {
    const log = this.#attempt.log;
    if (log.reads === 0) {
      throw new TransactionStateError(
        'RETRY_WITHOUT_READS',
        'retry() before reading any shared cell would wait forever',
      );
    }
    const count = log.logged;
    const units = log.readTwords.slice(0, count);
    const versions = log.readVersions.slice(0, count);
    this.#watchAll(units, count);
    return { kind: 'reads', units, versions };
  }

  /**
   * Waits for `pending` through `Atomics.waitAsync`: until a read cell changes (`retry`), or until
   * the owner of a lock (or the inevitability token) lets go. A lock whose active owner keeps it
   * past `ownerWaitMsMax` is preempted, as a blocking waiter would; the token's holder is
   * inevitable and never preempted, so that wait is bounded in slices only.
   */
  async waitAsync(pending: PendingWait): Promise<void> {
    const attempt = this.#attempt;
    const started = performance.now();
    attempt.host.reclaim.quiesce();
    if (pending.kind === 'reads') {
      await this.#waitForChangeAsync(pending);
    } else {
      await this.#waitForOwnerAsync(pending, started);
    }
    attempt.noteWait(pending.kind === 'lock' ? pending.tword : 0, started);
  }

  async #waitForChangeAsync(pending: PendingWait & { kind: 'reads' }): Promise<void> {
    const { i32, b64 } = this.#attempt;
    const wakeIndex = this.#wakeIndex;
    const { units, versions } = pending;
    // As a blocking `retry` (sleepUntilReadsChange): counter, then validation, then sleep.
    for (;;) {
      const seen = Atomics.load(i32, wakeIndex);
      if (firstStaleOf(b64, units, versions) !== 0) break;
      await sleepWhileEqualAsync(i32, wakeIndex, seen, limits.retrySleepMsMax);
    }
  }

  async #waitForOwnerAsync(
    pending: PendingWait & { kind: 'lock' },
    started: number,
  ): Promise<void> {
    const { index, tword, owner } = pending;
    const { i32, resolver } = this.#attempt;
    const deadline = started + limits.ownerWaitMsMax;
    let woken = false;
    for (let round = 0; round < limits.txAttemptsMax; round += 1) {
      const now = Atomics.load(i32, index);
      if ((now & ~contendedBit) !== (owner & ~contendedBit)) break;
      if (
        tword === 0
          ? !this.#inevitability.tokenLive(now)
          : resolver.lockState(now, tword) === LockState.free
      ) {
        break;
      }
      const left = deadline - performance.now();
      if (tword !== 0 && left <= 0) {
        resolver.preemptOwner(now);
        break;
      }
      const sliceMs = tword === 0 ? limits.waitSliceMs : Math.min(limits.waitSliceMs, left);
      if (await resolver.sleepOnWordAsync(index, now, sliceMs)) woken = true;
    }
    // The rerun may not take this word at all: the next sleeper gets the wake-up now.
    if (woken) resolver.passWakeUp(index);
  }
}
