/**
 * Retire bags: blocks of retired handles waiting for their grace period, chained per worker from
 * its registry slot (`retireHead`, newest first) and, for bags left by workers that closed or
 * died, on the heap's orphan list (header `orphanBags`).
 *
 * | field   | payload word | atomic | written by                 | invariant                      |
 * |---------|--------------|--------|----------------------------|--------------------------------|
 * | next    | 0            | no     | the chain's holder         | unit of the next (older) bag   |
 * | count   | 1            | no     | the chain's holder         | 0 … bagEntriesMax              |
 * | goal    | 2            | no     | the chain's holder         | epoch after which every entry  |
 * |         |              |        |                            | may be freed (max of entries') |
 * | bytes   | 3            | no     | the chain's holder         | block bytes of the entries     |
 * | entries | 4 + 2i       | no     | the chain's holder         | (unit, generation16) pairs     |
 *
 * A chain has exactly one holder at a time (a worker, or the orphan list); it changes hands by an
 * atomic exchange or CAS of the word that points to it, so no bag is ever processed twice.
 */
import { BlockTag, handleOf, handleUnit, type Allocator } from '../alloc/index.js';
import { assert, crashPoint, StaleHandleError, type Handle } from '../base/index.js';
import { headerWord } from '../memory/index.js';

export const bagPayloadBytes = 504;
export const bagEntriesMax = (bagPayloadBytes / 4 - 4) / 2;
const entryCountHalf = Math.floor(bagEntriesMax / 2);

const next = 0;
const count = 1;
const goal = 2;
const bytes = 3;
const entries = 4;

/** Chains are at most as long as the heap has bags; this bounds every walk. */
const chainLengthMax = 2 ** 24;

export class RetireBags {
  private readonly i32: Int32Array;
  private readonly allocator: Allocator;

  constructor(i32: Int32Array, allocator: Allocator) {
    this.i32 = i32;
    this.allocator = allocator;
  }

  /** A new empty bag whose `next` is `older`; throws HeapExhaustedError with nothing changed. */
  create(older: number): number {
    const unit = handleUnit(this.allocator.allocate(BlockTag.retireBag, bagPayloadBytes));
    const base = unit * 2 + 2;
    this.i32[base + next] = older;
    this.i32[base + count] = 0;
    this.i32[base + goal] = 0;
    this.i32[base + bytes] = 0;
    return unit;
  }

  isFull(bag: number): boolean {
    return this.i32[bag * 2 + 2 + count] === bagEntriesMax;
  }

  /** Appends a retired block; the bag must not be full. */
  add(bag: number, handle: Handle, blockBytes: number, safeEpoch: number): void {
    const base = bag * 2 + 2;
    const i32 = this.i32;
    const at = i32[base + count] ?? 0;
    assert(at < bagEntriesMax, 'retire bag overflow');
    i32[base + entries + 2 * at] = handleUnit(handle);
    i32[base + entries + 2 * at + 1] = Math.floor(handle / 2 ** 32);
    i32[base + count] = at + 1;
    i32[base + goal] = safeEpoch;
    i32[base + bytes] = (i32[base + bytes] ?? 0) + blockBytes;
  }

  nextOf(bag: number): number {
    return this.i32[bag * 2 + 2 + next] ?? 0;
  }

  setNext(bag: number, older: number): void {
    this.i32[bag * 2 + 2 + next] = older;
  }

  /** True if `bag` is empty or its goal has passed by epoch `safe`. */
  isEmptyOrSafe(bag: number, safe: number): boolean {
    const base = bag * 2 + 2;
    return this.i32[base + count] === 0 || ((safe - (this.i32[base + goal] ?? 0)) | 0) >= 0;
  }

  goalOf(bag: number): number {
    return this.i32[bag * 2 + 2 + goal] ?? 0;
  }

  bytesOf(bag: number): number {
    return this.i32[bag * 2 + 2 + bytes] ?? 0;
  }

  setGoal(bag: number, epoch: number): void {
    this.i32[bag * 2 + 2 + goal] = epoch;
  }

  /**
   * Frees the entries, newest first, lowering `count` after each, so that a holder killed half-way
   * leaves a bag that the next holder (the recoverer's adopter) simply continues. The entry at the
   * top may then already be free: that one StaleHandleError means "done before", not a bug.
   * Returns the bytes freed. The bag itself stays linked; see `unlinkAndFree`.
   */
  freeEntries(bag: number): number {
    const base = bag * 2 + 2;
    const i32 = this.i32;
    const freed = i32[base + bytes] ?? 0;
    for (let at = (i32[base + count] ?? 0) - 1; at >= 0; at -= 1) {
      const handle = handleOf(
        i32[base + entries + 2 * at] ?? 0,
        i32[base + entries + 2 * at + 1] ?? 0,
      );
      try {
        this.allocator.free(handle);
      } catch (error) {
        if (!(error instanceof StaleHandleError) || at !== (i32[base + count] ?? 0) - 1)
          throw error;
      }
      i32[base + count] = at;
      if (at === entryCountHalf) crashPoint('reclaim.midBag');
    }
    i32[base + bytes] = 0;
    return freed;
  }

  /** Frees an emptied bag's own block. Call after unlinking it (a killed caller leaks one bag). */
  freeBagBlock(bag: number): void {
    this.allocator.free(handleOf(bag, (this.i32[bag * 2] ?? 0) >>> 8));
  }

  /** The last bag of the chain starting at `first` (0 for an empty chain). */
  tailOf(first: number): number {
    let tail = first;
    for (let steps = 0; tail !== 0; steps += 1) {
      assert(steps < chainLengthMax, 'retire chain does not end');
      const after = this.nextOf(tail);
      if (after === 0) return tail;
      tail = after;
    }
    return 0;
  }

  /**
   * Moves the chain that `headWord` points to onto the heap's orphan list (Treiber push of a
   * whole chain). The exchange makes the caller the chain's only holder, so it is pushed once.
   */
  orphanChain(headWord: number): void {
    const i32 = this.i32;
    const first = i32[headWord] ?? 0;
    if (first === 0) return;
    const tail = this.tailOf(first);
    Atomics.exchange(i32, headWord, 0);
    for (let attempt = 0; attempt < orphanPushAttemptsMax; attempt += 1) {
      const top = Atomics.load(i32, headerWord.orphanBags);
      this.setNext(tail, top);
      // ORDERING: publishes the chain's contents to the reclaimer that exchanges the list.
      if (Atomics.compareExchange(i32, headerWord.orphanBags, top, first) === top) return;
    }
    assert(false, 'orphan push starved: every attempt lost to another push');
  }
}

/** Each failed push means another push succeeded (lock-free); this bound is far past reach. */
const orphanPushAttemptsMax = 1_000_000;
