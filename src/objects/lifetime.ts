/**
 * Lifetime of shared objects: reference counts, changed only when a reference is stored in or
 * dropped from shared memory, or when a worker makes or lets go of a wrapper — never on reads.
 *
 * Every shared-object block starts its payload with the count (cell-block.ts; for a cell it is
 * the spare half of its transactional word), whatever its kind (kinds.ts):
 *
 * | field    | payload offset | size | atomic | written by                    | invariant          |
 * |----------|----------------|------|--------|-------------------------------|--------------------|
 * | refcount | 0              | 4    | yes    | any worker (add, sub, CAS)    | stored references  |
 * |          |                |      |        |                               | + wrapper pins ≥ 0 |
 *
 * A count that reaches 0 is final: nothing refers to the object, so nothing can reach it again,
 * and it is destroyed — its kind names the slot words it holds and the blocks it owns: each word's
 * references are dropped and its value block retired, then the owned blocks and its own.
 * A worker that found a reference by reading shared memory pins it with "increment unless 0"
 * (`tryRetain`): 0 means the reference was dropped after it was read, and the read is redone.
 * Linearisation points: the add/sub/CAS on the count.
 */
import type { Allocator } from '../alloc/index.js';
import { BugError, StaleHandleError, type Handle } from '../base/index.js';
import type { HeapMemory } from '../memory/index.js';
import type { ReclaimParticipant } from '../reclaim/index.js';
import type { ValueCodec } from '../values/index.js';
import type { ObjectTeardown } from './kinds.js';

/** Word index of the count of the shared object whose block starts at `unit`. */
export const refcountWord = (unit: number): number => unit * 2 + 2;

/** Retries of an "increment unless 0": each failure means the count changed meanwhile. */
const tryRetainAttemptsMax = 1_000_000;

export class ObjectLifetime {
  readonly #memory: HeapMemory;
  readonly #i32: Int32Array;
  readonly #allocator: Allocator;
  readonly #kinds: ObjectTeardown;
  readonly #codec: ValueCodec;
  readonly #reclaim: ReclaimParticipant;
  /** Blocks whose retirement failed for want of memory: leaked, counted for diagnostics. */
  leakedBlocks = 0;

  constructor(
    memory: HeapMemory,
    allocator: Allocator,
    codec: ValueCodec,
    reclaim: ReclaimParticipant,
    kinds: ObjectTeardown,
  ) {
    this.#memory = memory;
    this.#i32 = memory.i32;
    this.#allocator = allocator;
    this.#kinds = kinds;
    this.#codec = codec;
    this.#reclaim = reclaim;
  }

  /** +1 on an object the caller already holds a reference to (so the count is not 0). */
  retain(handle: Handle): void {
    Atomics.add(this.#i32, refcountWord(this.#objectUnit(handle)), 1);
  }

  /** +1 unless the count is 0 (the object is being destroyed); false then. */
  tryRetain(handle: Handle): boolean {
    const word = refcountWord(this.#objectUnit(handle));
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
      const unit = this.#objectUnit(next);
      if (Atomics.sub(this.#i32, refcountWord(unit), 1) !== 1) continue;
      // The last reference is gone: no worker can reach the object any more.
      const kind = this.#kindAt(next);
      kind.forEachWord(this.#memory, unit, (word) => {
        if (this.#codec.mayHoldRefs(word)) this.#codec.forEachRef(word, (ref) => pending.push(ref));
        this.#retireBlock(this.#codec.ownedBlock(word));
      });
      kind.forEachOwnedBlock?.(this.#memory, unit, (block) => {
        this.#retireBlock(block);
      });
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

  /** The block unit of a live shared object; StaleHandleError for anything else. */
  #objectUnit(handle: Handle): number {
    const tag = this.#allocator.tagOf(handle);
    if (this.#kinds.byTag(tag) === undefined) {
      throw new StaleHandleError(
        `handle ${String(handle)} names a block of type ${String(tag)}, not a shared object`,
      );
    }
    return this.#allocator.blockUnit(handle, tag);
  }

  #kindAt(handle: Handle): NonNullable<ReturnType<ObjectTeardown['byTag']>> {
    const kind = this.#kinds.byTag(this.#allocator.tagOf(handle));
    if (kind === undefined) throw new BugError(`shared object ${String(handle)} lost its kind`);
    return kind;
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
