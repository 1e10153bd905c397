/**
 * Lifetime of shared objects: reference counts, changed only when a reference is stored in or
 * dropped from shared memory, or when a worker makes or lets go of a wrapper — never on reads.
 *
 * Every shared-object block starts its payload with the count (see the layout table of cell.ts):
 *
 * | field    | payload offset | size | atomic | written by                    | invariant          |
 * |----------|----------------|------|--------|-------------------------------|--------------------|
 * | refcount | 0              | 4    | yes    | any worker (add, sub, CAS)    | stored references  |
 * |          |                |      |        |                               | + wrapper pins ≥ 0 |
 *
 * A count that reaches 0 is final: nothing refers to the object, so nothing can reach it again,
 * and it is destroyed — its block and its value retired, the references in its value dropped.
 * A worker that found a reference by reading shared memory pins it with "increment unless 0"
 * (`tryRetain`): 0 means the reference was dropped after it was read, and the read is redone.
 * Linearisation points: the add/sub/CAS on the count.
 */
import { BlockTag, type Allocator } from '../alloc/index.js';
import { StaleHandleError, type Handle } from '../base/index.js';
import type { HeapMemory } from '../memory/index.js';
import type { ReclaimParticipant } from '../reclaim/index.js';
import type { ValueCodec } from '../values/index.js';
import { cellValueSlot } from './cell-block.js';

/** Word index of the count of the shared object whose block starts at `unit`. */
export const refcountWord = (unit: number): number => unit * 2 + 2;

/** Retries of an "increment unless 0": each failure means the count changed meanwhile. */
const tryRetainAttemptsMax = 1_000_000;

export class ObjectLifetime {
  readonly #i32: Int32Array;
  readonly #b64: BigInt64Array;
  readonly #allocator: Allocator;
  readonly #codec: ValueCodec;
  readonly #reclaim: ReclaimParticipant;
  /** Blocks whose retirement failed for want of memory: leaked, counted for diagnostics. */
  leakedBlocks = 0;

  constructor(
    memory: HeapMemory,
    allocator: Allocator,
    codec: ValueCodec,
    reclaim: ReclaimParticipant,
  ) {
    this.#i32 = memory.i32;
    this.#b64 = memory.b64;
    this.#allocator = allocator;
    this.#codec = codec;
    this.#reclaim = reclaim;
  }

  /** +1 on an object the caller already holds a reference to (so the count is not 0). */
  retain(handle: Handle): void {
    Atomics.add(this.#i32, refcountWord(this.#allocator.blockUnit(handle, BlockTag.cell)), 1);
  }

  /** +1 unless the count is 0 (the object is being destroyed); false then. */
  tryRetain(handle: Handle): boolean {
    const word = refcountWord(this.#allocator.blockUnit(handle, BlockTag.cell));
    for (let attempt = 0; attempt < tryRetainAttemptsMax; attempt += 1) {
      const count = Atomics.load(this.#i32, word);
      if (count === 0) return false;
      if (Atomics.compareExchange(this.#i32, word, count, count + 1) === count) return true;
    }
    return false;
  }

  /** −1; destroys the object (and whatever only it kept alive) when the count reaches 0. */
  release(handle: Handle): void {
    const pending: Handle[] = [handle];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const unit = this.#allocator.blockUnit(next, BlockTag.cell);
      if (Atomics.sub(this.#i32, refcountWord(unit), 1) !== 1) continue;
      // The last reference is gone: no worker can reach the object any more.
      const value = Atomics.load(this.#b64, cellValueSlot(unit));
      if (this.#codec.mayHoldRefs(value)) this.#codec.forEachRef(value, (ref) => pending.push(ref));
      this.#retireBlock(this.#codec.ownedBlock(value));
      this.#retireBlock(next);
    }
  }

  /**
   * Retains every shared object a freshly encoded word refers to, before it is published.
   * Throws StaleHandleError (nothing retained) if one of them was already destroyed (a disposed
   * wrapper was stored).
   */
  retainRefs(word: bigint): void {
    if (!this.#codec.mayHoldRefs(word)) return;
    const retained: Handle[] = [];
    this.#codec.forEachRef(word, (ref) => {
      if (!this.tryRetain(ref)) {
        for (const done of retained) this.release(done);
        throw new StaleHandleError(`shared object ${String(ref)} was destroyed`);
      }
      retained.push(ref);
    });
  }

  /** Drops a word that left shared memory: its references, and its block (retired). */
  dropWord(word: bigint): void {
    this.releaseRefs(word);
    this.#retireBlock(this.#codec.ownedBlock(word));
  }

  /** Releases every shared object `word` refers to. */
  releaseRefs(word: bigint): void {
    if (!this.#codec.mayHoldRefs(word)) return;
    this.#codec.forEachRef(word, (ref) => {
      this.release(ref);
    });
  }

  #retireBlock(block: Handle | undefined): void {
    if (block === undefined) return;
    try {
      this.#reclaim.retireBlock(block);
    } catch {
      // No memory even for a retire bag: leaking this block is the only safe choice left.
      this.leakedBlocks += 1;
    }
  }
}
