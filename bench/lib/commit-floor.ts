// The floor of our commit protocol: the shared-memory operations of one transaction that reads
// and increments one cell, in the order the engine does them (src/stm/engine.ts, steady state:
// read log on, no conflict), with nothing around them — no engine state, no write set, no codec.
// What `atomically` costs above this is the implementation; this much is the protocol itself
// (20 atomic operations, each a builtin call in V8). Kept in step with engine.ts by hand: when
// the commit gains or loses a shared-memory step, so must this.
//
// The words are made by the engine's own encodings (src/stm/words.ts, src/values/slot-word.ts),
// so the floor pays for them as the engine does.
//
// Layout of its private buffer, in 8-byte words (a one-cell heap in miniature):
//
// | word  | meaning                                  | in the real heap                      |
// |-------|------------------------------------------|---------------------------------------|
// | 0     | the reclamation epoch (read per attempt) | header: epoch                         |
// | 8     | i32 [16]: owner word; [17]: unused       | cell: owner (i32 at byte 12)          |
// | 9     | value (slot word of a number)            | cell: value                           |
// | 10    | version                                  | cell: version                         |
// | 11    | watchers                                 | cell: watchers                        |
// | 16–17 | i32 [32]: status; [34]: log count        | tx record: status, log count          |
// | 18    | priority (f64)                           | tx record: priority                   |
// | 19    | clock                                    | tx record: clock                      |
// | 20    | commits counter (f64)                    | tx record: statistics                 |
// | 24–27 | log entry: unit, old version, old, new   | shared log block                      |
import {
  intentPayloadOf,
  ownerWord,
  seqMask,
  statusWord,
  TxState,
  versionCovered,
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
const recordWord = 16;
const logWord = 24;
/** The worker slot the floor plays. */
const slot = 1;

/** The number a slot word holds (the codec's decoding of a number word). */
function numberOf(word: bigint): number {
  scratchWord[0] = word;
  return scratchFloat[0] ?? 0;
}

export class CommitFloor {
  readonly #i32: Int32Array;
  readonly #b64: BigInt64Array;
  readonly #f64: Float64Array;
  readonly #clockCache = new Float64Array(64);
  #seq = 0;
  #clock = 0;
  #clockWord = 0n;

  constructor() {
    const buffer = new SharedArrayBuffer(32 * 8);
    this.#i32 = new Int32Array(buffer);
    this.#b64 = new BigInt64Array(buffer);
    this.#f64 = new Float64Array(buffer);
    this.#b64[cellWord + 1] = numberWord(0);
  }

  /** One transaction: read the counter, lock it, write it back plus one, commit. */
  increment(): void {
    const i32 = this.#i32;
    const b64 = this.#b64;
    const f64 = this.#f64;
    const statusIndex = recordWord * 2;
    // Attempt start: the epoch.
    Atomics.load(i32, 0);
    // Read: version, value, version; the version against the snapshot.
    const version = Atomics.load(b64, cellWord + 2);
    const word = Atomics.load(b64, cellWord + 1);
    if (isIntentWord(word) || Atomics.load(b64, cellWord + 2) !== version) {
      throw new Error('torn read');
    }
    if (!versionCovered(version, this.#clockCache)) throw new Error('outside the snapshot');
    // First lock: the priority, the status (active), the owner word, the preemption check.
    this.#seq = (this.#seq + 1) & seqMask;
    const seq = this.#seq;
    const intent = intentWord(intentPayloadOf(slot, seq));
    const me = ownerWord(slot, seq);
    f64[recordWord + 2] = Infinity;
    const active = statusWord(seq, TxState.active);
    Atomics.store(i32, statusIndex, active);
    if (Atomics.compareExchange(i32, cellWord * 2, 0, me) !== 0) throw new Error('lock taken');
    if (Atomics.load(i32, statusIndex) !== active) throw new Error('preempted');
    // The committed pair under the lock.
    const oldValue = Atomics.load(b64, cellWord + 1);
    const oldVersion = Atomics.load(b64, cellWord + 2);
    if (oldValue !== word) throw new Error('changed under the lock');
    const newValue = numberWord(numberOf(oldValue) + 1);
    // Commit: the redo log, the intent, the clock, the decision.
    i32[logWord * 2] = cellWord;
    b64[logWord + 1] = oldVersion;
    b64[logWord + 2] = oldValue;
    b64[logWord + 3] = newValue;
    Atomics.store(i32, statusIndex + 2, 1);
    if (Atomics.compareExchange(b64, cellWord + 1, oldValue, intent) !== oldValue) {
      throw new Error('intent not placed');
    }
    this.#clock += 1;
    this.#clockWord += 1n;
    Atomics.store(b64, recordWord + 3, this.#clockWord);
    this.#clockCache[slot] = this.#clock;
    const committing = statusWord(seq, TxState.committing);
    if (Atomics.compareExchange(i32, statusIndex, active, committing) !== active) {
      throw new Error('decision lost');
    }
    // Write-back, watchers, committed, release, statistics, log emptied.
    Atomics.compareExchange(b64, cellWord + 2, oldVersion, versionWord(this.#clock, slot));
    if (Atomics.compareExchange(b64, cellWord + 1, intent, newValue) === intent) {
      if (Atomics.load(b64, cellWord + 3) !== 0n) throw new Error('watchers');
    }
    Atomics.compareExchange(i32, statusIndex, committing, statusWord(seq, TxState.committed));
    Atomics.compareExchange(i32, cellWord * 2, me, 0);
    f64[recordWord + 4] = (f64[recordWord + 4] ?? 0) + 1;
    Atomics.store(i32, statusIndex + 2, 0);
  }

  /** The counter's value (to check that the increments happened). */
  get value(): number {
    return numberOf(Atomics.load(this.#b64, cellWord + 1));
  }
}
