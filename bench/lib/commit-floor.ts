// The floor of our commit protocol: the shared-memory operations of one transaction that reads
// and increments one cell, in the order the engine does them (src/stm/engine.ts and commit.ts, steady state:
// read log on, no conflict), with nothing around them — no engine state, no write set, no codec.
// What `atomically` costs above this is the implementation; this much is the protocol itself
// (20 atomic operations, each a builtin call in V8). Kept in step with the engine by hand: when
// the commit gains or loses a shared-memory step, so must this.
//
// The words are made by the engine's own encodings (src/stm/words.ts, src/values/slot-word.ts),
// so the floor pays for them as the engine does.
//
// `lockedIncrement` is the same protocol on a buffer that several workers share (each in its own
// slot), taking the path the engine takes for a contended cell (contention-wait-die.ts, hot cells): lock at the
// first read, read the committed pair under the lock, refresh the snapshot from the last writer's
// clock, commit; a held lock is waited for as the engine does (spin, then sleep on the owner word
// with its contended bit; the release wakes one sleeper). It is the bound of any implementation of
// this protocol under contention: the hot-counter benchmark runs it beside ours and the lock.
//
// Layout of the buffer, in 8-byte words (a one-cell heap in miniature; slots 0–8):
//
// | word            | meaning                                   | in the real heap                |
// |-----------------|-------------------------------------------|---------------------------------|
// | 0               | the reclamation epoch (read per attempt)  | header: epoch                   |
// | 8               | i32 [16]: owner word; [17]: unused        | cell: owner (i32 at byte 12)    |
// | 9               | value (slot word of a number)             | cell: value                     |
// | 10              | version                                   | cell: version                   |
// | 11              | watchers                                  | cell: watchers                  |
// | r = 16 + 8·slot | i32 [2r]: status; [2r + 2]: log count     | tx record: status, log count    |
// | r + 2           | priority (f64)                            | tx record: priority             |
// | r + 3           | clock                                     | tx record: clock                |
// | r + 4           | commits counter (f64)                     | tx record: statistics           |
// | l = 88 + 8·slot | log entry: unit, old version, old, new    | shared log block                |
//
// Every word but the cell's is written by its slot's worker only (records and logs on their own
// cache lines); the cell's owner word is taken by CAS, its value and version written under it.
import { limits } from '../../src/base/index.js';
import {
  contendedBit,
  intentPayloadOf,
  ownerSlot,
  ownerWord,
  seqMask,
  statusWord,
  TxState,
  versionCovered,
  versionSlot,
  versionWord,
} from '../../src/stm/words.js';
import {
  intentWord,
  isIntentWord,
  numberWord,
  scratchFloat,
  scratchWord,
} from '../../src/values/slot-word.js';

const cellWord = 8;
const slotsMax = 9;
const recordWordOf = (slot: number): number => 16 + 8 * slot;
const logWordOf = (slot: number): number => 16 + 8 * slotsMax + 8 * slot;
const ownerIndex = cellWord * 2;
/** The buffer `CommitFloor` needs: share one between workers for `lockedIncrement`. */
export const commitFloorBytes = (16 + 16 * slotsMax) * 8;

/** The number a slot word holds (the codec's decoding of a number word). */
function numberOf(word: bigint): number {
  scratchWord[0] = word;
  return scratchFloat[0] ?? 0;
}

export class CommitFloor {
  readonly #i32: Int32Array;
  readonly #b64: BigInt64Array;
  readonly #f64: Float64Array;
  readonly #slot: number;
  readonly #recordWord: number;
  readonly #logWord: number;
  readonly #clockCache = new Float64Array(limits.workerSlotsMax);
  #seq = 0;
  /** This attempt's owner word (made when it takes its lock, as the engine does). */
  #ownerWord = 0;
  #clock = 0;
  #clockWord = 0n;

