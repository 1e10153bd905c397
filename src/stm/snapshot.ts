/**
 * The snapshot an attempt reads from, and the validation of its reads against it. Reads are
 * invisible: a read checks the version it saw against this worker's cache of every slot's clock
 * (thread-local clocks, TLC: Avni and Shavit, 2008). A version newer than the cache refreshes
 * that entry, and then the reads so far are validated (snapshot extension, as in LSA/TinySTM) —
 * or, for an attempt that keeps no read log, the attempt reruns unless it had read nothing yet.
 * So a running attempt only ever sees a consistent snapshot (opacity), and no shared word is
 * written by every commit. The same validation runs at commit (step 4) and in a `retry` that
 * waits for a read to change.
 *
 * The read fast path (engine.ts, `read`) checks a version against `cache` itself; everything past
 * that check is here.
 */
import { limits } from '../base/index.js';
import { isIntentWord } from '../values/index.js';
import { commuted, unlocked } from './attempt-log.js';
import { recordingStreak, type Attempt } from './attempt.js';
import type { Contention } from './contention.js';
import { twordOwner, twordValue, twordVersion } from './tword.js';
import {
  ownerSeqMatches,
  ownerSlot,
  statusSeq,
  statusState,
  TxState,
  versionCovered,
  versionSlot,
} from './words.js';

export class Snapshot {
  /** This worker's cache of every slot's clock (TLC): the snapshot reads are checked against. */
  readonly cache = new Float64Array(limits.workerSlotsMax);
  readonly #attempt: Attempt;
  readonly #contention: Contention;

  constructor(attempt: Attempt, contention: Contention) {
    this.#attempt = attempt;
    this.#contention = contention;
  }

  /** Reads every slot's clock into the cache (a new engine's first snapshot). */
  refreshAll(): void {
    for (let slot = 0; slot < limits.workerSlotsMax; slot += 1) {
      this.cache[slot] = this.#attempt.records.clock(slot);
    }
  }

  /**
   * Refreshes the clock-cache entry of the commit that wrote `version` if the snapshot does not
   * cover it yet; returns the writer's slot, or −1 if it was covered already.
   */
  refreshFor(version: bigint): number {
    if (versionCovered(version, this.cache)) return -1;
    const writer = versionSlot(version);
    this.cache[writer] = this.#attempt.records.clock(writer);
    return writer;
  }

  /**
   * Opacity. The snapshot is every commit whose counter this worker's clock cache covers: their
   * intents were all placed before the cache entry was read. A version newer than the cache
   * refreshes its writer's entry, and then the reads so far are validated (or, with no read log,
   * the attempt reruns unless it has read nothing yet). Returns true if the cache was refreshed:
   * the caller must load the cell again, since the refresh may cover a commit that wrote it after
   * the version just checked was read (accepting that stale value against the newer snapshot is
   * exactly an inconsistent read).
   */
  extend(version: bigint): boolean {
    const writer = this.refreshFor(version);
    if (writer < 0) return false;
    const attempt = this.#attempt;
    // A preempted attempt has lost its locks: the cells it wrote or locked may have changed
    // since, while their entries still match what it read. Checked after the refresh, so that
    // an attempt still live here held its locks up to the new snapshot.
    if (attempt.preempted()) attempt.fail('preempted');
    if (attempt.log.reads === 0) return true;
    if (!attempt.recording) {
      attempt.recordCountdown = recordingStreak;
      attempt.fail('upgrade');
    }
    const stale = this.firstStaleRead();
    if (stale !== 0) this.#contention.staleRead(stale, writer);
    return true;
  }

  /** Validates the read log: every cell read still has the version read and no live intent. */
  readsStillValid(): boolean {
    return this.firstStaleRead() === 0;
  }

  /** The first cell of the read log that no longer holds what was read there, or 0. */
  firstStaleRead(): number {
    const attempt = this.#attempt;
    const log = attempt.log;
    const b64 = attempt.b64;
    for (let index = 0; index < log.logged; index += 1) {
      const tword = log.readTwords[index] ?? 0;
      const version = log.readVersions[index] ?? 0n;
      const own = log.entryOf(tword);
      if (own !== undefined && log.wState[own] !== commuted && log.wState[own] !== unlocked) {
        if (log.wOldVersion[own] !== version) return tword;
        continue;
      }
      if (Atomics.load(b64, twordVersion(tword)) !== version) return tword;
      const word = Atomics.load(b64, twordValue(tword));
      if (isIntentWord(word) && !this.#intentLeavesReadValid(tword, word)) return tword;
      if (Atomics.load(b64, twordVersion(tword)) !== version) return tword;
    }
    return 0;
  }

  /**
   * A read cell holds another attempt's intent during validation: if that attempt is decided,
   * resolve it (the version then tells); if it is active and younger, abort it (the older
   * wins); if it is older or inevitable, this attempt is the one that gives way.
   */
  #intentLeavesReadValid(tword: number, intent: bigint): boolean {
    const attempt = this.#attempt;
    const resolver = attempt.resolver;
    for (let round = 0; round < limits.conflictSpinMax; round += 1) {
      if (Atomics.load(attempt.b64, twordValue(tword)) !== intent) return true;
      if (resolver.resolveFinished(tword, intent)) continue;
      const owner = Atomics.load(attempt.i32, twordOwner(tword));
      const other = ownerSlot(owner);
      const status = attempt.records.status(other);
      // The status of a later attempt of that slot: the intent's attempt ended meanwhile.
      if (owner !== 0 && !ownerSeqMatches(owner, statusSeq(status))) continue;
      if (owner === 0 || statusState(status) !== TxState.active || !attempt.isOlderThan(other)) {
        return false;
      }
      resolver.preempt(other, statusSeq(status));
    }
    return false;
  }
}

/**
 * The first cell of a copied read log (an async `retry`'s) that no longer holds its version, or
 * 0.
 */
export function firstStaleOf(
  b64: BigInt64Array,
  units: Int32Array,
  versions: readonly bigint[],
): number {
  for (let index = 0; index < units.length; index += 1) {
    const tword = units[index] ?? 0;
    const version = versions[index] ?? 0n;
    if (Atomics.load(b64, twordVersion(tword)) !== version) return tword;
    // A commit in progress there: rerun now (waking early is always safe for a retry).
    if (isIntentWord(Atomics.load(b64, twordValue(tword)))) return tword;
  }
  return 0;
}
