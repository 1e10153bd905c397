/**
 * Transaction records: one per worker slot, in the heap's `tx records` region (memory/layout.ts),
 * so that a transaction's fate never depends on its worker staying alive: anyone can read its
 * status, abort it while it is active (one CAS), or finish its commit from its log (helping).
 *
 * | field         | offset | size | atomic | written by                        | invariant          |
 * |---------------|--------|------|--------|-----------------------------------|--------------------|
 * | status        | 0      | 4    | yes    | owner (store at attempt start,    | words.ts status    |
 * |               |        |      |        | CAS), aborters (CAS active→       | word               |
 * |               |        |      |        | aborted), finishers (CAS          |                    |
 * |               |        |      |        | committing→committed)             |                    |
 * | logUnit       | 4      | 4    | yes    | owner, before its intents         | unit of the log    |
 * |               |        |      |        |                                   | block; 0 = none    |
 * | logCount      | 8      | 4    | yes    | owner, before its intents         | entries of the     |
 * |               |        |      |        |                                   | current attempt    |
 * | (pad)         | 12     | 4    |        |                                   | zero               |
 * | (reserved)    | 16     | 8    |        |                                   | zero               |
 * | clock         | 24     | 8    | yes    | owner, after its intents, before  | last counter used; |
 * |               |        |      |        | its decision                      | only grows, kept   |
 * |               |        |      |        |                                   | across slot reuse; |
 * |               |        |      |        |                                   | a decided attempt's|
 * |               |        |      |        |                                   | commit counter     |
 * | priority      | 32     | 8    | no     | owner: before status = active     | first-attempt wall |
 * |               |        |      |        | (published by that store); later, | time (ms, time     |
 * |               |        |      |        | once, when a first attempt takes  | origin + now), f64;|
 * |               |        |      |        | its age at a conflict (plain      | +∞ until taken     |
 * |               |        |      |        | store, read plainly by waiters)   | (the youngest)     |
 * | pinRecordUnit | 40     | 4    | yes    | owner (its pin record grows or    | unit of the pin    |
 * |               |        |      |        | goes), a recoverer (CAS → 0)      | record; 0 = none   |
 * |               |        |      |        |                                   | (pin-record.ts)    |
 * | (reserved)    | 44     | 20   |        |                                   | zero               |
 * | retryWake     | 64     | 4    | yes    | committers of cells this slot     | futex word of a    |
 * |               |        |      |        | watches (add + notify)            | sleeping `retry`   |
 * | siteRequest   | 68     | 4    | yes    | recording workers that lost to    | 1: a loser asked   |
 * |               |        |      |        | this slot (store 1); the owner,   | for the site of    |
 * |               |        |      |        | when it answers (store 0)         | this slot's tx     |
 * | (reserved)    | 72     | 56   |        |                                   | zero               |
 * | stats         | 128    | 128  | no     | owner only (plain f64 stores)     | stats.ts           |
 *
 * Line 0 is written by its owner about once per update transaction and read by others only on
 * conflicts; line 1 by other workers; lines 2–3 by the owner alone.
 *
 * The log block (tag `txLog`, its header's aux word = its capacity in entries) holds the attempt's redo log from its commit on: 32-byte entries
 *
 * | field      | offset | size | atomic          | meaning                                       |
 * |------------|--------|------|-----------------|-----------------------------------------------|
 * | tword      | 0      | 4    | plain store,    | the address of the transactional word written |
 * |            |        |      | atomic loads    |                                               |
 * | (pad)      | 4      | 4    |                 |                                               |
 * | oldVersion | 8      | 8    | same            | the cell's version when the attempt locked it |
 * | oldValue   | 16     | 8    | same            | its value then: what an abort puts back       |
 * | newValue   | 24     | 8    | same            | the value the commit writes                   |
 *
 * Entries are written by the owner with plain stores before it publishes the count (SeqCst
 * store) and places its first intent (SeqCst CAS): whoever reaches an entry through an intent or
 * the count reads it after those, so it sees the whole entry. They stay unchanged until the
 * owner's next attempt takes a lock (which first moves the status seq on), so a helper that reads
 * an entry and then sees the same status word read the right attempt's entry; a read that raced
 * with the next attempt's rewrite (even a torn one) is thrown away by that check.
 */
import { BlockTag, type Allocator } from '../alloc/index.js';
import { limits, type Handle } from '../base/index.js';
import { txRecordBytes, type HeapMemory } from '../memory/index.js';

export const txLogTag = 6 as BlockTag;
export const logEntryBytes = 32;
/** Entries of a worker's first log block; it doubles when an attempt writes more cells. */
export const logEntriesInitial = 32;

/** Word offsets (i32 index relative to the record) of the fields above. */
export const recordField = {
  status: 0,
  logUnit: 1,
  logCount: 2,
  pinRecordUnit: 10,
  retryWake: 16,
  siteRequest: 17,
} as const;
/** 64-bit slot offsets (relative to the record's first 8-byte unit). */
export const recordSlot = {
  clock: 3,
  priority: 4,
  statsFirst: 16,
} as const;

export class TxRecords {
  readonly #memory: HeapMemory;
  /** First 8-byte unit of record 0. */
  readonly #baseUnit: number;

  constructor(memory: HeapMemory) {
    this.#memory = memory;
    this.#baseUnit = memory.geometry.txRecordsOffset / 8;
  }

