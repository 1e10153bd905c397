/**
 * The transactional core of a channel: put an item at the tail, take one from the head, take a
 * rendezvous item back — each inside the caller's transaction, on the words of channel-layout.ts.
 * Like GHC's `TBQueue`/`TQueue` built from TVars, but with one transactional word per slot
 * instead of two lists, so that a send and a receive on a channel that is neither empty nor full
 * touch disjoint words (the hole invariant, channel-layout.ts) and never conflict; sends conflict
 * with sends (the tail word) and receives with receives (the head word), and the STM serialises
 * those. Crash tolerance is the STM's: a worker killed mid-operation leaves a transaction that
 * recovery either aborts (nothing happened) or finishes (all of it happened).
 *
 * Nothing here blocks: an operation that cannot proceed says so ('full', 'empty'), and the caller
 * waits (shared-channel.ts: a futex sleep outside a transaction, `retry` inside one).
 */
import { handleUnit } from '../alloc/index.js';
import { BugError, type Handle } from '../base/index.js';
import { decodeInTransaction, type HeapContext } from '../objects/index.js';
import { initTword, type TxEngine } from '../stm/index.js';
import { holeWord, numberOfWord, numberWord } from '../values/index.js';
import {
  capacityIndex,
  channelSegmentTag,
  closedWord,
  headSegmentWord,
  headWord,
  ringSlotsOf,
  ringSlotWord,
  segmentNextWord,
  segmentPayloadBytes,
  segmentSlots,
  segmentSlotWord,
  tailSegmentWord,
  tailWord,
  unboundedCapacity,
} from './channel-layout.js';

/** What a take found: an item, nothing yet, or nothing ever again. */
export type Taken = { readonly value: unknown } | 'empty' | 'closed';

export class ChannelQueue {
  readonly #context: HeapContext;
  readonly #unit: number;
  /** −1 unbounded, 0 rendezvous, else the bound. */
  readonly capacity: number;
  readonly #ringSlots: number;

  constructor(context: HeapContext, unit: number) {
    this.#context = context;
    this.#unit = unit;
    this.capacity = context.memory.i32[capacityIndex(unit)] ?? 0;
    this.#ringSlots = ringSlotsOf(this.capacity);
  }

  get unbounded(): boolean {
    return this.capacity === unboundedCapacity;
  }

  isClosed(engine: TxEngine): boolean {
    return this.#number(engine, closedWord(this.#unit)) !== 0;
  }

  /** Marks the channel closed; false if it already was. */
  close(engine: TxEngine): boolean {
    if (this.isClosed(engine)) return false;
    this.#write(engine, closedWord(this.#unit), 1);
    return true;
  }

  head(engine: TxEngine): number {
    return this.#number(engine, headWord(this.#unit));
  }

  tail(engine: TxEngine): number {
    return this.#number(engine, tailWord(this.#unit));
  }

  /**
   * Appends `value` (encoded here, inside the attempt, so that an abort frees its blocks and a
   * rerun encodes again). Returns the item's position, or 'full' / 'closed' with nothing written.
   */
  put(engine: TxEngine, value: unknown): number | 'full' | 'closed' {
    if (this.isClosed(engine)) return 'closed';
    const unit = this.#unit;
    const position = this.tail(engine);
    let slot: number;
    let segment = 0;
    if (this.unbounded) {
      segment = handleUnit(this.#number(engine, tailSegmentWord(unit)) as Handle);
      slot = segmentSlotWord(segment, position % segmentSlots);
    } else {
      slot = ringSlotWord(unit, position % this.#ringSlots);
    }
    // The hole invariant: the tail's slot is free unless the ring is full.
    if (engine.read(slot) !== holeWord) {
      if (this.unbounded) throw new BugError(`channel segment slot ${String(slot)} is not free`);
      return 'full';
    }
    const entry = engine.lockCell(slot);
    // Encoded after the lock: an encoding error leaves only a lock, released with the attempt.
    engine.setValue(entry, this.#context.encodeToStore(value));
    this.#write(engine, tailWord(unit), position + 1);
    if (this.unbounded && position % segmentSlots === segmentSlots - 1) {
      // The last slot of its segment: link the next one now, so that the tail always has a slot.
      const next = this.#newSegment(engine);
      this.#write(engine, segmentNextWord(segment), next);
      this.#write(engine, tailSegmentWord(unit), next);
    }
    return position;
  }

  /** Removes and returns the head item, or says why there is none. */
  take(engine: TxEngine): Taken {
    const unit = this.#unit;
    const position = this.head(engine);
    let slot: number;
    let segmentHandle = 0;
    let segment = 0;
    if (this.unbounded) {
      segmentHandle = this.#number(engine, headSegmentWord(unit));
      segment = handleUnit(segmentHandle as Handle);
      slot = segmentSlotWord(segment, position % segmentSlots);
    } else {
      slot = ringSlotWord(unit, position % this.#ringSlots);
    }
    const word = engine.read(slot);
    // The hole invariant: the head's slot holds a value unless the channel is empty.
    if (word === holeWord) return this.isClosed(engine) ? 'closed' : 'empty';
    const value = decodeInTransaction(this.#context, engine, slot, word);
    // The engine drops the old word at commit: a shared object's reference is released then
    // (the receiver's wrapper holds its own pin), a string's block retired.
    engine.setValue(engine.lockCell(slot), holeWord);
    this.#write(engine, headWord(unit), position + 1);
    if (this.unbounded && position % segmentSlots === segmentSlots - 1) {
      const next = this.#number(engine, segmentNextWord(segment));
      if (next === 0) throw new BugError(`channel segment ${String(segment)} has no successor`);
      this.#write(engine, headSegmentWord(unit), next);
      const context = this.#context;
      engine.onCommit(() => {
        // Unreachable from the channel now; a receiver still reading it is covered by epochs.
        context.reclaim.retireBlock(segmentHandle as Handle);
      });
    }
    return { value };
  }

  /**
   * A rendezvous sender's item at `position`, taken back if no receiver has taken it yet (its
   * timeout passed, or the channel closed). True if it was still there and is now gone.
   */
  takeBack(engine: TxEngine, position: number): boolean {
    if (this.head(engine) !== position || this.tail(engine) !== position + 1) return false;
    const slot = ringSlotWord(this.#unit, position % this.#ringSlots);
    engine.setValue(engine.lockCell(slot), holeWord);
    this.#write(engine, tailWord(this.#unit), position);
    return true;
  }

  #newSegment(engine: TxEngine): number {
    const context = this.#context;
    const handle = context.allocator.allocate(channelSegmentTag, segmentPayloadBytes);
    engine.onAbort(() => {
      // Never published: no other worker can have reached it.
      context.allocator.free(handle);
    });
    initSegment(context, handleUnit(handle));
    return handle;
  }

  #number(engine: TxEngine, tword: number): number {
    const number = numberOfWord(engine.read(tword));
    if (number === undefined) throw new BugError(`channel word ${String(tword)} holds no number`);
    return number;
  }

  #write(engine: TxEngine, tword: number, value: number): void {
    engine.setValue(engine.lockCell(tword), numberWord(value));
  }
}

/** Makes a fresh segment's words: every slot a hole, no successor. Not shared yet. */
export function initSegment(context: HeapContext, unit: number): void {
  const { i32, b64 } = context.memory;
  for (let slot = 0; slot < segmentSlots; slot += 1) {
    initTword(i32, b64, segmentSlotWord(unit, slot), holeWord);
  }
  initTword(i32, b64, segmentNextWord(unit), numberWord(0));
}