  /** `slot` 0–8: one per worker sharing `buffer`; the first to arrive formats the cell. */
  constructor(buffer = new SharedArrayBuffer(commitFloorBytes), slot = 1) {
    this.#i32 = new Int32Array(buffer);
    this.#b64 = new BigInt64Array(buffer);
    this.#f64 = new Float64Array(buffer);
    this.#slot = slot;
    this.#recordWord = recordWordOf(slot);
    this.#logWord = logWordOf(slot);
    Atomics.compareExchange(this.#b64, cellWord + 1, 0n, numberWord(0));
  }

  /** One transaction: read the counter, lock it, write it back plus one, commit. */
  increment(): void {
    const b64 = this.#b64;
    // Attempt start: the epoch.
    Atomics.load(this.#i32, 0);
    // Read: version, value, version; the version against the snapshot.
    const version = Atomics.load(b64, cellWord + 2);
    const word = Atomics.load(b64, cellWord + 1);
    if (isIntentWord(word) || Atomics.load(b64, cellWord + 2) !== version) {
      throw new Error('torn read');
    }
    if (!versionCovered(version, this.#clockCache)) throw new Error('outside the snapshot');
    // First lock: the priority, the status (active), the owner word, the preemption check.
    const active = this.#beginLocking();
    if (Atomics.compareExchange(this.#i32, ownerIndex, 0, this.#ownerWord) !== 0) {
      throw new Error('lock taken');
    }
    this.#checkActive(active);
    // The committed pair under the lock.
    const oldValue = Atomics.load(b64, cellWord + 1);
    const oldVersion = Atomics.load(b64, cellWord + 2);
    if (oldValue !== word) throw new Error('changed under the lock');
    this.#commit(active, oldVersion, oldValue, numberWord(numberOf(oldValue) + 1));
  }

  /**
   * One transaction on a shared counter, as the engine runs it on a contended cell: `work` (user
   * code) before taking the lock, or between reading and writing when `workBetween`.
   */
  lockedIncrement(work: () => void, workBetween: boolean): void {
    const b64 = this.#b64;
    Atomics.load(this.#i32, 0);
    if (!workBetween) work();
    const active = this.#beginLocking();
    const me = this.#ownerWord;
    if (Atomics.compareExchange(this.#i32, ownerIndex, 0, me) !== 0) this.#wait(me);
    this.#checkActive(active);
    const oldValue = Atomics.load(b64, cellWord + 1);
    const oldVersion = Atomics.load(b64, cellWord + 2);
    if (isIntentWord(oldValue)) throw new Error('intent left under the lock');
    if (!versionCovered(oldVersion, this.#clockCache)) {
      const writer = versionSlot(oldVersion);
      this.#clockCache[writer] = Number(Atomics.load(b64, recordWordOf(writer) + 3));
    }
    if (workBetween) work();
    this.#commit(active, oldVersion, oldValue, numberWord(numberOf(oldValue) + 1));
  }

  /** A new attempt's priority and status (active), published before any of its locks. */
  #beginLocking(): number {
    this.#seq = (this.#seq + 1) & seqMask;
    this.#ownerWord = ownerWord(this.#slot, this.#seq);
    this.#f64[this.#recordWord + 2] = Infinity;
    const active = statusWord(this.#seq, TxState.active);
    Atomics.store(this.#i32, this.#recordWord * 2, active);
    return active;
  }

  #checkActive(active: number): void {
    if (Atomics.load(this.#i32, this.#recordWord * 2) !== active) throw new Error('preempted');
  }

  /**
   * Waits for the counter's lock as the engine does (spin, then sleep on the owner word with its
   * contended bit set), and takes it with that bit once it slept (the wake-up chain).
   */
  #wait(me: number): void {
    const i32 = this.#i32;
    let slept = false;
    for (let round = 0; round < limits.txAttemptsMax; round += 1) {
      const owner = Atomics.load(i32, ownerIndex);
      if (owner === 0) {
        const wanted = slept ? me | contendedBit : me;
        if (Atomics.compareExchange(i32, ownerIndex, 0, wanted) === 0) return;
        continue;
      }
      // The owner's status (a waiter checks that the lock is live before sleeping on it).
      Atomics.load(i32, recordWordOf(ownerSlot(owner)) * 2);
      let spin = 0;
      while (spin < limits.lockSpinMax && Atomics.load(i32, ownerIndex) === owner) spin += 1;
      if (spin < limits.lockSpinMax) continue;
      const contended = owner | contendedBit;
      if (
        owner === contended ||
        Atomics.compareExchange(i32, ownerIndex, owner, contended) === owner
      ) {
        Atomics.wait(i32, ownerIndex, contended, limits.waitSliceMs);
        slept = true;
      }
    }
    throw new Error('the counter lock never became free');
  }

  /** Redo log, intent, clock, decision, write-back, watchers, committed, release, statistics. */
  #commit(active: number, oldVersion: bigint, oldValue: bigint, newValue: bigint): void {
    const i32 = this.#i32;
    const b64 = this.#b64;
    const statusIndex = this.#recordWord * 2;
    const log = this.#logWord;
    const intent = intentWord(intentPayloadOf(this.#slot, this.#seq));
    i32[log * 2] = cellWord;
    b64[log + 1] = oldVersion;
    b64[log + 2] = oldValue;
    b64[log + 3] = newValue;
    Atomics.store(i32, statusIndex + 2, 1);
    if (Atomics.compareExchange(b64, cellWord + 1, oldValue, intent) !== oldValue) {
      throw new Error('intent not placed');
    }
    this.#clock += 1;
    this.#clockWord += 1n;
    Atomics.store(b64, this.#recordWord + 3, this.#clockWord);
    this.#clockCache[this.#slot] = this.#clock;
    const committing = statusWord(this.#seq, TxState.committing);
    if (Atomics.compareExchange(i32, statusIndex, active, committing) !== active) {
      throw new Error('decision lost');
    }
    Atomics.compareExchange(b64, cellWord + 2, oldVersion, versionWord(this.#clock, this.#slot));
    if (Atomics.compareExchange(b64, cellWord + 1, intent, newValue) === intent) {
      if (Atomics.load(b64, cellWord + 3) !== 0n) throw new Error('watchers');
    }
    Atomics.compareExchange(i32, statusIndex, committing, statusWord(this.#seq, TxState.committed));
    const me = this.#ownerWord;
    if (Atomics.compareExchange(i32, ownerIndex, me, 0) !== me) {
      // Contended (a waiter set the bit, or this attempt took the lock with it): wake one.
      Atomics.compareExchange(i32, ownerIndex, me | contendedBit, 0);
      Atomics.notify(i32, ownerIndex, 1);
    }
    this.#f64[this.#recordWord + 4] = (this.#f64[this.#recordWord + 4] ?? 0) + 1;
    Atomics.store(i32, statusIndex + 2, 0);
  }

  /** The counter's value (to check that the increments happened). */
  get value(): number {
    return numberOf(Atomics.load(this.#b64, cellWord + 1));
  }
}