  /** i32 index of `field` of slot `slot`'s record. */
  word(slot: number, field: number): number {
    return (this.#baseUnit + (slot * txRecordBytes) / 8) * 2 + field;
  }

  /** 64-bit index (b64/f64) of `field` of slot `slot`'s record. */
  slot64(slot: number, field: number): number {
    return this.#baseUnit + (slot * txRecordBytes) / 8 + field;
  }

  status(slot: number): number {
    return Atomics.load(this.#memory.i32, this.word(slot, recordField.status));
  }

  clock(slot: number): number {
    return Number(Atomics.load(this.#memory.b64, this.slot64(slot, recordSlot.clock)));
  }

  priority(slot: number): number {
    return this.#memory.f64[this.slot64(slot, recordSlot.priority)] ?? 0;
  }
}

/**
 * The redo log of one worker's attempts in shared memory. Only its owner writes it; anyone reads
 * it (helpers, recoverers). Grown by allocating a block twice the size and retiring the old one.
 */
export class SharedLog {
  readonly #i32: Int32Array;
  readonly #b64: BigInt64Array;
  readonly #allocator: Allocator;
  readonly #logUnitWord: number;
  readonly #logCountWord: number;
  #handle: Handle | undefined;
  #unit = 0;
  #capacity = 0;

  constructor(memory: HeapMemory, records: TxRecords, slot: number, allocator: Allocator) {
    this.#i32 = memory.i32;
    this.#b64 = memory.b64;
    this.#allocator = allocator;
    this.#logUnitWord = records.word(slot, recordField.logUnit);
    this.#logCountWord = records.word(slot, recordField.logCount);
  }

  /**
   * Makes room for `entries` entries; the caller has not published anything of this attempt yet.
   * Returns the handle of a block the caller must retire (the old, smaller log) or undefined.
   */
  reserve(entries: number): Handle | undefined {
    if (entries <= this.#capacity) return undefined;
    let capacity = Math.max(this.#capacity * 2, logEntriesInitial);
    while (capacity < entries) capacity *= 2;
    const handle = this.#allocator.allocate(txLogTag, capacity * logEntryBytes);
    const old = this.#handle;
    this.#handle = handle;
    this.#unit = this.#allocator.blockUnit(handle, txLogTag);
    this.#capacity = capacity;
    // The header's aux word holds the capacity, so a recoverer knows the block's size.
    this.#i32[this.#unit * 2 + 1] = capacity;
    Atomics.store(this.#i32, this.#logCountWord, 0);
    Atomics.store(this.#i32, this.#logUnitWord, this.#unit);
    return old;
  }

  /** Writes entry `index` (plain stores: `setCount` publishes them, see the entry table). */
  write(
    index: number,
    tword: number,
    oldVersion: bigint,
    oldValue: bigint,
    newValue: bigint,
  ): void {
    const at = logEntryUnit(this.#unit, index);
    this.#i32[at * 2] = tword;
    this.#b64[at + 1] = oldVersion;
    this.#b64[at + 2] = oldValue;
    this.#b64[at + 3] = newValue;
  }

  setCount(count: number): void {
    Atomics.store(this.#i32, this.#logCountWord, count);
  }

  /** Frees the log block (the worker leaves; nothing of it is in use). */
  dispose(): void {
    if (this.#handle === undefined) return;
    Atomics.store(this.#i32, this.#logUnitWord, 0);
    Atomics.store(this.#i32, this.#logCountWord, 0);
    this.#allocator.free(this.#handle);
    this.#handle = undefined;
    this.#capacity = 0;
  }
}

/** Unit of entry `index` of the log block at `logUnit` (entries follow the block header). */
export const logEntryUnit = (logUnit: number, index: number): number =>
  logUnit + 1 + index * (logEntryBytes / 8);

export interface LogEntry {
  readonly tword: number;
  readonly oldVersion: bigint;
  readonly oldValue: bigint;
  readonly newValue: bigint;
}

/**
 * Finds the entry for transactional word `tword` in slot `slot`'s log, as anyone may read it. The caller checks
 * afterwards that the attempt (status seq) is still the one it meant: entries may be rewritten by
 * the owner's next attempt.
 */
export function findLogEntry(
  memory: HeapMemory,
  records: TxRecords,
  slot: number,
  tword: number,
): LogEntry | undefined {
  const { i32 } = memory;
  const logUnit = Atomics.load(i32, records.word(slot, recordField.logUnit));
  const count = Atomics.load(i32, records.word(slot, recordField.logCount));
  if (logUnit === 0) return undefined;
  // The count read may belong to a neighbouring attempt (the caller rechecks the seq); the block
  // only grows, and a retired one is not freed while this worker is online, so no read escapes it.
  const limit = Math.min(count, limits.txWriteSetMax);
  for (let index = 0; index < limit; index += 1) {
    if (Atomics.load(i32, logEntryUnit(logUnit, index) * 2) === tword) {
      return readLogEntry(memory, logUnit, index);
    }
  }
  return undefined;
}

/** Entry `index` of the log block at `logUnit`, read atomically field by field. */
export function readLogEntry(memory: HeapMemory, logUnit: number, index: number): LogEntry {
  const { i32, b64 } = memory;
  const at = logEntryUnit(logUnit, index);
  return {
    tword: Atomics.load(i32, at * 2),
    oldVersion: Atomics.load(b64, at + 1),
    oldValue: Atomics.load(b64, at + 2),
    newValue: Atomics.load(b64, at + 3),
  };
}
