/**
 * A worker's wrapper pins, mirrored in shared memory so that the pins of a worker that dies are
 * not lost: recovery releases them, and the objects it had open can be freed again.
 *
 * The record is one block (tag `pinRecordTag`, its header's aux word = its capacity in entries),
 * published in the worker's transaction record (`recordField.pinRecordUnit`, tx-record.ts), made
 * at the worker's first pin and grown by doubling. Entries of 8 bytes:
 *
 * | field | offset | size | atomic | written by | meaning                                          |
 * |-------|--------|------|--------|------------|--------------------------------------------------|
 * | unit  | 0      | 4    | yes    | owner      | block unit of a pinned shared object; 0 = unused |
 * | pins  | 4      | 4    | yes    | owner      | pins the owner holds on it, as far as recorded   |
 *
 * Invariant: an entry's pins never exceed the pins the owner really holds. The owner raises the
 * recorded count after taking a pin (the reference count's +1) and lowers it before letting one go
 * (the −1). A worker that dies between the two leaks one pin — the object stays alive — instead of
 * having a pin released twice, which would free an object still in use. Since every recorded pin
 * is real, a recorded object is alive, and its handle is its unit with the generation now in its
 * header.
 *
 * Only the owner writes, only a recoverer of a dead owner reads (it takes the record with a CAS on
 * the published word, so pins are released once even if two recover the same slot).
 */
import { BlockTag, currentHandleAt, headerTag, type Allocator } from '../alloc/index.js';
import type { Handle } from '../base/index.js';
import type { HeapMemory } from '../memory/index.js';
import type { ReclaimParticipant } from '../reclaim/index.js';
import { recordField, type TxRecords } from '../stm/index.js';

export const pinRecordTag = 7 as BlockTag;
const entryWords = 2;
const entriesInitial = 64;

/** i32 index of the first word of entry `index` of the record block at `unit`. */
const entryWordOf = (unit: number, index: number): number => (unit + 1) * 2 + index * entryWords;

export class PinRecord {
  readonly #i32: Int32Array;
  readonly #allocator: Allocator;
  readonly #reclaim: ReclaimParticipant;
  readonly #publishedWord: number;
  #handle: Handle | undefined;
  #unit = 0;
  #capacity = 0;
  /** Entries never used yet start here; freed ones are reused first. */
  #fresh = 0;
  readonly #free: number[] = [];

  constructor(
    memory: HeapMemory,
    records: TxRecords,
    slot: number,
    allocator: Allocator,
    reclaim: ReclaimParticipant,
  ) {
    this.#i32 = memory.i32;
    this.#allocator = allocator;
    this.#reclaim = reclaim;
    this.#publishedWord = records.word(slot, recordField.pinRecordUnit);
  }

  /** A new entry for the object at `unit`, with 0 pins recorded; returns its index. */
  claim(unit: number): number {
    let index = this.#free.pop();
    if (index === undefined) {
      if (this.#fresh === this.#capacity) this.#grow();
      index = this.#fresh;
      this.#fresh += 1;
    }
    const at = this.#entryWord(index);
    Atomics.store(this.#i32, at + 1, 0);
    Atomics.store(this.#i32, at, unit);
    return index;
  }

  /** Records `pins` pins in entry `index` (see the invariant above for when). */
  setPins(index: number, pins: number): void {
    Atomics.store(this.#i32, this.#entryWord(index) + 1, pins);
  }

  /** Empties entry `index` (its pins are about to be released). */
  release(index: number): void {
    const at = this.#entryWord(index);
    Atomics.store(this.#i32, at + 1, 0);
    Atomics.store(this.#i32, at, 0);
    this.#free.push(index);
  }

  /** Frees the record (the worker leaves after releasing every pin). */
  dispose(): void {
    if (this.#handle === undefined) return;
    Atomics.store(this.#i32, this.#publishedWord, 0);
    this.#allocator.free(this.#handle);
    this.#handle = undefined;
    this.#capacity = 0;
    this.#fresh = 0;
    this.#free.length = 0;
  }

  #entryWord(index: number): number {
    return entryWordOf(this.#unit, index);
  }

  /** Makes a record twice as large, copies the entries, publishes it, retires the old one. */
  #grow(): void {
    const capacity = Math.max(this.#capacity * 2, entriesInitial);
    const handle = this.#allocator.allocate(pinRecordTag, capacity * entryWords * 4);
    const unit = this.#allocator.blockUnit(handle, pinRecordTag);
    const i32 = this.#i32;
    i32[unit * 2 + 1] = capacity;
    const from = entryWordOf(this.#unit, 0);
    const to = entryWordOf(unit, 0);
    for (let word = 0; word < capacity * entryWords; word += 1) {
      const value = word < this.#capacity * entryWords ? Atomics.load(i32, from + word) : 0;
      Atomics.store(i32, to + word, value);
    }
    const old = this.#handle;
    // ORDERING: the copy is complete before a recoverer can find the new record.
    Atomics.store(i32, this.#publishedWord, unit);
    this.#handle = handle;
    this.#unit = unit;
    this.#capacity = capacity;
    if (old !== undefined) this.#reclaim.retireBlock(old);
  }
}

/**
 * Releases the pins recorded by slot `slot`'s dead holder and frees its record; nothing if it
 * has none or another recoverer took it first. `release` drops one pin of a live object.
 */
export function recoverPins(
  memory: HeapMemory,
  records: TxRecords,
  slot: number,
  release: (handle: Handle) => void,
  reclaim: ReclaimParticipant,
): number {
  const i32 = memory.i32;
  const publishedWord = records.word(slot, recordField.pinRecordUnit);
  const unit = Atomics.load(i32, publishedWord);
  if (unit === 0 || Atomics.compareExchange(i32, publishedWord, unit, 0) !== unit) return 0;
  const capacity = i32[unit * 2 + 1] ?? 0;
  let released = 0;
  for (let index = 0; index < capacity; index += 1) {
    const at = entryWordOf(unit, index);
    const pinned = Atomics.load(i32, at);
    const pins = Atomics.load(i32, at + 1);
    if (pinned === 0) continue;
    const handle = currentHandleAt(i32, pinned);
    for (let pin = 0; pin < pins; pin += 1) release(handle);
    released += pins;
  }
  reclaim.retireBlock(currentHandleAt(i32, unit));
  return released;
}

/**
 * Calls `visit` with the block unit of each object slot `slot`'s record names (for the
 * reachability scan, which only reads). The owner may be changing its record meanwhile: an entry
 * read mid-change may name an object no longer pinned, or miss one just pinned, and a record
 * freed at its owner's `close` may be read after its reuse — so the caller checks each unit.
 */
export function forEachPinnedUnit(
  memory: HeapMemory,
  records: TxRecords,
  slot: number,
  visit: (unit: number) => void,
): void {
  const i32 = memory.i32;
  const unit = Atomics.load(i32, records.word(slot, recordField.pinRecordUnit));
  if (unit === 0) return;
  if (headerTag(Atomics.load(i32, unit * 2)) !== pinRecordTag) return;
  // Bounded by the buffer too: a header read mid-reuse must not send the loop past its end.
  const capacity = Math.min(
    Atomics.load(i32, unit * 2 + 1),
    (i32.length - entryWordOf(unit, 0)) / entryWords,
  );
  for (let index = 0; index < capacity; index += 1) {
    const pinned = Atomics.load(i32, entryWordOf(unit, index));
    if (pinned !== 0) visit(pinned);
  }
}
